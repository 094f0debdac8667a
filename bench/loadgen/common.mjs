// Shared by the load generator's processes: the wire (msgpack over WebSocket, subprotocol
// workshop.v1, no compression), the clock, CPU accounting and small statistics.

import { readFileSync } from 'node:fs';

import WebSocket from 'ws';
import { Decoder, Encoder } from '@msgpack/msgpack';

export const SUBPROTOCOL = 'workshop.v1';
const encoder = new Encoder();
const decoder = new Decoder();

export const encode = (frame) => encoder.encode(frame);
export const decode = (bytes) => decoder.decode(bytes);

// CLOCK_MONOTONIC in milliseconds (µs precision). It is one clock for the whole machine,
// so a publish stamp from one process can be compared with a receipt in another.
export const nowMs = () => Number(process.hrtime.bigint() / 1000n) / 1000;

// A latency stamp the publisher puts in the question text, and its reader.
export const stampText = (n, t) => `bench n=${n} t=${t.toFixed(3)}`;
const STAMP = /n=(\d+) t=([\d.]+)/;
export function readStamp(text) {
  const m = typeof text === 'string' ? STAMP.exec(text) : null;
  return m ? { n: Number(m[1]), t: Number(m[2]) } : null;
}

// The fast path for `ev` frames, which is most of what a subscriber reads. The server packs
// {t, seq, ts, type, data} in that order, so an `ev` frame starts with these bytes
// (fixmap of 5, "t", "ev", "seq") and its seq follows. Anything else: seqOfEv gives -1 and
// the caller decodes the whole frame.
const EV_PREFIX = Buffer.from([0x85, 0xa1, 0x74, 0xa2, 0x65, 0x76, 0xa3, 0x73, 0x65, 0x71]);
export function seqOfEv(buf) {
  if (buf.length < 12 || buf.compare(EV_PREFIX, 0, 10, 0, 10) !== 0) return -1;
  const tag = buf[10];
  if (tag <= 0x7f) return tag;
  if (tag === 0xcc) return buf[11];
  if (tag === 0xcd) return buf.readUInt16BE(11);
  if (tag === 0xce) return buf.readUInt32BE(11);
  if (tag === 0xcf) return Number(buf.readBigUInt64BE(11));
  return -1;
}

// The publish stamp in a frame's bytes (the question text is plain ASCII), or null.
const MARK = Buffer.from('bench n=');
export function stampIn(buf) {
  const at = buf.indexOf(MARK);
  return at < 0 ? null : readStamp(buf.toString('latin1', at, at + 48));
}

export function openSocket(url, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, SUBPROTOCOL, {
      perMessageDeflate: false,
      maxPayload: 256 * 2 ** 20,
      handshakeTimeout: timeoutMs,
    });
    ws.binaryType = 'nodebuffer';
    const fail = (err) => reject(err);
    ws.once('error', fail);
    ws.once('open', () => {
      ws.removeListener('error', fail);
      ws.on('error', () => {}); // reported through 'close'
      if (ws.protocol !== SUBPROTOCOL) {
        ws.terminate();
        reject(new Error(`server did not select ${SUBPROTOCOL}`));
        return;
      }
      resolve(ws);
    });
  });
}

export function joinFrame(id, room, name, extra = {}) {
  return { t: 'join', id, room, name, org: 'Bench', lang: 'en', ...extra };
}

// Run `fn(item)` over `items`, at most `limit` at a time.
export async function inPool(items, limit, fn) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

// Milliseconds this process's main thread has waited for a CPU while runnable (Linux
// schedstat): a busy machine, not the load generator, when it grows.
function runQueueMs() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}

// CPU of this process between two calls: { user_ms, system_ms, waited_ms } and the wall time.
export function cpuMeter() {
  let cpu0;
  let t0;
  let wait0;
  const reset = () => {
    cpu0 = process.cpuUsage();
    t0 = nowMs();
    wait0 = runQueueMs();
  };
  reset();
  return {
    reset,
    read() {
      const d = process.cpuUsage(cpu0);
      return {
        user_ms: d.user / 1000, system_ms: d.system / 1000, waited_ms: runQueueMs() - wait0,
        wall_ms: nowMs() - t0,
      };
    },
  };
}

export function percentiles(values) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const round = (x) => Math.round(x * 1000) / 1000;
  return {
    count: sorted.length,
    p50: round(at(50)),
    p90: round(at(90)),
    p99: round(at(99)),
    max: round(sorted[sorted.length - 1]),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

// A growable Float64Array of samples, shipped between processes as base64.
export class Samples {
  constructor(capacity = 1 << 16) {
    this.data = new Float64Array(capacity);
    this.length = 0;
  }
  push(x) {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  toBase64() {
    const view = this.data.subarray(0, this.length);
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
  }
  static fromBase64(text) {
    const buf = Buffer.from(text, 'base64');
    const copy = new Uint8Array(buf).buffer; // aligned for Float64Array
    return new Float64Array(copy, 0, buf.length / 8);
  }
}
