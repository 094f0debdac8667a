// The load generator of the workshop room benchmarks (driven by bench/run.py).
//
//   node main.mjs '<json config>'
//
// Modes: fanout (a window of events in flight), rate (a fixed publish rate), hold (join
// and stay idle until a line arrives on stdin), append (publishers only: commands
// acknowledged per second), joins (join and resume cost), and the peak scenarios of
// issue 17, each in this one process: poll (poll.mjs), storm (storm.mjs),
// notes (notes.mjs), rooms (rooms.mjs), commands (commands.mjs). Subscribers live in
// `workers` forked processes (subscribers.mjs); the publisher lives here. Progress goes
// to stdout as {"phase": ...} lines, then one {"result": {...}} line.

import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { Samples, cpuMeter, nowMs, percentiles } from './common.mjs';
import { commandCost } from './commands.mjs';
import { joinCost } from './joins.mjs';
import { manyWriters } from './notes.mjs';
import { pollBurst } from './poll.mjs';
import { manyRooms } from './rooms.mjs';
import { Publisher, appendBurst, paced, saturate } from './publisher.mjs';
import { reconnectStorm } from './storm.mjs';

const DEFAULTS = {
  mode: 'fanout', url: 'ws://127.0.0.1:8000/ws', room: 'BENCH', key: null, subscribers: 100,
  workers: 1, concurrency: 100, window: 20, ackWindow: 64, rate: 20, seconds: 5,
  warmupSeconds: 0, drainSeconds: 10, publishers: 1, samples: 20, gaps: [1000],
  client: 'raw', // the subscribers' client: 'raw' (rawws.mjs), 'ws', or 'socketio' (peers)
};
const cfg = { ...DEFAULTS, ...JSON.parse(process.argv[2] || '{}') };
const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const phase = (name, extra = {}) => say({ phase: name, t: nowMs(), ...extra });

class Workers {
  constructor(count, subscribers) {
    const file = fileURLToPath(new URL('./subscribers.mjs', import.meta.url));
    const per = Math.ceil(subscribers / count);
    this.procs = [];
    this.mins = [];
    this.onProgress = () => {};
    for (let w = 0, from = 0; from < subscribers; w++, from += per) {
      const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.range = { from, count: Math.min(per, subscribers - from) };
      child.on('message', (m) => this.message(w, m));
      this.procs.push(child);
      this.mins.push(null);
    }
    this.waiting = new Map();
  }
  message(w, m) {
    if (m.t === 'p') {
      this.mins[w] = m.min;
      this.onProgress();
      return;
    }
    const waiter = this.waiting.get(w);
    if (m.t === 'error') {
      waiter?.reject(new Error(`worker ${w}: ${m.message}`));
    } else if (waiter) {
      this.waiting.delete(w);
      waiter.resolve(m);
    }
  }
  ask(w, msg) {
    return new Promise((resolve, reject) => {
      this.waiting.set(w, { resolve, reject });
      this.procs[w].send(msg);
    });
  }
  all(makeMsg) {
    return Promise.all(this.procs.map((p, w) => this.ask(w, makeMsg(p))));
  }
  tell(msg) {
    for (const p of this.procs) p.send(msg);
  }
  minApplied() {
    let min = null;
    for (const m of this.mins) if (m !== null && (min === null || m < min)) min = m;
    return min;
  }
  async close() {
    await this.all(() => ({ cmd: 'close' }));
    for (const p of this.procs) p.disconnect();
  }
}

function merge(reports, cpuMain, wallMs) {
  const sum = (k) => reports.reduce((a, r) => a + r[k], 0);
  const closed = {};
  for (const r of reports) for (const [c, n] of Object.entries(r.closed)) closed[c] = (closed[c] || 0) + n;
  const lat = reports.map((r) => Samples.fromBase64(r.latencies));
  const all = new Float64Array(lat.reduce((a, x) => a + x.length, 0));
  lat.reduce((at, x) => (all.set(x, at), at + x.length), 0);
  const cpu = [cpuMain, ...reports.map((r) => r.cpu)];
  const cpuMs = cpu.map((c) => c.user_ms + c.system_ms);
  const waitedMs = cpu.map((c) => c.waited_ms);
  return {
    subscribers: sum('subscribers'), expected: sum('expected'), applied: sum('applied'),
    received: sum('received'), lost: sum('lost'), lost_clients: sum('lost_clients'),
    dupes: sum('dupes'), gaps: sum('gaps'), early: sum('early'), closed,
    drained: reports.every((r) => r.drained),
    first_at: Math.min(...reports.map((r) => r.first_at ?? Infinity)),
    last_at: Math.max(...reports.map((r) => r.last_at ?? -Infinity)),
    latency_ms: percentiles(all),
    join_ms: reports.map((r) => r.join_ms),
    loadgen_cpu: {
      processes: cpu.length,
      cores_used: cpuMs.reduce((a, b) => a + b, 0) / wallMs,
      busiest_process: Math.max(...cpuMs) / wallMs,
      per_process_ms: cpuMs,
      // time runnable but not running: other processes had the core
      waited_share: Math.max(...waitedMs) / wallMs,
      wall_ms: wallMs,
    },
  };
}

async function withSubscribers(run) {
  const workers = new Workers(Math.max(1, cfg.workers), cfg.subscribers);
  const pubClient = cfg.client === 'socketio' ? 'socketio' : 'ws';
  const pub = new Publisher(cfg.url, cfg.room, cfg.key, 'Publisher', pubClient);
  await pub.connect();
  const warmup = Math.round((cfg.warmupSeconds || 0) * (cfg.mode === 'rate' ? cfg.rate : 0));
  const joined = await workers.all((p) => ({
    cmd: 'start', url: cfg.url, room: cfg.room, concurrency: cfg.concurrency, warmup,
    client: cfg.client, ...p.range,
  }));
  phase('joined', { joined: joined.reduce((a, j) => a + j.count, 0) });
  const meter = cpuMeter();
  workers.tell({ cmd: 'measure' });
  const start = nowMs();
  phase('publishing');
  const published = await run(pub, workers);
  phase('published', { published });
  const settled = await pub.settle(cfg.drainSeconds * 1000);
  // Every event of this run was acknowledged: the last one's seq is the room's head.
  const final = settled ? Math.max(pub.maxSeq, pub.seq0) : pub.seq0 + published;
  const reports = await workers.all(() => ({
    cmd: 'drain', final, timeoutMs: cfg.drainSeconds * 1000,
  }));
  phase('drained');
  const out = merge(reports, meter.read(), nowMs() - start);
  const span = (out.last_at - start) / 1000;
  Object.assign(out, {
    published, acked: pub.acked, settled, publisher_errors: pub.errors,
    max_acked_seq: pub.maxSeq, final_seq: final, publish_seconds: cfg.seconds,
    delivery_seconds: span, deliveries_per_s: out.applied / span, events_per_s: published / span,
  });
  await workers.close();
  pub.close();
  return out;
}

async function hold() {
  const workers = new Workers(Math.max(1, cfg.workers), cfg.subscribers);
  const t0 = nowMs();
  const joined = await workers.all((p) => ({
    cmd: 'start', url: cfg.url, room: cfg.room, concurrency: cfg.concurrency,
    client: cfg.client, ...p.range,
  }));
  const count = joined.reduce((a, j) => a + j.count, 0);
  phase('joined', { joined: count, seconds: (nowMs() - t0) / 1000 });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim()) break; // the harness has measured
  lines.close();
  await workers.close();
  return { subscribers: count, join_seconds: (nowMs() - t0) / 1000, join_ms: joined.map((j) => j.ms) };
}

async function append() {
  const pubs = Array.from({ length: cfg.publishers }, (_, i) =>
    new Publisher(cfg.url, cfg.room, cfg.key, `Appender${i}`));
  await Promise.all(pubs.map((p) => p.connect()));
  phase('publishing');
  const meter = cpuMeter();
  const r = await appendBurst(pubs, { window: cfg.window, durationMs: cfg.seconds * 1000 });
  const cpu = meter.read();
  phase('published', { published: r.sent });
  const errors = {};
  for (const p of pubs) for (const [c, n] of Object.entries(p.errors)) errors[c] = (errors[c] || 0) + n;
  for (const p of pubs) p.close();
  return {
    ...r, publishers: pubs.length, window: cfg.window, errors, acked_per_s: r.acked / r.seconds,
    loadgen_cpu: {
      cores_used: (cpu.user_ms + cpu.system_ms) / cpu.wall_ms, busiest_process: null,
      waited_share: cpu.waited_ms / cpu.wall_ms, wall_ms: cpu.wall_ms,
    },
  };
}

const PEAKS = {
  poll: pollBurst, storm: reconnectStorm, notes: manyWriters, rooms: manyRooms, commands: commandCost,
};

// A peak scenario, with this process's CPU from its 'publishing' phase to its end: a
// generator near one core is measuring itself, not the server.
async function metered(run) {
  const meter = cpuMeter();
  const out = await run(cfg, (name, extra) => {
    if (name === 'publishing') meter.reset();
    phase(name, extra);
  });
  const c = meter.read();
  out.loadgen_cpu = {
    cores_used: (c.user_ms + c.system_ms) / c.wall_ms, waited_share: c.waited_ms / c.wall_ms,
    wall_ms: c.wall_ms,
  };
  return out;
}

async function main() {
  let result;
  if (cfg.mode === 'fanout') {
    result = await withSubscribers((pub, workers) => {
      const delivered = () => (workers.minApplied() ?? pub.seq0) - pub.seq0;
      return saturate(pub, {
        window: cfg.window, ackWindow: cfg.ackWindow, durationMs: cfg.seconds * 1000, delivered,
        onProgress: (pump) => { workers.onProgress = pump; },
      });
    });
    result.window = cfg.window;
  } else if (cfg.mode === 'rate') {
    result = await withSubscribers((pub) => paced(pub, { rate: cfg.rate, durationMs: cfg.seconds * 1000 }));
    result.rate = cfg.rate;
  } else if (cfg.mode === 'hold') {
    result = await hold();
  } else if (cfg.mode === 'append') {
    result = await append();
  } else if (cfg.mode === 'joins') {
    result = await joinCost(cfg);
  } else if (PEAKS[cfg.mode]) {
    result = await metered(PEAKS[cfg.mode]);
  } else {
    throw new Error(`unknown mode ${cfg.mode}`);
  }
  say({ result: { mode: cfg.mode, node: process.version, client: cfg.client, ...result } });
}

main().then(
  () => process.exit(0),
  (err) => {
    say({ error: String(err && err.stack ? err.stack : err) });
    process.exit(1);
  },
);
