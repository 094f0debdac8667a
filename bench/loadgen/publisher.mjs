// The publisher: a moderator connection posting questions, each stamped with its publish
// time. Three drivers: `saturate` (a window of events in flight to every subscriber),
// `paced` (a fixed rate) and `appendBurst` (several publishers, each keeping a window of
// commands awaiting their `ok`: the log's append throughput).

import { decode, encode, joinFrame, nowMs, openSocket, stampText } from './common.mjs';
import { openSocketIo } from './sioclient.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Publisher {
  // `client`: 'ws', or 'socketio' for the socket.io peers (decoded frames both ways).
  constructor(url, room, key, name = 'Publisher', client = 'ws') {
    Object.assign(this, { url, room, key, name });
    this.socketio = client === 'socketio';
    this.pack = this.socketio ? (frame) => frame : encode;
    this.unpack = this.socketio ? (frame) => frame : decode;
    this.nextId = 1;
    this.sent = 0;
    this.acked = 0;
    this.maxSeq = 0;
    this.errors = {};
    this.events = 0;
    this.lastAckAt = null;
    this.onAck = () => {};
  }

  async connect() {
    this.ws = this.socketio ? await openSocketIo(this.url) : await openSocket(this.url);
    await new Promise((resolve, reject) => {
      this.ws.on('close', (code) => {
        this.closeCode = code;
        reject(new Error(`publisher closed ${code}`));
      });
      this.ws.on('message', (data) => {
        const f = this.unpack(data);
        if (f.t === 'ev') {
          this.events += 1;
        } else if (f.re === 1) {
          if (f.t !== 'ok') return reject(new Error(`publisher join: ${f.code} ${f.msg}`));
          this.seq0 = f.seq;
          this.roles = f.me && f.me.roles;
          resolve();
        } else if (f.t === 'ok') {
          this.acked += 1;
          this.lastAckAt = nowMs();
          if (f.seq > this.maxSeq) this.maxSeq = f.seq;
          this.onAck();
        } else if (f.t === 'err') {
          this.errors[f.code] = (this.errors[f.code] || 0) + 1;
          this.onAck();
        }
      });
      this.ws.send(this.pack(joinFrame(1, this.room, this.name, { key: this.key })));
    });
    this.nextId = 2;
  }

  get unacked() {
    return this.sent - this.acked - Object.values(this.errors).reduce((a, b) => a + b, 0);
  }

  ask(n) {
    const id = this.nextId++;
    const text = stampText(n, nowMs());
    this.ws.send(this.pack({ t: 'ask', id, cid: `${this.name}-${id}`, text, lang: 'en' }));
    this.sent += 1;
  }

  // Wait for the reply to every command sent (or give up after `timeoutMs` of silence).
  async settle(timeoutMs = 30000) {
    let seen = -1;
    let since = nowMs();
    while (this.unacked > 0) {
      const done = this.sent - this.unacked;
      if (done !== seen) {
        seen = done;
        since = nowMs();
      } else if (nowMs() - since > timeoutMs) {
        return false;
      }
      await sleep(2);
    }
    return true;
  }

  close() {
    this.ws.removeAllListeners('close');
    this.ws.close(1000);
  }
}

// Keep `window` events published but not yet applied by every subscriber; `delivered()`
// is how many of this publisher's events the slowest open subscriber has applied. Also at
// most `ackWindow` commands without their reply (the server reads 64 at a time).
export function saturate(pub, { window, ackWindow = 64, durationMs, delivered, onProgress }) {
  return new Promise((resolve) => {
    const end = nowMs() + durationMs;
    let n = 0;
    let stopped = false;
    const pump = () => {
      if (stopped) return;
      if (nowMs() >= end) {
        stopped = true;
        resolve(n);
        return;
      }
      while (n - delivered() < window && pub.unacked < ackWindow) pub.ask(n++);
    };
    pub.onAck = pump;
    onProgress(pump);
    const timer = setInterval(() => {
      pump();
      if (stopped) clearInterval(timer);
    }, 20);
    pump();
  });
}

// Publish `rate` questions a second for `durationMs`; the stamp is the real send time.
export async function paced(pub, { rate, durationMs }) {
  const start = nowMs();
  let n = 0;
  for (;;) {
    const due = start + (n * 1000) / rate;
    if (due - start >= durationMs) break;
    const wait = due - nowMs();
    if (wait > 0.5) await sleep(wait);
    pub.ask(n++);
  }
  return n;
}

// Every publisher keeps `window` commands awaiting their `ok` for `durationMs`.
export async function appendBurst(pubs, { window, durationMs }) {
  const start = nowMs();
  const end = start + durationMs;
  const counters = pubs.map(() => 0);
  await Promise.all(
    pubs.map(
      (pub, i) =>
        new Promise((resolve) => {
          const pump = () => {
            if (nowMs() >= end) return resolve();
            while (pub.unacked < window) pub.ask(counters[i]++);
          };
          pub.onAck = pump;
          pump();
        }),
    ),
  );
  const sent = pubs.reduce((a, p) => a + p.sent, 0);
  const settled = (await Promise.all(pubs.map((p) => p.settle()))).every(Boolean);
  const acked = pubs.reduce((a, p) => a + p.acked, 0);
  const lastAck = Math.max(...pubs.map((p) => p.lastAckAt || start));
  return { sent, acked, settled, seconds: (lastAck - start) / 1000 };
}
