// A Node socket.io peer for issue 17's comparisons: one room, speaking just enough of the
// workshop's commands (as events) for the same load generator (sioclient.mjs).
//
//   node peer_socketio.mjs PORT
//
// `join` gets an `ok` and an empty `snapshot` event; every `ask` appends one event that is
// broadcast with `io.to(room).emit('ev', ...)` (socket.io encodes it once for the room),
// then its sender's ack. No storage, no fold: socket.io's own cost, as the reference
// server (bench/reference_server.py) is `websockets.broadcast()`'s.

import { Server } from 'socket.io';

const port = Number(process.argv[2] || 8200);
const io = new Server(port, {
  transports: ['websocket'], perMessageDeflate: false, maxHttpBufferSize: 2 ** 20,
  pingInterval: 20000, pingTimeout: 20000, serveClient: false,
});
let head = 0;

io.on('connection', (socket) => {
  socket.on('join', (frame) => {
    socket.join('room');
    socket.emit('ok', { re: frame.id ?? 1, seq: head, epoch: 'reference' });
    socket.emit('snapshot', { seq: head, state: {} });
  });
  socket.on('ask', (frame, ack) => {
    head += 1;
    const data = { qid: `q${head}`, text: frame.text, lang: 'en', author: null, status: 'live',
      votes: 0, answer: null, ts: Date.now() / 1000 };
    io.to('room').emit('ev', { seq: head, ts: Date.now() / 1000, type: 'question.asked', data });
    if (typeof ack === 'function') ack({ t: 'ok', seq: head });
  });
});
console.log(`socket.io peer on port ${port}`);
