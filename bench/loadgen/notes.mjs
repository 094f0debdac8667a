// Many writers in the notes (issue 17, scenario 3): N editors in one room, each typing one
// character a second into the shared notes — a Yjs document with one Y.Text `notes`
// (PROTOCOL.md), made here with the `yjs` package as the browser client makes it — and each
// receiving everyone's updates, as an open editor does.
//
// Each writer keeps its own Y.Doc and types at the end of its own text, without applying
// the others' updates: a browser would merge them (the CRDT keeps each writer's run of text
// whole either way), but merging N² updates a second here would measure Yjs in the
// generator, not the server. Measured: for each update, the time from sending it until the
// last of the N members has it ("update → everyone"), and each single delivery. Checked:
// every update acknowledged, every member's seq stream gapless and at the head, and the
// server's document (a `notes.sync` from nothing) holding every writer's text exactly once.

import * as Y from 'yjs';

import { Samples, inPool, nowMs, percentiles } from './common.mjs';
import { Member, Tally, memberTotals, sleep, untilStalled } from './members.mjs';

const DATA = Buffer.from([0xa4, 0x64, 0x61, 0x74, 0x61]); // the key "data"
const U_BIN8 = Buffer.from([0xa1, 0x75, 0xc4]); // the key "u", then a bin 8 header
const U_BIN16 = Buffer.from([0xa1, 0x75, 0xc5]);

// The bytes of a `notes.update` event's `u`, found in the frame without decoding it.
export function updateIn(frame) {
  const from = frame.indexOf(DATA);
  if (from < 0) return null;
  let at = frame.indexOf(U_BIN8, from);
  if (at >= 0) return frame.subarray(at + 4, at + 4 + frame[at + 3]);
  at = frame.indexOf(U_BIN16, from);
  if (at >= 0) return frame.subarray(at + 5, at + 5 + frame.readUInt16BE(at + 3));
  return null;
}

class Writer {
  constructor(member, index) {
    this.member = member;
    this.index = index;
    this.doc = new Y.Doc();
    this.text = this.doc.getText('notes');
    this.typed = '';
    this.update = null;
    this.doc.on('update', (u) => {
      this.update = u;
    });
  }

  // One keystroke: the next character of this writer's line, as a Yjs update.
  keystroke(k) {
    const ch = k === 0 ? `\n${this.index}:` : String.fromCharCode(97 + ((this.index + k) % 26));
    this.text.insert(this.text.length, ch);
    this.typed += ch;
    return this.update;
  }
}

export async function manyWriters(cfg, phase) {
  const { url, room, writers: count, rate, seconds, warmupSeconds, concurrency, settleMs } = cfg;
  const tally = new Tally(new Samples());
  const sent = new Map(); // the update's bytes (latin1) -> {at, seen, worst, timed}
  const everyone = new Samples();
  const single = new Samples();
  let unknown = 0;
  const onEvent = (member, seq, frame) => {
    const u = updateIn(frame);
    const item = u === null ? undefined : sent.get(u.toString('latin1'));
    if (item === undefined) {
      unknown += 1;
      return;
    }
    const ms = nowMs() - item.at;
    item.seen += 1;
    if (ms > item.worst) item.worst = ms;
    if (item.timed) single.push(ms);
    if (item.seen === count && item.timed) everyone.push(item.worst);
  };
  const writers = [];
  const indices = Array.from({ length: count }, (_, i) => i);
  await inPool(indices, concurrency, async (i) => {
    const m = new Member(url, room, `Editor ${i}`, tally, { reconnect: true, stamps: false });
    m.onEvent = onEvent;
    await m.connect();
    writers.push(new Writer(m, i));
  });
  phase('joined', { joined: writers.length });

  const errors = {};
  const okMs = new Samples();
  let updates = 0;
  let timedFrom = Infinity;
  const type = async (w) => {
    const period = 1000 / rate;
    const start = nowMs() + Math.random() * period;
    const acks = [];
    for (let k = 0; start + k * period < endAt; k++) {
      const wait = start + k * period - nowMs();
      if (wait > 0) await sleep(wait);
      const u = w.keystroke(k);
      const at = nowMs();
      sent.set(Buffer.from(u).toString('latin1'), { at, seen: 0, worst: 0, timed: at >= timedFrom });
      updates += 1;
      acks.push(w.member.command({ t: 'notes.update', cid: `n-${w.index}-${k}`, u }).then(({ reply, ms }) => {
        if (reply.t === 'ok') okMs.push(ms);
        else errors[reply.code] = (errors[reply.code] || 0) + 1;
      }));
    }
    await Promise.all(acks);
  };
  const begin = nowMs();
  const endAt = begin + (warmupSeconds + seconds) * 1000;
  const typing = Promise.all(writers.map(type));
  await sleep(warmupSeconds * 1000);
  timedFrom = nowMs();
  tally.measuring = true;
  phase('publishing');
  await typing;
  phase('published', { published: updates });
  const head = Math.max(...writers.map((w) => w.member.last));
  const applied = () => writers.reduce((a, w) => a + w.member.applied, 0);
  const drained = await untilStalled(() => writers.every((w) => w.member.last >= head), applied, settleMs);
  const drainedAt = nowMs();
  phase('drained');

  // The server's document, from nothing: every writer's line, exactly once.
  const checker = new Member(url, room, 'Checker', tally, { stamps: false });
  await checker.connect();
  const { reply } = await checker.command({
    t: 'notes.sync', cid: 'bench-sync', sv: Y.encodeStateVector(new Y.Doc()),
  });
  checker.close();
  const doc = new Y.Doc();
  Y.applyUpdate(doc, reply.u);
  const text = doc.getText('notes').toString();
  const missingText = writers.filter((w) => text.split(w.typed).length !== 2).length;
  const expectedLength = writers.reduce((a, w) => a + w.typed.length, 0);
  const missedEveryone = [...sent.values()].filter((x) => x.timed && x.seen < count).length;
  const timedUpdates = [...sent.values()].filter((x) => x.timed).length;
  const out = {
    ...memberTotals(writers.map((w) => w.member)), writers: count, rate, seconds,
    warmup_seconds: warmupSeconds, updates, timed_updates: timedUpdates, errors, unknown,
    drained, behind: writers.filter((w) => w.member.last !== head).length, head,
    update_ok_ms: percentiles(okMs.data.subarray(0, okMs.length)),
    update_to_everyone_ms: percentiles(everyone.data.subarray(0, everyone.length)),
    delivery_ms: percentiles(single.data.subarray(0, single.length)),
    missed_everyone: missedEveryone, text_length: text.length, expected_length: expectedLength,
    writers_text_wrong: missingText, drain_ms: drainedAt - endAt,
    deliveries_per_s: (single.length) / ((drainedAt - timedFrom) / 1000),
  };
  for (const w of writers) w.member.close();
  return out;
}
