// One WebSocket to the room service (PROTOCOL.md): subprotocol workshop.v1, binary msgpack
// frames, request/reply by id, join and resume by (since, epoch), events applied in seq
// order, reconnect with jittered backoff. The pattern of phoenix's socket.js + timer.js.

import { backoffDelay } from "./backoff.js";
import { decodeFrame, encodeFrame } from "./codec.js";
import { CloseCode, ErrorCode, isRetryable, shouldResume } from "./codes.js";
import { Emitter } from "./emitter.js";

export const SUBPROTOCOL = "workshop.v1";
export const CLOSE_POLICY = CloseCode.POLICY; // bad auth: stop (PROTOCOL.md close codes)
const HEARTBEAT_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000; // a socket that does not answer a ping is dead, whatever it says

/** An error reply or a local failure, with the protocol's `code` ("disconnected" is ours). */
export class CommandError extends Error {
  constructor(code, msg = code, frame = null) {
    super(msg);
    this.code = code;
    this.retryAfter = frame?.retry_after ?? null;
    this.frame = frame;
  }
}

/** The ws:// or wss:// URL of /ws on this page's host. */
export function socketUrl(loc = globalThis.location) {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}/ws`;
}

export class RoomConnection {
  /**
   * store: a RoomStore; joinFields(): {room, name, org, lang, key}; tokens: {load, save,
   * clear}; WebSocketImpl and env (online, addEventListener) can be swapped in tests.
   */
  constructor({ url, store, joinFields, tokens, WebSocketImpl = globalThis.WebSocket, env = globalThis }) {
    Object.assign(this, { url, store, joinFields, tokens, WebSocketImpl, env });
    this.ws = null;
    this.status = "connecting"; // connecting | live | down | stopped
    this.wasLive = false; // joined at least once (the header says "Connecting…" until then)
    this.failure = null; // {reason, code} once stopped
    this.nextId = 0;
    this.pending = new Map();
    this.attempt = 0;
    this.joining = false;
    this.droppedToken = false;
    this.timers = { retry: null, beat: null, pong: null };
    this.events = { status: new Emitter(), joined: new Emitter(), notice: new Emitter() };
  }

  /** Calls fn on event `name`: "status" (the new status), "joined" (the join reply) or
   * "notice" (an err reply nobody waited for); returns the unsubscribe function. */
  on(name, fn) {
    return this.events[name].on(fn);
  }

  emit(name, value) {
    this.events[name].emit(value);
  }

  setStatus(status) {
    this.status = status;
    if (status === "live") this.wasLive = true;
    this.emit("status", status);
  }

  isLive() {
    return this.status === "live";
  }

  start() {
    const env = this.env;
    if (env?.addEventListener) {
      env.addEventListener("online", () => this.reconnectNow());
      env.addEventListener("offline", () => this.abandon());
      env.document?.addEventListener?.("visibilitychange", () => {
        if (env.document.visibilityState === "visible") this.reconnectNow();
      });
    }
    this.open();
  }

  /** Leaves the room for good (fatal errors, page teardown). */
  stop(reason = null, code = null) {
    this.failure = reason ? { reason, code } : null;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    this.rejectPending();
    if (ws) this.detach(ws, 1000);
    this.setStatus("stopped");
  }

  /** After a stop (say the server refused the name), tries again with fresh join fields. */
  restart() {
    if (this.status !== "stopped") return;
    this.failure = null;
    this.droppedToken = false;
    this.attempt = 0;
    this.status = "down";
    this.open();
  }

  open() {
    if (this.status === "stopped") return;
    clearTimeout(this.timers.retry);
    this.setStatus("connecting");
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url, SUBPROTOCOL);
    } catch {
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this.ws === ws && this.sendJoin();
    ws.onmessage = (e) => this.ws === ws && this.receive(e.data);
    ws.onclose = (e) => this.ws === ws && this.dropped(e.code);
    ws.onerror = () => {}; // a close event follows; it carries what we need
    this.ws = ws;
  }

  /** Sends join; with since/epoch from the store it asks for a resume. */
  sendJoin() {
    const { since, epoch } = this.store.resumePoint();
    const fields = { ...this.joinFields(), token: this.tokens.load() ?? null, since, epoch };
    this.joining = true;
    // Handled synchronously, not through a promise: the snapshot or the replayed events
    // that follow the reply must find the store already joined.
    this.transmit("join", fields, (reply) => this.joined(reply), (err) => this.joinFailed(err, fields));
  }

  joined(reply) {
    this.joining = false;
    if (reply.token) this.tokens.save(reply.token);
    this.store.applyJoin(reply);
    this.attempt = 0;
    this.startHeartbeat();
    this.setStatus("live");
    this.emit("joined", reply);
  }

  joinFailed(err, fields) {
    this.joining = false;
    if (err.code === "disconnected") return; // the close handler reconnects
    // rate_limited, unavailable, internal (codes.js): try again later on a fresh socket.
    if (isRetryable(err.code)) return this.abandon(err.retryAfter ? err.retryAfter * 1000 : undefined);
    if (err.code === ErrorCode.UNAUTHORIZED && this.canDropToken(fields)) {
      this.sendJoin();
      return;
    }
    if (err.code === ErrorCode.UNAUTHORIZED) return this.stop("auth", err.code);
    if (err.code === ErrorCode.NOT_FOUND) return this.stop("not_found", err.code);
    // Anything else (a name the server refuses, a closed room...) will not change by itself.
    this.stop("join", err.code);
  }

  /** A participant (no role key) whose token the server no longer accepts (its secret
   * changed) starts over as a new participant once, rather than being locked out. */
  canDropToken(fields) {
    if (this.droppedToken || fields.key || fields.token == null) return false;
    this.droppedToken = true;
    this.tokens.clear();
    return true;
  }

  receive(data) {
    if (typeof data === "string") return; // the server sends binary frames only
    let frame;
    try {
      frame = decodeFrame(new Uint8Array(data));
    } catch {
      return;
    }
    switch (frame.t) {
      case "ok":
      case "pong":
      case "err":
        return this.settle(frame);
      case "snapshot":
        return this.store.applySnapshot(frame);
      case "ev":
        // On a gap, join again with since = last applied; while that join is on its way,
        // later events cannot apply either and are dropped (the replay brings them).
        if (this.store.applyEvent(frame) === "gap" && !this.joining) this.sendJoin();
        return;
      case "presence":
        return this.store.applyPresence(frame);
      case "queue":
        return this.store.applyQueue(frame);
      case "poll.results":
        return this.store.applyPollResults(frame);
      default:
        return; // unknown frames are ignored (PROTOCOL.md: extensions are fine in v1)
    }
  }

  settle(frame) {
    const waiter = frame.re != null ? this.pending.get(frame.re) : null;
    if (!waiter) {
      if (frame.t === "err") this.emit("notice", new CommandError(frame.code, frame.msg, frame));
      return;
    }
    this.pending.delete(frame.re);
    if (frame.t === "err") waiter.reject(new CommandError(frame.code, frame.msg, frame));
    else waiter.resolve(frame);
  }

  /** Sends {t, id, ...fields}; resolves with the `ok`/`pong` reply, rejects with CommandError. */
  request(t, fields = {}) {
    return new Promise((resolve, reject) => this.transmit(t, fields, resolve, reject));
  }

  /** Sends one command; exactly one of onOk(reply) / onErr(CommandError) is called later. */
  transmit(t, fields, onOk, onErr) {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) {
      queueMicrotask(() => onErr(new CommandError("disconnected")));
      return;
    }
    const id = ++this.nextId;
    this.pending.set(id, { resolve: onOk, reject: onErr });
    try {
      ws.send(encodeFrame({ t, id, ...fields }));
    } catch {
      this.pending.delete(id);
      queueMicrotask(() => onErr(new CommandError("disconnected")));
    }
  }

  rejectPending() {
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiters) w.reject(new CommandError("disconnected"));
  }

  dropped(code, delay) {
    this.ws = null;
    this.joining = false;
    this.clearTimers();
    this.rejectPending();
    if (this.status === "stopped") return;
    if (code === CloseCode.POLICY) {
      // 1008: bad auth. Stop, unless a stale participant token can be dropped once.
      const fields = { ...this.joinFields(), token: this.tokens.load() ?? null };
      if (!this.canDropToken(fields)) return this.stop("auth", code);
      return this.scheduleReconnect(0);
    }
    // 1000, 1002, 1003, 1009: what this page sends would be refused again (codes.js).
    if (!shouldResume(code)) return this.stop("closed", code);
    // 1001, 1011, 1012, 4008, 4029, lost networks and unknown codes: reconnect and resume.
    this.scheduleReconnect(delay);
  }

  /** Gives up on the current socket at once (dead, or the device went offline). */
  abandon(delay) {
    const ws = this.ws;
    if (ws) this.detach(ws, 4000);
    if (this.status === "stopped") return;
    this.dropped(1006, delay);
  }

  detach(ws, code) {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(code);
    } catch {
      /* already closed */
    }
  }

  scheduleReconnect(delay) {
    clearTimeout(this.timers.retry);
    this.setStatus("down");
    if (this.env?.navigator?.onLine === false) return; // the "online" event brings us back
    const wait = delay ?? backoffDelay(this.attempt++);
    this.timers.retry = setTimeout(() => this.open(), wait);
  }

  /** Network back or page visible again: skip the rest of the backoff. */
  reconnectNow() {
    if (this.status !== "down") return;
    this.attempt = 0;
    this.open();
  }

  startHeartbeat() {
    clearInterval(this.timers.beat);
    this.timers.beat = setInterval(() => {
      const ws = this.ws;
      clearTimeout(this.timers.pong);
      this.timers.pong = setTimeout(() => this.ws === ws && this.abandon(), PONG_TIMEOUT_MS);
      this.request("ping").then(
        () => clearTimeout(this.timers.pong),
        () => {},
      );
    }, HEARTBEAT_MS);
  }

  clearTimers() {
    clearTimeout(this.timers.retry);
    clearInterval(this.timers.beat);
    clearTimeout(this.timers.pong);
  }
}
