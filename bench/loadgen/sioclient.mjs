// A socket.io client on the raw socket (rawws.mjs), for the socket.io peers of issue 17
// (bench/loadgen/peer_socketio.mjs, bench/peer_socketio.py): Engine.IO 4 over WebSocket
// only, the default namespace, the default (JSON text) parser — what a socket.io user gets.
//
// It looks like the workshop clients' socket, with decoded frames: `send({t, id, ...})`
// goes out as the event `t` with ack id `id`; an event `name` comes in as `{t: name, ...}`
// and an ack as `{...reply, re: id}`. Engine.IO pings are answered here.

import { openRawSocket } from './rawws.mjs';

// `ws://host:port/ws` (the harness's URL) → the socket.io endpoint of the same server.
export const socketIoUrl = (url) => {
  const u = new URL(url);
  return `ws://${u.host}/socket.io/?EIO=4&transport=websocket`;
};

class SocketIoClient {
  constructor(raw) {
    this.raw = raw;
    this.handlers = { message: [], close: [] };
    raw.on('message', (data) => this.packet(data.toString()));
    raw.on('close', (code) => this.emit('close', code));
  }

  on(event, fn) {
    this.handlers[event].push(fn);
  }

  removeAllListeners(event) {
    this.handlers[event] = [];
  }

  emit(event, arg) {
    for (const fn of this.handlers[event]) fn(arg);
  }

  packet(text) {
    if (text === '2') return this.raw.sendText('3'); // Engine.IO ping → pong
    if (text[0] !== '4') return undefined; // '0' open: handled by openSocketIo
    const kind = text[1];
    if (kind === '0') return this.emit('connected', text.slice(2));
    if (kind === '2') {
      const [name, payload] = JSON.parse(text.slice(2));
      return this.emit('message', { ...payload, t: name });
    }
    if (kind === '3') {
      let at = 2;
      while (text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at++;
      const [reply] = JSON.parse(text.slice(at));
      if (reply !== undefined) this.emit('message', { ...reply, re: Number(text.slice(2, at)) });
    }
    return undefined;
  }

  send(frame) {
    const { t, id, ...rest } = frame;
    this.raw.sendText(`42${id ?? ''}${JSON.stringify([t, rest])}`);
  }

  close(code = 1000) {
    this.raw.close(code);
  }
}

// Connect, and join the default namespace; resolves to a SocketIoClient.
export async function openSocketIo(url, timeoutMs = 30000) {
  const raw = await openRawSocket(socketIoUrl(url), null, timeoutMs);
  const client = new SocketIoClient(raw);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket.io connect timed out')), timeoutMs);
    client.handlers.connected = [() => {
      clearTimeout(timer);
      resolve();
    }];
    client.on('close', (code) => reject(new Error(`closed ${code} while connecting`)));
    raw.on('message', function opened(data) {
      if (data[0] === 0x30) raw.sendText('40'); // '0' open → join namespace '/'
    });
  });
  client.handlers.close = [];
  return client;
}
