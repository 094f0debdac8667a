// The reconnect storm (issue 17, scenario 2): members spread over several rooms, a
// moderator in each room posting questions at a steady rate the whole time, and the server
// going away under them — once gracefully (SIGTERM: uvicorn closes every socket with 1012)
// and once killed (SIGKILL: every connection just drops) — then coming back on the same
// port. Every client reconnects with the browser client's jittered backoff and resumes
// with `since` + `epoch` (members.mjs); the moderators send again what had no reply, with
// the same `cid`.
//
// The harness (bench/storm.py) does the restarts: this process says {"phase": "steady",
// "how": ...}, the harness stops and restarts the server, then writes a line on stdin with
// when the new one was ready. Measured per round: the time from the first close until 99%
// and 100% of the members have resumed, accepts per second, replays vs snapshots. Checked at
// the end: every member at its room's head, no gap, no duplicate, no question appended twice,
// and every question sent acknowledged exactly once.

import { createInterface } from 'node:readline';

import { Samples, inPool, nowMs, percentiles, stampText } from './common.mjs';
import { Member, Tally, memberTotals, sleep, until, untilStalled } from './members.mjs';

const RETRYABLE = new Set(['rate_limited', 'unavailable', 'internal']);

export class Moderator {
  constructor(url, room, key, tally) {
    this.member = new Member(url, room, `Moderator ${room}`, tally, { key, reconnect: true });
    this.room = room;
    this.sent = 0;
    this.acked = 0;
    this.retried = 0;
    this.errors = {};
    this.maxSeq = 0;
    this.seqs = new Set();
    this.running = false;
  }

  async ask(n) {
    const frame = { t: 'ask', cid: `q-${this.room}-${n}`, text: stampText(n, nowMs()), lang: 'en' };
    this.sent += 1;
    for (;;) {
      const { reply } = await this.member.command(frame);
      if (reply.t === 'ok') {
        this.acked += 1;
        this.seqs.add(reply.seq);
        this.maxSeq = Math.max(this.maxSeq, reply.seq);
        return;
      }
      this.errors[reply.code] = (this.errors[reply.code] || 0) + 1;
      if (!RETRYABLE.has(reply.code)) return;
      this.retried += 1;
      await sleep(200);
    }
  }

  // Post `rate` questions a second until stopped; sending goes on while disconnected
  // (the outbox keeps them), as a moderator's browser would.
  async run(rate) {
    this.running = true;
    const start = nowMs();
    const asks = [];
    for (let n = 0; this.running; n++) {
      const wait = start + (n * 1000) / rate - nowMs();
      if (wait > 0) await sleep(wait);
      if (!this.running) break;
      asks.push(this.ask(n));
    }
    await Promise.all(asks);
  }
}

function lineReader() {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  return async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the harness closed stdin');
    return JSON.parse(value);
  };
}

// One round's figures, from the joins each member made since `since`.
function roundFigures(members, since, restart) {
  const resumed = [];
  const closed = [];
  const kinds = { replay: 0, snapshot: 0, nothing: 0 };
  let joins = 0;
  for (const m of members) {
    const mine = m.joins.filter((j) => j.resumedAt > since);
    joins += mine.length;
    for (const j of mine) kinds[j.kind] += 1;
    if (mine.length) {
      resumed.push(mine[mine.length - 1].resumedAt);
      if (mine[0].closedAt !== null) closed.push(mine[0].closedAt);
    }
  }
  resumed.sort((a, b) => a - b);
  const first = closed.length ? Math.min(...closed) : null;
  const at = (share) => resumed[Math.max(0, Math.ceil(share * members.length) - 1)];
  const complete = resumed.length === members.length;
  const buckets = new Map();
  for (const t of resumed) buckets.set(Math.floor(t / 1000), (buckets.get(Math.floor(t / 1000)) || 0) + 1);
  const span = resumed.length > 1 ? (resumed[resumed.length - 1] - resumed[0]) / 1000 : null;
  return {
    resumed: resumed.length, joins, kinds, complete,
    first_close_to_99_ms: first !== null && resumed.length >= Math.ceil(0.99 * members.length) ? at(0.99) - first : null,
    first_close_to_100_ms: first !== null && complete ? at(1) - first : null,
    ready_to_99_ms: resumed.length >= Math.ceil(0.99 * members.length) ? at(0.99) - restart.up : null,
    ready_to_100_ms: complete ? at(1) - restart.up : null,
    down_ms: restart.up - restart.down,
    accepts_per_s: span ? resumed.length / span : null,
    accepts_peak_per_s: Math.max(0, ...buckets.values()),
    backoff_attempts: percentiles(members.map((m) => {
      const mine = m.joins.filter((j) => j.resumedAt > since);
      return mine.reduce((a, j) => a + j.attempts, 0);
    })),
  };
}

export async function reconnectStorm(cfg, phase) {
  const { url, rooms, key, members: count, rate, rounds, concurrency, resumeTimeoutMs } = cfg;
  const tally = new Tally(new Samples());
  const moderators = rooms.map((room) => new Moderator(url, room, key, tally));
  await Promise.all(moderators.map((m) => m.member.connect()));
  for (const m of moderators) m.seq0 = m.member.last;
  const members = [];
  const indices = Array.from({ length: count }, (_, i) => i);
  await inPool(indices, concurrency, async (i) => {
    const m = new Member(url, rooms[i % rooms.length], `Member ${i}`, tally, { reconnect: true });
    await m.connect();
    members.push(m);
  });
  phase('joined', { joined: members.length });
  const readLine = lineReader();
  const publishing = moderators.map((m) => m.run(rate));
  phase('publishing');
  await sleep(cfg.steadyMs);
  const figures = [];
  for (const how of rounds) {
    const since = nowMs();
    phase('steady', { how });
    const restart = await readLine(); // {down, up}: CLOCK_MONOTONIC ms, as nowMs()
    const everyone = [...members, ...moderators.map((m) => m.member)];
    const resumed = await until(
      () => everyone.every((m) => m.open && m.joins.some((j) => j.resumedAt > since)),
      resumeTimeoutMs, 20,
    );
    figures.push({ how, ...roundFigures(members, since, restart), all_resumed: resumed });
    phase('resumed', { how });
    await sleep(cfg.steadyMs);
  }
  for (const m of moderators) m.running = false;
  await Promise.race([Promise.all(publishing), sleep(cfg.settleMs)]);
  const heads = Object.fromEntries(moderators.map((m) => [m.room, m.maxSeq]));
  const atHead = () => members.every((m) => m.last === heads[m.room]);
  const applied = () => members.reduce((a, m) => a + m.applied, 0);
  const drained = await untilStalled(atHead, applied, cfg.settleMs);
  phase('drained');
  const pending = moderators.reduce((a, m) => a + m.member.outbox.size, 0);
  const out = {
    ...memberTotals(members), rooms: rooms.length, rate_per_room: rate, rounds: figures,
    drained, behind: members.filter((m) => m.last !== heads[m.room]).length,
    sent: moderators.reduce((a, m) => a + m.sent, 0),
    acked: moderators.reduce((a, m) => a + m.acked, 0), pending,
    retried: moderators.reduce((a, m) => a + m.retried, 0),
    errors: moderators.reduce((acc, m) => {
      for (const [c, n] of Object.entries(m.errors)) acc[c] = (acc[c] || 0) + n;
      return acc;
    }, {}),
    // Questions in the log beyond those sent: a retried cid appended twice.
    appended_twice: moderators.reduce((a, m) => a + (m.maxSeq - m.seq0 - m.seqs.size), 0),
    distinct_seqs_short: moderators.reduce((a, m) => a + (m.acked - m.seqs.size), 0),
    moderators: memberTotals(moderators.map((m) => m.member)), heads,
  };
  for (const m of [...members, ...moderators.map((x) => x.member)]) m.close();
  return out;
}
