// A minimal RFC 6455 client for the subscribers: the handshake, unmasked server frames
// in, masked client frames out, ping → pong, and the closing handshake. Nothing else.
//
// Why not `ws` here: at 1,000 subscribers × 20 events/s the load generator spent ~31 µs
// per delivered frame with `ws` (its Receiver is a Writable stream), more than the
// server spent sending it (~20 µs), so the latency scenario measured the generator.
// Parsing frames straight out of the socket's chunks removes that stream machinery.
// The publisher and the join-cost clients keep `ws`.
//
// The interface is the part of `ws` the subscribers use: on('message' | 'close'),
// send(bytes), close(code).

import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const MAX_PAYLOAD = 256 * 2 ** 20;

export class RawWebSocket {
  constructor(socket) {
    this.socket = socket;
    this.rest = null; // the start of a frame that has not fully arrived
    this.parts = []; // the fragments of a message in progress
    this.handlers = { message: [], close: [] };
    this.closeSent = false;
    this.closeCode = null;
    socket.on('data', (chunk) => this.feed(chunk));
    socket.on('error', () => {}); // reported through 'close'
    socket.on('close', () => this.finish(this.closeCode ?? 1006));
  }

  on(event, fn) {
    this.handlers[event].push(fn);
  }

  emit(event, arg) {
    for (const fn of this.handlers[event]) fn(arg);
  }

  feed(chunk) {
    const buf = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    let at = 0;
    for (;;) {
      const left = buf.length - at;
      if (left < 2) break;
      const b1 = buf[at + 1];
      if (b1 & 0x80) {
        this.fail(1002); // a server must not mask its frames
        return;
      }
      let size = b1 & 0x7f;
      let head = 2;
      if (size === 126) {
        if (left < 4) break;
        size = buf.readUInt16BE(at + 2);
        head = 4;
      } else if (size === 127) {
        if (left < 10) break;
        size = Number(buf.readBigUInt64BE(at + 2));
        head = 10;
      }
      if (size > MAX_PAYLOAD) {
        this.fail(1009); // as `ws` with the `maxPayload` the other clients use
        return;
      }
      if (left < head + size) break;
      const b0 = buf[at];
      const payload = buf.subarray(at + head, at + head + size);
      at += head + size;
      this.frame(b0 & 0x80, b0 & 0x0f, payload);
    }
    this.rest = at < buf.length ? buf.subarray(at) : null;
  }

  frame(fin, opcode, payload) {
    if (opcode === OP_BINARY || opcode === OP_TEXT || opcode === OP_CONT) {
      if (!fin) {
        this.parts.push(payload);
        return;
      }
      if (this.parts.length > 0) {
        this.parts.push(payload);
        payload = Buffer.concat(this.parts);
        this.parts = [];
      }
      this.emit('message', payload);
    } else if (opcode === OP_CLOSE) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (!this.closeSent) this.sendFrame(OP_CLOSE, payload.subarray(0, 2));
      this.closeSent = true;
      this.socket.end();
    } else if (opcode === OP_PING) {
      this.sendFrame(0xa, payload);
    }
  }

  sendFrame(opcode, data) {
    if (this.socket.destroyed) return;
    const size = data.length;
    const head = size < 126 ? 6 : size < 65536 ? 8 : 14;
    const out = Buffer.allocUnsafe(head + size);
    out[0] = 0x80 | opcode;
    if (size < 126) {
      out[1] = 0x80 | size;
    } else if (size < 65536) {
      out[1] = 0x80 | 126;
      out.writeUInt16BE(size, 2);
    } else {
      out[1] = 0x80 | 127;
      out.writeBigUInt64BE(BigInt(size), 2);
    }
    const mask = randomBytes(4);
    mask.copy(out, head - 4);
    for (let i = 0; i < size; i++) out[head + i] = data[i] ^ mask[i & 3];
    this.socket.write(out);
  }

  send(bytes) {
    this.sendFrame(OP_BINARY, bytes);
  }

  sendText(text) {
    this.sendFrame(OP_TEXT, Buffer.from(text));
  }

  close(code = 1000) {
    if (this.closeSent) return;
    this.closeSent = true;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code, 0);
    this.sendFrame(OP_CLOSE, payload);
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  fail(code) {
    this.closeCode = code;
    this.socket.destroy();
  }

  finish(code) {
    if (this.finished) return;
    this.finished = true;
    this.emit('close', code);
  }
}

// Connect and complete the opening handshake for `subprotocol` (null: none, for the
// socket.io peers); resolves to a RawWebSocket.
export function openRawSocket(url, subprotocol, timeoutMs = 30000) {
  const target = new URL(url);
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.hostname, port: Number(target.port) || 80 });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('handshake timed out'));
    }, timeoutMs);
    let head = Buffer.alloc(0);
    const fail = (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeListener('data', onData);
      socket.removeListener('error', fail);
      clearTimeout(timer);
      const [status, ...lines] = head.toString('latin1', 0, end).split('\r\n');
      const headers = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      if (!/^HTTP\/1\.1 101 /.test(status)) return fail(new Error(`handshake refused: ${status}`));
      if (headers['sec-websocket-accept'] !== accept) return fail(new Error('bad Sec-WebSocket-Accept'));
      if (subprotocol !== null && headers['sec-websocket-protocol'] !== subprotocol) {
        return fail(new Error(`server did not select ${subprotocol}`));
      }
      const ws = new RawWebSocket(socket);
      const early = head.subarray(end + 4);
      resolve(ws);
      if (early.length > 0) setImmediate(() => ws.feed(early)); // after the caller's handlers
    };
    socket.on('data', onData);
    socket.on('error', fail);
    socket.once('connect', () => {
      socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
          (subprotocol === null ? '' : `Sec-WebSocket-Protocol: ${subprotocol}\r\n`) + '\r\n',
      );
    });
  });
}
