// One room member for the peak scenarios (poll burst, reconnect storm, notes, many rooms):
// a raw-socket connection that joins (or resumes), applies `ev` frames by the gapless rule
// of PROTOCOL.md ("Events"), sends commands and matches their replies, and — when asked —
// reconnects after a resume close code with the browser client's own jittered backoff
// (client/web/src/backoff.js, imported, so the policy has one source) and resumes with
// `since`, `epoch` and its identity token.
//
// Every command with a `cid` stays in an outbox until its reply arrives; after a resume the
// outbox is sent again with the same `cid`s, as the browser's outbox does, so a command the
// server appended before it went away is answered from its idempotency record, not
// appended twice (PROTOCOL.md "Commands").

import { backoffDelay } from '../../client/web/src/backoff.js';
import { SUBPROTOCOL, decode, encode, joinFrame, nowMs, seqOfEv, stampIn } from './common.mjs';
import { openRawSocket } from './rawws.mjs';

// Close codes after which a client resumes: protocol/codes.py's registry, plus a close
// frame with no code (1005) and a connection that was lost (1006).
const RESUME_CODES = new Set([1001, 1005, 1006, 1011, 1012, 4008, 4029]);

// What every member of a run shares: the receipt-latency samples, and a switch for them.
export class Tally {
  constructor(samples) {
    this.latencies = samples;
    this.measuring = false;
    this.firstAt = null;
    this.lastAt = null;
  }
}

export class Member {
  constructor(url, room, name, tally, { key = null, reconnect = false, stamps = true } = {}) {
    Object.assign(this, { url, room, name, tally, key, reconnect, stamps });
    this.ws = null;
    this.nextId = 1;
    this.joinId = null;
    this.token = null;
    this.epoch = null;
    this.last = null; // the last seq applied; null until a snapshot (or a resume) gives one
    this.head = null; // the room's head named by the join reply being caught up to
    this.lastN = -1; // the last publisher stamp seen: they must increase (no double append)
    this.applied = 0;
    this.dupes = 0;
    this.gaps = 0;
    this.gapList = []; // [last applied, seq received, when] of the first few gaps
    this.early = 0;
    this.resnapshots = 0; // snapshots outside a join: the room's log started a new life
    this.resnapshotList = []; // [last applied, snapshot seq, its epoch, when] of the first few
    this.repeats = 0; // a publisher's question seen at two seqs
    this.closes = {};
    this.joins = []; // {kind, closedAt, resumedAt, attempts}
    this.outbox = new Map(); // cid -> {frame, resolve, sentAt}
    this.byId = new Map(); // id -> cid, for replies
    this.onEvent = null; // (member, seq, bytes) after an applied `ev`
    this.onSide = null; // (member, frame) for frames that are not `ev` nor replies
    this.closedAt = null;
    this.attempt = 0;
    this.joined = null; // the promise of the join in progress
    this.stopped = false;
  }

  get open() {
    return this.ws !== null && this.joinId === null;
  }

  // Connect and join (a resume when this member has applied something); resolves with the
  // join's kind: 'snapshot', 'replay' or 'nothing' (the member was up to date).
  connect() {
    this.joined = new Promise((resolve, reject) => {
      this.settleJoin = { resolve, reject };
    });
    openRawSocket(this.url, SUBPROTOCOL).then(
      (ws) => this.opened(ws),
      (err) => this.lost(err),
    );
    return this.joined;
  }

  opened(ws) {
    this.ws = ws;
    ws.on('message', (data) => this.frame(data));
    ws.on('close', (code) => this.closed(code));
    this.joinId = this.nextId++;
    this.kind = null;
    const extra = { key: this.key, token: this.token };
    if (this.last !== null && this.epoch !== null) Object.assign(extra, { since: this.last, epoch: this.epoch });
    ws.send(encode(joinFrame(this.joinId, this.room, this.name, extra)));
  }

  frame(data) {
    const seq = seqOfEv(data);
    if (seq >= 0) return this.ev(seq, data);
    const f = decode(data);
    if (f.t === 'ev') return this.ev(f.seq, data);
    if (f.re !== undefined && f.re !== null && f.re === this.joinId) return this.joinReply(f);
    if (f.t === 'ok' || f.t === 'err') return this.reply(f);
    if (f.t === 'snapshot') {
      if (this.joinId === null || this.head === null) {
        // Not asked for: the server found the room's log in a new life (epoch, PROTOCOL.md)
        // and sends each member a snapshot instead of the events it lost. The benches run
        // on a healthy store, so it is not applied: the seqs it skips still count as a gap.
        // It is named, though: one such snapshot per member was the "one gap per member"
        // of issue 31 (a healthy Redis log fenced as rewound by the server).
        this.resnapshots += 1;
        if (this.resnapshotList.length < 5) this.resnapshotList.push([this.last, f.seq, f.epoch ?? null, nowMs()]);
        return undefined;
      }
      this.last = f.seq;
      this.lastN = -1; // a snapshot's questions are not checked: stamps start again after it
      return this.caughtUp('snapshot');
    }
    if (this.onSide) this.onSide(this, f);
    return undefined;
  }

  joinReply(f) {
    if (f.t !== 'ok') {
      this.settleJoin.reject(new Error(`${this.name}: join refused: ${f.code} ${f.msg}`));
      return;
    }
    this.token = f.token;
    this.head = f.seq;
    const resuming = this.last !== null && f.epoch === this.epoch;
    this.epoch = f.epoch;
    if (!resuming) this.last = null; // a snapshot follows
    else if (this.last === f.seq) this.caughtUp('nothing');
  }

  caughtUp(kind) {
    this.joinId = null;
    this.head = null;
    const join = { kind, closedAt: this.closedAt, resumedAt: nowMs(), attempts: this.attempt };
    this.joins.push(join);
    this.closedAt = null;
    this.attempt = 0;
    for (const [cid, item] of this.outbox) this.transmit(cid, item); // again, same cid
    this.settleJoin.resolve(kind);
  }

  ev(seq, data) {
    const now = nowMs();
    const tally = this.tally;
    if (tally.firstAt === null) tally.firstAt = now;
    tally.lastAt = now;
    if (this.last === null) {
      this.early += 1; // before the snapshot that sets the base: never expected
      return;
    }
    if (seq <= this.last) {
      this.dupes += 1;
      return;
    }
    if (seq !== this.last + 1) {
      this.gaps += 1;
      if (this.gapList.length < 5) this.gapList.push([this.last, seq, nowMs()]); // the evidence
    }
    this.last = seq;
    this.applied += 1;
    if (this.stamps) {
      const stamp = stampIn(data);
      if (stamp !== null) {
        if (stamp.n <= this.lastN) this.repeats += 1;
        this.lastN = stamp.n;
        if (tally.measuring) tally.latencies.push(now - stamp.t);
      }
    }
    if (this.onEvent) this.onEvent(this, seq, data);
    if (this.head !== null && this.joinId !== null && seq >= this.head) this.caughtUp('replay');
  }

  // Send a command with a `cid`; resolves with its reply ({t: 'ok'|'err', ...}) and the
  // time from (first) sending it to the reply, in ms.
  command(frame) {
    return new Promise((resolve) => {
      const item = { frame, resolve, sentAt: nowMs(), firstId: null };
      this.outbox.set(frame.cid, item);
      if (this.open) this.transmit(frame.cid, item);
    });
  }

  transmit(cid, item) {
    const id = this.nextId++;
    this.byId.set(id, cid);
    this.ws.send(encode({ ...item.frame, id }));
  }

  reply(f) {
    const cid = this.byId.get(f.re);
    if (cid === undefined) return;
    this.byId.delete(f.re);
    const item = this.outbox.get(cid);
    if (item === undefined) return; // answered already (a reply to the copy sent before a close)
    this.outbox.delete(cid);
    item.resolve({ reply: f, ms: nowMs() - item.sentAt });
  }

  closed(code) {
    this.ws = null;
    this.byId.clear();
    this.closes[code] = (this.closes[code] || 0) + 1;
    if (this.closedAt === null) this.closedAt = nowMs();
    if (this.joinId !== null && !this.reconnect) {
      this.settleJoin.reject(new Error(`${this.name}: closed ${code} while joining`));
      return;
    }
    if (this.stopped || !this.reconnect || !RESUME_CODES.has(code)) return;
    this.retry();
  }

  lost(err) {
    if (this.closedAt === null) this.closedAt = nowMs();
    if (!this.reconnect || this.stopped) {
      this.settleJoin.reject(err);
      return;
    }
    this.retry();
  }

  retry() {
    const settle = this.settleJoin;
    this.joinId = null;
    setTimeout(() => {
      if (this.stopped) return;
      this.connect().then(settle.resolve, settle.reject);
    }, backoffDelay(this.attempt++));
  }

  close() {
    this.stopped = true;
    if (this.ws !== null) this.ws.close(1000);
  }
}

// The totals of a list of members, for a result line.
export function memberTotals(members) {
  const sum = (key) => members.reduce((a, m) => a + m[key], 0);
  const closes = {};
  for (const m of members) for (const [c, n] of Object.entries(m.closes)) closes[c] = (closes[c] || 0) + n;
  return {
    members: members.length, applied: sum('applied'), dupes: sum('dupes'), gaps: sum('gaps'),
    early: sum('early'), repeats: sum('repeats'), closed: closes, resnapshots: sum('resnapshots'),
    resnapshot_examples: members.filter((m) => m.resnapshotList.length).slice(0, 3)
      .map((m) => ({ name: m.name, snapshots: m.resnapshotList })),
    gap_examples: members.filter((m) => m.gapList.length).slice(0, 10)
      .map((m) => ({ name: m.name, gaps: m.gapList })),
    members_with_gaps: members.filter((m) => m.gaps).length,
  };
}

// Resolve once `test()` holds, checking every `everyMs`; false after `timeoutMs`.
export function until(test, timeoutMs, everyMs = 5) {
  return new Promise((resolve) => {
    const end = nowMs() + timeoutMs;
    const check = () => {
      if (test()) return resolve(true);
      if (nowMs() > end) return resolve(false);
      setTimeout(check, everyMs);
      return undefined;
    };
    check();
  });
}

// Resolve true once `test()` holds; false once `progress()` (a count that grows while
// work is still arriving) has not moved for `stallMs`. A server that is behind but
// catching up is waited for; one that stopped delivering is not.
export function untilStalled(test, progress, stallMs, everyMs = 10) {
  return new Promise((resolve) => {
    let seen = progress();
    let since = nowMs();
    const check = () => {
      if (test()) return resolve(true);
      const now = progress();
      if (now !== seen) {
        seen = now;
        since = nowMs();
      } else if (nowMs() - since > stallMs) {
        return resolve(false);
      }
      setTimeout(check, everyMs);
      return undefined;
    };
    check();
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
