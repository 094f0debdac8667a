// Commands that change the room, kept until the server has answered them (USERS.md: "No
// silent loss ... an offline outbox"). Each carries a cid chosen once, so a command sent
// again after a reconnect is applied at most once (PROTOCOL.md "Commands"). Persisted in
// localStorage per room, so a reload while offline loses nothing.

import { Emitter } from "./emitter.js";

/** A random UUID v4. crypto.randomUUID exists only in secure contexts (https, localhost);
 * a workshop server on a LAN address over plain http still has getRandomValues. */
export function newCid(cryptoObj = globalThis.crypto) {
  if (typeof cryptoObj?.randomUUID === "function") return cryptoObj.randomUUID();
  const b = new Uint8Array(16);
  cryptoObj.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const MAX_ENTRIES = 500; // a bound on what one tab may pile up offline

export class Outbox {
  /** storage: the wrapper from storage.js; room: the room code. */
  constructor(storage, room, makeCid = newCid) {
    this.storage = storage;
    this.key = `workshop.outbox.${room}`;
    this.makeCid = makeCid;
    this.changes = new Emitter();
  }

  /** Entries oldest first: {cid, t, fields, at, notBefore, tries}. Read fresh each time,
   * so two tabs of the same room see each other's additions. */
  entries() {
    const list = this.storage.getJSON(this.key, []);
    return Array.isArray(list) ? list.filter((e) => e && typeof e.cid === "string" && typeof e.t === "string") : [];
  }

  size() {
    return this.entries().length;
  }

  has(cid) {
    return this.entries().some((e) => e.cid === cid);
  }

  /** Queues command t with its fields; returns the entry (with its new cid). */
  add(t, fields = {}, now = Date.now()) {
    const list = this.entries();
    if (list.length >= MAX_ENTRIES) throw Object.assign(new Error("outbox full"), { code: "too_large" });
    const entry = { cid: this.makeCid(), t, fields, at: now, notBefore: 0, tries: 0 };
    list.push(entry);
    this.save(list);
    return entry;
  }

  /** Drops the entry with this cid (the server answered it). */
  remove(cid) {
    const list = this.entries();
    const rest = list.filter((e) => e.cid !== cid);
    if (rest.length !== list.length) this.save(rest);
  }

  /** Holds the entry back until `until` (ms since epoch) and counts a try. */
  defer(cid, until) {
    const list = this.entries();
    const entry = list.find((e) => e.cid === cid);
    if (!entry) return null;
    entry.notBefore = until;
    entry.tries = (entry.tries || 0) + 1;
    this.save(list);
    return entry;
  }

  /** The latest queued intent of kind t for qid, e.g. an offline upvote not yet sent. */
  latest(t, qid) {
    const list = this.entries().filter((e) => e.t === t && e.fields?.qid === qid);
    return list.length ? list[list.length - 1] : null;
  }

  save(list) {
    if (list.length) this.storage.setJSON(this.key, list);
    else this.storage.remove(this.key);
    this.changed();
  }

  /** Tells listeners (also called when another tab changed the stored outbox). */
  changed() {
    this.changes.emit(this);
  }

  /** Calls fn(outbox) after every change; returns an unsubscribe function. */
  subscribe(fn) {
    return this.changes.on(fn);
  }
}
