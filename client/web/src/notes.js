// The room's shared notes without the DOM: a Yjs document (Y.Text "notes") kept in step
// with the server over the room's connection (PROTOCOL.md notes.sync / notes.update;
// docs/protocol.md Part 2 "Notes").
//
// - After every join (first join, rejoin, resume) and every 30 s: `notes.sync` with our
//   state vector; apply the `u` reply; send as `notes.update` whatever the server lacks.
//   That is also how edits made offline (or before a reload) reach the room.
// - Local edits are queued as Yjs updates and sent one `notes.update` at a time, merged
//   while small (each under the 32 KiB limit), at most every SEND_GAP_MS. The queue is
//   kept in localStorage until the server has acknowledged it, so a reload loses nothing.
// - Remote updates (`notes.update` events, sync replies) are applied with the REMOTE
//   origin, which the textarea binding tells apart from its own edits. While the editor
//   holds them (an IME composition is in progress) they wait, in order.
// - A final refusal (forbidden: the notes were locked; too_large; room_closed...) means
//   the server will never take those edits: the document is rebuilt from the server's.

import * as Y from "yjs";

import { isRetryable } from "./codes.js";
import { Emitter } from "./emitter.js";

export const TEXT_NAME = "notes";
export const REMOTE = "remote"; // transaction origin of everything that came from the server
export const TEXT_LIMIT = 256 * 1024; // UTF-8 bytes of text (server/rooms/notes.py)
export const UPDATE_LIMIT = 32 * 1024; // bytes per notes.update (protocol/messages.py)
const MERGE_LIMIT = 24 * 1024; // merge queued updates while the result stays under this
const SEND_GAP_MS = 120; // at most ~8 notes.update a second: the room's rate limit is 20/s
const RESYNC_MS = 30_000;
const EDITING_MS = 4_000; // how long "X is editing…" stays after X's last update
const PERSIST_MS = 250;

/** Bytes <-> base64, for localStorage. */
export function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export class NotesSync {
  /**
   * connection: RoomConnection (request, on("joined"), isLive); store: RoomStore (events);
   * storage: the storage.js wrapper; code: room code; newCid(): a command id.
   */
  constructor({ connection, store, storage, code, newCid, now = () => Date.now(), timers = globalThis }) {
    Object.assign(this, { connection, store, storage, newCid, now, timers });
    this.key = `workshop.notes.${code}`;
    this.queue = []; // local updates not yet acknowledged, oldest first
    this.queueGen = 0; // bumped when a sync or a reset replaces the queue
    this.inFlight = 0; // how many queued updates the notes.update on the wire carries
    this.notBefore = 0;
    this.syncing = false;
    this.resyncWanted = false;
    this.held = null; // remote updates waiting for the end of an IME composition
    this.editors = new Map(); // "name\u0000org" -> {name, org, at}
    this.error = null; // {code} of the last final refusal
    this.changes = new Emitter();
    this.beforeRemote = () => {}; // the editor flushes its textarea's pending input here
    this.timer = null;
    this.persistTimer = null;
    this.makeDoc();
    this.restore();
  }

  makeDoc() {
    this.doc = new Y.Doc();
    this.text = this.doc.getText(TEXT_NAME);
    this.doc.on("update", (update, origin) => {
      if (origin === REMOTE) return;
      this.queue.push(update);
      this.queueChanged();
      this.pump();
    });
  }

  /** Starts following the connection and the room's events. */
  start() {
    this.connection.on("joined", () => this.resync());
    this.connection.on("status", () => this.emit({ kind: "status" }));
    this.store.subscribe((change) => {
      if (change.kind === "event" && change.type === "notes.update") this.remoteEvent(change.data);
    });
    this.interval = this.timers.setInterval(() => this.resync(), RESYNC_MS);
    const persistNow = () => this.persist();
    globalThis.addEventListener?.("pagehide", persistNow);
    if (this.connection.isLive()) this.resync();
  }

  /** Calls fn(change) after every change ({kind: "status" | "synced" | "doc" | "editors"});
   * returns an unsubscribe function. */
  on(fn) {
    return this.changes.on(fn);
  }

  emit(change) {
    this.changes.emit(change);
  }

  // -- remote -------------------------------------------------------------------------

  remoteEvent(data) {
    if (!(data.u instanceof Uint8Array)) return;
    const by = data.by;
    const me = this.store.me;
    if (by && typeof by.name === "string" && !(me && by.name === me.name && (by.org ?? "") === (me.org ?? ""))) {
      this.editors.set(`${by.name}\u0000${by.org ?? ""}`, { name: by.name, org: by.org ?? "", at: this.now() });
      this.timers.setTimeout(() => this.emit({ kind: "editors" }), EDITING_MS + 50);
    }
    this.applyRemote(data.u);
    this.emit({ kind: "editors" });
  }

  /** Applies an update from the server, or holds it while the editor composes. */
  applyRemote(update) {
    if (this.held) {
      this.held.push(update);
      return;
    }
    this.beforeRemote();
    Y.applyUpdate(this.doc, update, REMOTE);
  }

  /** compositionstart: remote updates wait until `release()`. */
  hold() {
    if (!this.held) this.held = [];
  }

  /** compositionend (after the editor applied its own change): the held updates, in order. */
  release() {
    const held = this.held || [];
    this.held = null;
    for (const update of held) this.applyRemote(update);
  }

  /** People who changed the notes in the last few seconds (not us), oldest first. */
  activeEditors() {
    const cutoff = this.now() - EDITING_MS;
    return [...this.editors.values()].filter((e) => e.at >= cutoff);
  }

  // -- sync -----------------------------------------------------------------------------

  /** notes.sync by state vector; then send what the server lacks. */
  resync() {
    if (!this.connection.isLive()) return;
    if (this.syncing) {
      this.resyncWanted = true;
      return;
    }
    this.syncing = true;
    this.connection.request("notes.sync", { sv: Y.encodeStateVector(this.doc) }).then(
      (reply) => {
        this.syncing = false;
        if (reply.u instanceof Uint8Array) this.applyRemote(reply.u);
        if (reply.sv instanceof Uint8Array) this.sendWhatServerLacks(reply.sv);
        this.emit({ kind: "synced" });
        this.again();
      },
      () => {
        this.syncing = false;
        this.again();
      },
    );
  }

  again() {
    if (this.resyncWanted) {
      this.resyncWanted = false;
      this.resync();
    } else this.pump();
  }

  sendWhatServerLacks(serverSv) {
    const server = Y.decodeStateVector(serverSv);
    const mine = Y.decodeStateVector(Y.encodeStateVector(this.doc));
    const lacking = [...mine].filter(([client, clock]) => (server.get(client) ?? 0) < clock);
    if (!lacking.length) return;
    const whole = Y.encodeStateAsUpdate(this.doc, serverSv);
    if (whole.length <= MERGE_LIMIT) {
      // Everything the server lacks, our queued edits included (the delete set is whole).
      this.queue = [whole];
    } else {
      // Too big for one update: our own queued edits as they are, and per other client
      // what the server lacks of it.
      const ownClients = new Set(this.queue.flatMap((u) => [...Y.decodeStateVector(Y.encodeStateVectorFromUpdate(u)).keys()]));
      for (const [client] of lacking) {
        if (ownClients.has(client) || client === this.doc.clientID) continue;
        const target = new Map(mine);
        target.set(client, server.get(client) ?? 0);
        this.queue.push(Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(target)));
      }
    }
    this.queueGen++;
    this.queueChanged();
  }

  // -- sending ----------------------------------------------------------------------------

  pump() {
    if (this.inFlight || !this.queue.length || !this.connection.isLive()) return;
    const wait = this.notBefore - this.now();
    if (wait > 0) {
      this.timers.clearTimeout(this.timer);
      this.timer = this.timers.setTimeout(() => this.pump(), wait);
      return;
    }
    let n = 1;
    let merged = this.queue[0];
    while (n < this.queue.length) {
      const next = Y.mergeUpdates([merged, this.queue[n]]);
      if (next.length > MERGE_LIMIT) break;
      merged = next;
      n++;
    }
    const gen = this.queueGen;
    this.inFlight = n;
    this.notBefore = this.now() + SEND_GAP_MS;
    this.emit({ kind: "status" });
    this.connection.request("notes.update", { cid: this.newCid(), u: merged }).then(
      () => this.sent(gen, n, null),
      (error) => this.sent(gen, n, error),
    );
  }

  sent(gen, n, error) {
    this.inFlight = 0;
    const code = error?.code;
    if (!error) {
      if (gen === this.queueGen) this.queue = this.queue.slice(n);
      this.error = null;
    } else if (isRetryable(code)) { // codes.js; anything else but "disconnected" is final
      this.notBefore = this.now() + Math.max(1, Number(error.retryAfter) || 1) * 1000;
    } else if (code !== "disconnected") {
      this.error = { code };
      this.reset();
      return;
    }
    this.queueChanged();
    this.pump();
  }

  /** The server refused our edits for good: start over from its document. */
  reset() {
    this.doc.destroy();
    this.queue = [];
    this.queueGen++;
    this.held = this.held ? [] : null;
    this.makeDoc();
    this.queueChanged();
    this.emit({ kind: "doc" });
    this.resync();
  }

  // -- state ------------------------------------------------------------------------------

  /** "saved" | "saving" | "offline", and how many local changes are not acknowledged. */
  status() {
    const waiting = this.queue.length;
    if (!this.connection.isLive()) return { state: "offline", waiting };
    return { state: waiting || this.inFlight ? "saving" : "saved", waiting };
  }

  queueChanged() {
    this.timers.clearTimeout(this.persistTimer);
    this.persistTimer = this.timers.setTimeout(() => this.persist(), PERSIST_MS);
    this.emit({ kind: "status" });
  }

  /** The queue, merged, in localStorage (removed once everything is acknowledged). */
  persist() {
    this.timers.clearTimeout(this.persistTimer);
    if (!this.queue.length) this.storage.remove(this.key);
    else this.storage.set(this.key, toBase64(Y.mergeUpdates(this.queue)));
  }

  /** Edits a previous page left unacknowledged: into the document and the queue. */
  restore() {
    const stored = this.storage.get(this.key);
    if (!stored) return;
    try {
      const update = fromBase64(stored);
      Y.applyUpdate(this.doc, update, REMOTE); // may wait (pending) until the sync brings its context
      this.queue = [update];
    } catch {
      this.storage.remove(this.key);
    }
  }
}
