// A real Yjs client of the workshop notes, for tests/notes. It speaks the real protocol
// (WebSocket subprotocol workshop.v1, msgpack frames, join, notes.sync, notes.update) with
// `ws`, `@msgpack/msgpack` and `yjs` from npm, and is driven over stdin/stdout: one JSON
// command per line in, one JSON reply per line out, each carrying the command's `id`.
//
// Commands ({"id": N, "cmd": ...}):
//   connect {url, room, name, org, key?}  join, sync by state vector, send what the server lacks
//   disconnect                           close the socket; edits stay in the Y.Doc and queue
//   insert {index, text} / delete {index, length}   a local edit (UTF-16 offsets, as in Yjs)
//   insert_word {text, r}                insert at the word boundary r (0..1) picks
//   text                                 {text}
//   flush                                wait until every queued local update is acknowledged
//   sync                                 a resync round: {sent} says whether we sent anything
//   capture {on}                         while on, local updates are kept aside, not sent
//   send_captured {order}                send kept updates by index (repeats allowed): {codes}
//   send_raw {hex}                       send bytes as a notes.update: {code}
//   settings {...}                       a moderator's settings command: {code}
//   quit
//
// Binary values go as msgpack bin; the text is compared by the Python test.

import { decode, encode } from "@msgpack/msgpack";
import { createInterface } from "node:readline";
import WebSocket from "ws";
import * as Y from "yjs";

const REMOTE = Symbol("remote");
const MERGE_LIMIT = 24 * 1024; // bytes: stay well under the 32 KiB notes.update limit

const doc = new Y.Doc();
const text = doc.getText("notes");
let ws = null;
let params = null;
let nextId = 0;
const waiting = new Map(); // request id -> resolve(reply)
let queue = []; // local updates not yet acknowledged, oldest first
let queueGen = 0; // bumped when a sync replaces the queue
let inFlight = null;
let capturing = false;
const captured = [];
const idleWaiters = [];
let lastError = null;

doc.on("update", (update, origin) => {
  if (origin === REMOTE) return;
  if (capturing) captured.push(update);
  else {
    queue.push(update);
    pump();
  }
});

function out(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function request(t, fields = {}) {
  return new Promise((resolve) => {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      resolve({ t: "err", code: "disconnected" });
      return;
    }
    const id = ++nextId;
    waiting.set(id, resolve);
    ws.send(encode({ t, id, ...fields }));
  });
}

function cid() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${nextId}`;
}

function receive(data) {
  const frame = decode(new Uint8Array(data));
  if ((frame.t === "ok" || frame.t === "err" || frame.t === "pong") && waiting.has(frame.re)) {
    const resolve = waiting.get(frame.re);
    waiting.delete(frame.re);
    resolve(frame);
    return;
  }
  if (frame.t === "ev" && frame.type === "notes.update" && frame.data?.u) {
    Y.applyUpdate(doc, frame.data.u, REMOTE);
  }
}

/** Sends queued local updates one at a time (merged while small), in order. */
async function pump() {
  if (inFlight || !queue.length || !ws || ws.readyState !== WebSocket.OPEN || !joined) {
    if (!queue.length && !inFlight) settleIdle();
    return;
  }
  let n = 1;
  let merged = queue[0];
  while (n < queue.length) {
    const next = Y.mergeUpdates([merged, queue[n]]);
    if (next.length > MERGE_LIMIT) break;
    merged = next;
    n++;
  }
  const gen = queueGen;
  inFlight = { merged, n };
  const reply = await request("notes.update", { cid: cid(), u: merged });
  inFlight = null;
  if (reply.t === "ok") {
    if (gen === queueGen) queue = queue.slice(n);
  } else if (reply.code === "rate_limited") {
    await new Promise((r) => setTimeout(r, (reply.retry_after || 0.5) * 1000));
  } else if (reply.code !== "disconnected") {
    lastError = reply.code;
    if (gen === queueGen) queue = queue.slice(n); // refused for good: not sent again
  }
  if (reply.code === "disconnected") return;
  pump();
}

function settleIdle() {
  while (idleWaiters.length) idleWaiters.shift()();
}

let joined = false;

function open() {
  return new Promise((resolve, reject) => {
    const sock = new WebSocket(params.url, "workshop.v1", { perMessageDeflate: false });
    sock.binaryType = "arraybuffer";
    sock.on("message", (data) => ws === sock && receive(data));
    sock.on("close", () => {
      if (ws !== sock) return;
      ws = null;
      joined = false;
      for (const resolveReply of waiting.values()) resolveReply({ t: "err", code: "disconnected" });
      waiting.clear();
    });
    sock.on("error", (e) => reject(e));
    sock.on("open", () => {
      ws = sock;
      resolve();
    });
  });
}

/** Sync by state vector: apply what we lack, then send what the server lacks. */
async function sync() {
  const reply = await request("notes.sync", { sv: Y.encodeStateVector(doc) });
  if (reply.t !== "ok") throw new Error(`notes.sync: ${reply.code}`);
  Y.applyUpdate(doc, reply.u, REMOTE);
  const server = Y.decodeStateVector(reply.sv);
  const mine = Y.decodeStateVector(Y.encodeStateVector(doc));
  let lacks = false;
  for (const [client, clock] of mine) if ((server.get(client) ?? 0) < clock) lacks = true;
  if (!lacks && !queue.length) return false;
  // Everything the server lacks (our queued updates included) in one update.
  queue = [Y.encodeStateAsUpdate(doc, reply.sv)];
  queueGen++;
  pump();
  return true;
}

async function connect() {
  await open();
  const reply = await request("join", {
    room: params.room,
    name: params.name,
    org: params.org ?? "",
    lang: "en",
    key: params.key ?? null,
    token: params.token ?? null,
  });
  if (reply.t !== "ok") throw new Error(`join: ${reply.code} ${reply.msg}`);
  params.token = reply.token;
  joined = true;
  return sync();
}

function whenIdle() {
  return new Promise((resolve) => {
    if (!queue.length && !inFlight) resolve();
    else {
      idleWaiters.push(resolve);
      pump();
    }
  });
}

/** An index moved off the middle of a surrogate pair (an emoji is two UTF-16 units). */
function safeIndex(index) {
  const s = text.toString();
  const before = s.charCodeAt(index - 1);
  return index > 0 && before >= 0xd800 && before <= 0xdbff ? index - 1 : index;
}

const handlers = {
  async connect(cmd) {
    params = { ...params, ...cmd };
    const sent = await connect();
    return { sent };
  },
  async disconnect() {
    const sock = ws;
    if (sock) {
      await new Promise((resolve) => {
        sock.once("close", resolve);
        sock.close();
      });
    }
    return {};
  },
  async insert({ index, text: s }) {
    text.insert(safeIndex(Math.min(index, text.length)), s);
    return { text: text.toString() };
  },
  // Insert at a word boundary picked by r in [0, 1): the start, after a space or a
  // newline, or the end. Picked and inserted in one step, so no remote edit comes between.
  async insert_word({ text: s, r }) {
    const current = text.toString();
    const bounds = [0];
    for (let i = 0; i < current.length; i++) if (current[i] === " " || current[i] === "\n") bounds.push(i + 1);
    text.insert(bounds[Math.floor(r * bounds.length)], s);
    return { text: text.toString() };
  },
  async delete({ index, length }) {
    const start = safeIndex(index);
    const end = safeIndex(Math.min(text.length, index + length));
    if (end > start) text.delete(start, end - start);
    return { text: text.toString() };
  },
  async text() {
    return { text: text.toString(), queued: queue.length, error: lastError };
  },
  async flush() {
    await whenIdle();
    return { text: text.toString(), error: lastError };
  },
  async sync() {
    return { sent: await sync() };
  },
  async capture({ on }) {
    capturing = Boolean(on);
    return { captured: captured.length };
  },
  async send_captured({ order }) {
    const codes = [];
    for (const i of order) {
      const reply = await request("notes.update", { cid: cid(), u: captured[i] });
      codes.push(reply.t === "ok" ? "ok" : reply.code);
    }
    return { codes };
  },
  async send_raw({ hex }) {
    const reply = await request("notes.update", { cid: cid(), u: Buffer.from(hex, "hex") });
    return { code: reply.t === "ok" ? "ok" : reply.code, msg: reply.msg ?? null };
  },
  async settings(fields) {
    const { id, cmd, ...rest } = fields;
    const reply = await request("settings", { cid: cid(), ...rest });
    return { code: reply.t === "ok" ? "ok" : reply.code };
  },
  async ping() {
    const reply = await request("ping");
    return { t: reply.t, code: reply.code ?? null };
  },
  async quit() {
    if (ws) ws.close();
    setTimeout(() => process.exit(0), 50);
    return {};
  },
};

// Commands run one after another, in the order they came.
let chain = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const cmd = JSON.parse(line);
  chain = chain.then(async () => {
    try {
      const result = await handlers[cmd.cmd](cmd);
      out({ id: cmd.id, ok: true, ...result });
    } catch (e) {
      out({ id: cmd.id, ok: false, error: String(e?.message ?? e) });
    }
  });
});
