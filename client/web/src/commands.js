// Sends the outbox: every command that changes the room goes through it, is sent once per
// connection after join (with its original cid), and leaves it only when the server has
// answered. A few in flight at a time, so a long offline queue does not trip the server's
// 20 commands/s limit (docs/protocol.md (Part 2) "Limits"). Which refusals are worth a
// retry is protocol/codes.py's call, through codes.js.

import { ErrorCode, isRetryable } from "./codes.js";
import { Emitter } from "./emitter.js";

const WINDOW = 8;
const RETRY_MS = 2_000;
const MAX_TRIES = 5;

export class Commands {
  /** connection: RoomConnection; outbox: Outbox; store: RoomStore. */
  constructor({ connection, outbox, store }) {
    Object.assign(this, { connection, outbox, store });
    this.inFlight = new Set();
    this.waiters = new Map();
    this.outcomes = new Emitter();
    this.timer = null;
    connection.on("joined", () => this.pump());
    outbox.subscribe(() => this.pump());
  }

  /** Calls fn({entry, reply} | {entry, error, final}) for every answer, including ones for
   * commands queued before a reload (which have no waiting promise). */
  onOutcome(fn) {
    return this.outcomes.on(fn);
  }

  emit(outcome) {
    this.outcomes.emit(outcome);
  }

  /**
   * Queues command t (ask, vote, withdraw, moderate, edit, answer, settings, room.close,
   * room.open ...) and sends it when live. Resolves with the `ok` reply; rejects with the
   * final CommandError. While offline the promise simply waits.
   */
  send(t, fields = {}) {
    let entry;
    try {
      entry = this.outbox.add(t, fields);
    } catch (error) {
      return Promise.reject(error);
    }
    // The outbox's change listener has already pumped; replies arrive in a later task,
    // after this waiter is in place.
    return new Promise((resolve, reject) => this.waiters.set(entry.cid, { resolve, reject }));
  }

  /** Sends due entries, oldest first, up to WINDOW in flight. */
  pump() {
    if (!this.connection.isLive()) return;
    const now = Date.now();
    let nextDue = Infinity;
    for (const entry of this.outbox.entries()) {
      if (this.inFlight.size >= WINDOW) break;
      if (this.inFlight.has(entry.cid)) continue;
      if (entry.notBefore > now) {
        nextDue = Math.min(nextDue, entry.notBefore);
        continue;
      }
      this.dispatch(entry);
    }
    clearTimeout(this.timer);
    if (nextDue !== Infinity) this.timer = setTimeout(() => this.pump(), nextDue - now + 10);
  }

  dispatch(entry) {
    this.inFlight.add(entry.cid);
    this.connection.request(entry.t, { cid: entry.cid, ...entry.fields }).then(
      (reply) => this.succeeded(entry, reply),
      (error) => this.failed(entry, error),
    );
  }

  succeeded(entry, reply) {
    this.inFlight.delete(entry.cid);
    if (entry.t === "vote") this.store.applyVoteReply(entry.fields.qid, entry.fields.up);
    if (entry.t === "ask") this.store.applyAskReply(reply.qid);
    this.settle(entry, { reply });
    this.outbox.remove(entry.cid);
  }

  failed(entry, error) {
    this.inFlight.delete(entry.cid);
    if (error.code === "disconnected") return; // stays queued; goes out after the next join
    if (error.code === ErrorCode.RATE_LIMITED) {
      // Not in the log (rate is a stateless check), so the same cid can go again later.
      const wait = Math.max(1, Number(error.retryAfter) || 1) * 1000;
      this.emit({ entry, error, final: false });
      this.outbox.defer(entry.cid, Date.now() + wait);
      return;
    }
    // unavailable, internal: the same cid again, so the server applies it at most once.
    if (isRetryable(error.code) && (entry.tries || 0) < MAX_TRIES) {
      this.emit({ entry, error, final: false });
      this.outbox.defer(entry.cid, Date.now() + RETRY_MS * 2 ** (entry.tries || 0));
      return;
    }
    this.settle(entry, { error, final: true });
    this.outbox.remove(entry.cid);
  }

  settle(entry, outcome) {
    const waiter = this.waiters.get(entry.cid);
    this.waiters.delete(entry.cid);
    this.emit({ entry, ...outcome });
    if (!waiter) return;
    if (outcome.error) waiter.reject(outcome.error);
    else waiter.resolve(outcome.reply);
  }

  /**
   * Drops queued entries of kind t that `match` and that are not on the wire yet: a newer
   * intent replaces them (a poll vote changed again while offline). Their promises
   * reject with "superseded".
   */
  supersede(t, match) {
    for (const entry of this.outbox.entries()) {
      if (entry.t !== t || this.inFlight.has(entry.cid) || !match(entry.fields)) continue;
      this.outbox.remove(entry.cid);
      const waiter = this.waiters.get(entry.cid);
      this.waiters.delete(entry.cid);
      waiter?.reject(Object.assign(new Error("superseded"), { code: "superseded" }));
    }
  }

  /** Unanswered entries of kind t, for showing what is not yet sent. */
  queued(t) {
    return this.outbox.entries().filter((e) => e.t === t);
  }
}
