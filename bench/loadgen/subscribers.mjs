// A worker process holding many subscriber connections (participants), forked by main.mjs.
//
// Each subscriber joins the room, then checks its `ev` frames are gapless (seq == last + 1),
// counting duplicates and gaps, and measures latency from the publish stamp in a question's
// text. Commands from the parent arrive over IPC:
//   {cmd: 'start', url, room, from, count, concurrency, warmup}  -> {t: 'joined', ...}
//   {cmd: 'measure'}                 reset the CPU meter (publishing starts)
//   {cmd: 'drain', final, timeoutMs} wait until every open subscriber has `final`
//                                    -> {t: 'report', ...}
//   {cmd: 'close'}                   close every socket -> {t: 'closed'}
// While running it sends {t: 'p', min} whenever the lowest seq every open subscriber has
// applied goes up, so the publisher can keep a window of events in flight.

import {
  SUBPROTOCOL, Samples, cpuMeter, decode, encode, inPool, joinFrame, nowMs, openSocket,
  percentiles, readStamp, seqOfEv, stampIn,
} from './common.mjs';
import { openRawSocket } from './rawws.mjs';
import { openSocketIo } from './sioclient.mjs';

const subs = [];
const latencies = new Samples();
const joinTimes = [];
const meter = cpuMeter();
let warmup = 0;
let firstAt = null;
let lastAt = null;
let lastMin = null;
let dirty = false; // frames arrived since the last progress check
let progressTimer = null;

function onFrame(s, data) {
  if (!Buffer.isBuffer(data)) return onDecoded(s, data, data); // socket.io: decoded already
  const seq = seqOfEv(data);
  if (seq >= 0) {
    onEv(s, seq, data);
    return undefined;
  }
  return onDecoded(s, decode(data), data);
}

function onDecoded(s, f, data) {
  if (f.t === 'ev') {
    onEv(s, f.seq, data);
  } else if (f.t === 'ok' && f.re === 1) {
    s.base = f.seq;
    s.last = f.seq;
  } else if (f.t === 'snapshot' && s.onJoined) {
    s.onJoined();
    s.onJoined = null;
  } else if (f.t === 'err' && f.re === 1 && s.onJoined) {
    s.onFailed(new Error(`join refused: ${f.code} ${f.msg}`));
  }
  return undefined;
}

function onEv(s, seq, data) {
  const now = nowMs();
  dirty = true;
  if (firstAt === null) firstAt = now;
  lastAt = now;
  s.received += 1;
  if (s.last === null) {
    s.early += 1; // an event before the join reply: never expected
  } else if (seq === s.last + 1) {
    s.last = seq;
    s.applied += 1;
  } else if (seq <= s.last) {
    s.dupes += 1;
  } else {
    s.gaps += 1;
    s.last = seq;
  }
  const stamp = Buffer.isBuffer(data) ? stampIn(data) : readStamp(data.data && data.data.text);
  if (stamp !== null && stamp.n >= warmup) latencies.push(now - stamp.t);
}

let client = 'raw';

async function connect(url, room, index) {
  const s = {
    index, ws: null, base: null, last: null, received: 0, applied: 0, dupes: 0, gaps: 0,
    early: 0, closeCode: null, onJoined: null, onFailed: null,
  };
  const t0 = nowMs();
  if (client === 'socketio') s.ws = await openSocketIo(url);
  else s.ws = client === 'ws' ? await openSocket(url) : await openRawSocket(url, SUBPROTOCOL);
  await new Promise((resolve, reject) => {
    s.onJoined = resolve;
    s.onFailed = reject;
    s.ws.on('message', (data) => onFrame(s, data));
    s.ws.on('close', (code) => {
      s.closeCode = code;
      dirty = true;
      if (s.onJoined) reject(new Error(`closed ${code} while joining`));
    });
    const join = joinFrame(1, room, `S${index}`);
    s.ws.send(client === 'socketio' ? join : encode(join));
  });
  joinTimes.push(nowMs() - t0);
  subs.push(s);
}

function lowestApplied() {
  let min = null;
  for (const s of subs) {
    if (s.closeCode !== null) continue; // a closed subscriber is counted as lost instead
    if (min === null || s.last < min) min = s.last;
  }
  return min;
}

function reportProgress() {
  if (!dirty) return;
  dirty = false;
  const min = lowestApplied();
  if (min !== null && min !== lastMin) {
    lastMin = min;
    process.send({ t: 'p', min });
  }
}

function drain(final, timeoutMs) {
  return new Promise((resolve) => {
    let seen = -1;
    let since = nowMs();
    const check = () => {
      const min = lowestApplied();
      const total = subs.reduce((a, s) => a + s.applied, 0);
      if (min === null || min >= final) return resolve(true);
      if (total !== seen) {
        seen = total;
        since = nowMs();
      } else if (nowMs() - since > timeoutMs) {
        return resolve(false);
      }
      setTimeout(check, 5);
    };
    check();
  });
}

function report(final, drained) {
  const closed = {};
  let expected = 0;
  let applied = 0;
  let lostClients = 0;
  for (const s of subs) {
    expected += final - s.base;
    applied += s.applied;
    if (s.applied < final - s.base) lostClients += 1;
    if (s.closeCode !== null) closed[s.closeCode] = (closed[s.closeCode] || 0) + 1;
  }
  const sum = (key) => subs.reduce((a, s) => a + s[key], 0);
  return {
    t: 'report',
    subscribers: subs.length,
    drained,
    expected,
    applied,
    received: sum('received'),
    lost: expected - applied,
    lost_clients: lostClients,
    dupes: sum('dupes'),
    gaps: sum('gaps'),
    early: sum('early'),
    closed,
    first_at: firstAt,
    last_at: lastAt,
    join_ms: percentiles(joinTimes),
    cpu: meter.read(),
    latencies: latencies.toBase64(),
  };
}

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'start') {
      warmup = msg.warmup || 0;
      client = msg.client || 'raw';
      const indices = Array.from({ length: msg.count }, (_, i) => msg.from + i);
      const t0 = nowMs();
      await inPool(indices, msg.concurrency, (i) => connect(msg.url, msg.room, i));
      progressTimer = setInterval(reportProgress, 2);
      process.send({ t: 'joined', count: subs.length, ms: nowMs() - t0, base: lowestApplied() });
    } else if (msg.cmd === 'measure') {
      meter.reset();
    } else if (msg.cmd === 'drain') {
      const drained = await drain(msg.final, msg.timeoutMs);
      process.send(report(msg.final, drained));
    } else if (msg.cmd === 'close') {
      clearInterval(progressTimer);
      for (const s of subs) s.ws.close(1000);
      process.send({ t: 'closed' });
    }
  } catch (err) {
    process.send({ t: 'error', message: String(err && err.stack ? err.stack : err) });
  }
});

process.on('disconnect', () => process.exit(0));
