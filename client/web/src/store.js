// Room state as this viewer sees it: the snapshot plus every event applied in seq order
// (PROTOCOL.md "Events", docs/protocol.md (Part 2) "Event data" and "Snapshot state"). Pure: no DOM, no
// socket. The connection feeds it frames; the views read it and re-render on change.

import { Emitter } from "./emitter.js";
import { defineText, setFallbackOrder, wireText } from "./lang-text.js";
import { setRegistry } from "./organisations.js";
import { emptyResults, pollOrder } from "./polls.js";

export const STAFF_ROLES = ["moderator", "rapporteur"];
export const PUBLIC_STATUSES = ["live", "answered"];
const DEFAULT_SETTINGS = { premoderation: false, anonymous_allowed: true, notes_locked: false };

/** The seq a qid was created at ("q17" -> 17), for the "Recent" order. */
export function qidOrder(qid) {
  const n = Number(String(qid).replace(/^[a-z]+/i, ""));
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

function normaliseQuestion(raw, ts) {
  return {
    qid: String(raw.qid),
    text: String(raw.text ?? ""),
    lang: raw.lang ?? null,
    author: raw.author ?? null,
    status: raw.status ?? "live",
    votes: Number(raw.votes ?? 0),
    answer: raw.answer ?? null,
    ts: raw.ts ?? ts ?? null,
    edited: raw.edited === true,
    // field ("text" | "answer") -> lang -> text, and -> "interpreter" | "moderator" (issue 14)
    translations: copyNested(raw.translations),
    translatedBy: copyNested(raw.translated_by),
    order: qidOrder(raw.qid),
  };
}

function copyNested(value) {
  const out = {};
  if (value && typeof value === "object") {
    for (const [field, byLang] of Object.entries(value)) if (byLang && typeof byLang === "object") out[field] = { ...byLang };
  }
  return out;
}

/** A poll as the store keeps it: the wire fields, its results (null while hidden from us),
 * `order` (creation seq) and `changed` (seq of its latest status event, for the presenter). */
function normalisePoll(raw, changed) {
  const poll = {
    poll_id: String(raw.poll_id),
    kind: raw.kind ?? "single",
    status: raw.status ?? "draft",
    hide_results: Boolean(raw.hide_results),
    hide_until_voted: Boolean(raw.hide_until_voted),
    seconds: Number.isInteger(raw.seconds) ? raw.seconds : null,
    closes_ts: typeof raw.closes_ts === "number" ? raw.closes_ts : null,
    hidden_words: Array.isArray(raw.hidden_words) ? [...raw.hidden_words] : [],
    results: raw.results ?? null,
    order: pollOrder(raw.poll_id),
    changed: changed ?? raw.changed ?? pollOrder(raw.poll_id),
  };
  // title and options: strings or language maps; read in the interface language
  defineText(poll, "title", wireText(raw.title ?? ""));
  return defineText(poll, "options", Array.isArray(raw.options) ? raw.options.map(wireText) : []);
}

/** The room as the welcome (or /api/rooms) names it; its and its event's titles may be
 * language maps, read in the interface language; `prompts`: its guiding questions;
 * `slot`: its `starts`/`ends` (ISO 8601 with offset, or null; issue 14). */
export function roomInfo(code, title, event, prompts = [], slot = {}) {
  setFallbackOrder(event?.languages);
  if (event) setRegistry(event.organisations); // organisations named in the reader's language
  const { starts = null, ends = null } = slot ?? {};
  const room = defineText({ code, prompts: Array.isArray(prompts) ? prompts : [], starts, ends }, "title", title ?? "");
  room.event = event ? defineText({ ...event }, "title", event.title ?? "") : event;
  return room;
}

/** Orders questions: "top" by votes (ties: older first), "recent" newest first. */
export function sortQuestions(list, mode = "top") {
  const copy = [...list];
  if (mode === "recent") return copy.sort((a, b) => b.order - a.order);
  return copy.sort((a, b) => b.votes - a.votes || a.order - b.order);
}

// One function per event type; `this` is the store. Unknown types only advance seq
// (PROTOCOL.md: receivers ignore unknown event types).
const EVENT_HANDLERS = {
  hidden() {},
  "question.asked"(data, ts) {
    if (data.qid == null) return;
    this.questions.set(String(data.qid), normaliseQuestion(data, ts));
    if (data.mine === true) this.mine.questions.add(String(data.qid));
  },
  "question.voted"(data) {
    const q = this.questions.get(data.qid);
    if (q && data.votes != null) q.votes = Number(data.votes);
    if (data.voted === true) this.mine.votes.add(data.qid);
    if (data.voted === false) this.mine.votes.delete(data.qid);
  },
  "question.status"(data, ts) {
    if (data.question) {
      const before = this.questions.get(data.question.qid);
      this.questions.set(String(data.question.qid), normaliseQuestion(data.question, before?.ts ?? ts));
    }
    const q = this.questions.get(data.qid);
    if (q && data.status) q.status = data.status;
    if (data.unpinned === true && this.pinned === data.qid) this.pinned = null;
    if (this.pinned === data.qid && !PUBLIC_STATUSES.includes(data.status)) this.pinned = null;
  },
  "question.edited"(data) {
    const q = this.questions.get(data.qid);
    if (q && data.text != null) q.text = String(data.text);
    if (q && data.edited === true) q.edited = true;
    if (q) delete q.translations.text; // they translated the words before (as the server does)
  },
  "question.answer"(data) {
    const q = this.questions.get(data.qid);
    if (q) q.answer = data.text ?? null;
    if (q) delete q.translations.answer;
  },
  "question.translated"(data) {
    const q = this.questions.get(data.qid);
    if (!q || !data.field || !data.lang) return;
    (q.translations[data.field] ??= {})[data.lang] = String(data.text ?? "");
    (q.translatedBy[data.field] ??= {})[data.lang] = data.by === "moderator" ? "moderator" : "interpreter";
  },
  "question.pinned"(data, ts) {
    // After `moderate next`: the question it marked answered, then the new pin.
    if (data.answered) EVENT_HANDLERS["question.status"].call(this, data.answered, ts);
    this.pinned = data.qid ?? null;
  },
  "poll.created"(data, ts, seq) {
    // A new draft, or a draft edited (poll.edit): staff only, and a draft has no votes.
    const raw = data.poll;
    if (!raw?.poll_id) return;
    const before = this.polls.get(raw.poll_id);
    const poll = normalisePoll({ ...before, ...raw }, seq);
    poll.results = this.takeStashedResults(poll.poll_id) ?? emptyResults(poll.kind, poll.options);
    this.polls.set(poll.poll_id, poll);
  },
  "poll.status"(data, ts, seq) {
    if (data.poll_id == null) return;
    const before = this.polls.get(data.poll_id);
    const poll = normalisePoll({ ...before, ...(data.poll || {}), poll_id: data.poll_id, status: data.status }, seq);
    poll.results = before?.results ?? null;
    if (data.results) poll.results = { counts: data.results.counts, voters: data.results.voters };
    if (poll.status === "open" && !this.isStaff() && (poll.hide_results || (poll.hide_until_voted && this.myPollVote(poll.poll_id) == null))) {
      poll.results = null; // hidden again when a poll that hides its results reopens
    } else if (!poll.results) {
      poll.results = this.takeStashedResults(poll.poll_id) ?? (before ? null : emptyResults(poll.kind, poll.options));
    }
    this.polls.set(poll.poll_id, poll);
  },
  "poll.on_screen"(data) {
    this.onScreen = data.poll_id ?? null;
  },
  "poll.deleted"(data) {
    if (data.poll_id == null) return;
    if (this.onScreen === data.poll_id) this.onScreen = null; // the fold cleared it too
    this.polls.delete(data.poll_id);
    this.pollResults.delete(data.poll_id);
    delete this.mine.pollVotes[data.poll_id];
  },
  "poll.voted"(data) {
    if (data.poll_id != null) this.mine.pollVotes[data.poll_id] = data.choice;
  },
  "poll.word_hidden"(data) {
    const poll = this.polls.get(data.poll_id);
    if (!poll || typeof data.word !== "string") return;
    const hidden = new Set(poll.hidden_words);
    if (data.hidden === false) hidden.delete(data.word);
    else hidden.add(data.word);
    poll.hidden_words = [...hidden].sort();
    // The count of a word shown again comes with the next poll.results frame.
    const counts = poll.results?.counts;
    if (data.hidden !== false && counts && !Array.isArray(counts) && data.word in counts) {
      const rest = { ...counts };
      delete rest[data.word];
      poll.results = { ...poll.results, counts: rest };
    }
  },
  "notes.update"() {},
  "room.settings"(data) {
    this.settings = { ...this.settings, ...data };
  },
  "room.state"(data) {
    if (data.state) this.roomState = data.state;
  },
};

export class RoomStore {
  constructor() {
    this.changes = new Emitter();
    this.seq = null;
    this.epoch = null;
    this.room = null;
    this.me = null;
    this.presence = { count: null, byOrg: {}, byCity: null };
    this.lag = null; // seconds: how far our clock runs ahead of the server's, at least
    this.clearRoom();
  }

  /** The server's time now, in seconds, as well as the events let us tell: a poll's
   * countdown follows the server's clock, not a phone's wrong one. */
  serverNow(now = Date.now()) {
    return now / 1000 - (this.lag ?? 0);
  }

  /** Forgets everything that a snapshot replaces. */
  clearRoom() {
    this.roomState = "open";
    this.settings = { ...DEFAULT_SETTINGS };
    this.questions = new Map();
    this.pinned = null;
    this.polls = new Map();
    this.pollResults = new Map();
    this.onScreen = null; // the poll on the projector
    this.queue = { pending: 0, dismissed: 0 };
    this.mine = { votes: new Set(), questions: new Set(), pollVotes: {} };
  }

  /** Calls fn(change) after every change; returns an unsubscribe function. */
  subscribe(fn) {
    return this.changes.on(fn);
  }

  emit(change) {
    this.changes.emit(change);
  }

  /** What to send in `join` to resume: the last applied seq and its epoch. */
  resumePoint() {
    return this.seq == null ? { since: null, epoch: null } : { since: this.seq, epoch: this.epoch };
  }

  /** The `ok` reply to `join`. A new epoch means our seq is meaningless: await a snapshot. */
  applyJoin(reply) {
    this.me = reply.me ?? null;
    if (reply.room) {
      const { code, title, event, prompts, starts, ends } = reply.room;
      this.room = roomInfo(code, title, event, prompts, { starts, ends });
      if (reply.room.state) this.roomState = reply.room.state;
      if (reply.room.settings) this.settings = { ...this.settings, ...reply.room.settings };
    }
    if (reply.epoch !== this.epoch) this.seq = null;
    this.epoch = reply.epoch ?? null;
    this.emit({ kind: "join" });
  }

  /** A `snapshot` frame: the room as of `seq`, replacing what we had. */
  applySnapshot(frame) {
    const s = frame.state || {};
    this.clearRoom();
    for (const raw of s.questions || []) this.questions.set(String(raw.qid), normaliseQuestion(raw));
    this.pinned = s.pinned ?? null;
    for (const poll of s.polls || []) if (poll?.poll_id) this.polls.set(String(poll.poll_id), normalisePoll(poll));
    this.onScreen = s.on_screen ?? null;
    this.settings = { ...DEFAULT_SETTINGS, ...(s.settings || {}) };
    if (s.state) this.roomState = s.state;
    if (s.queue) this.queue = { pending: s.queue.pending ?? 0, dismissed: s.queue.dismissed ?? 0 };
    const mine = s.mine || {};
    this.mine = {
      votes: new Set(mine.votes || []),
      questions: new Set(mine.questions || []),
      pollVotes: { ...(mine.poll_votes || {}) },
    };
    this.seq = frame.seq;
    this.emit({ kind: "snapshot" });
  }

  /**
   * An `ev` frame. Returns "applied", "duplicate" (seq <= last: dropped), "gap" (seq >
   * last + 1: the caller rejoins with since) or "waiting" (no snapshot yet: dropped).
   */
  applyEvent(ev) {
    if (this.seq == null) return "waiting";
    if (ev.seq <= this.seq) return "duplicate";
    if (ev.seq !== this.seq + 1) return "gap";
    if (typeof ev.ts === "number") {
      // An event reaches us after its ts: the smallest difference is the clocks' offset
      // plus the quickest delivery (an old event replayed on a rejoin only makes it larger).
      const lag = Date.now() / 1000 - ev.ts;
      if (this.lag == null || lag < this.lag) this.lag = lag;
    }
    const handler = EVENT_HANDLERS[ev.type];
    if (handler) handler.call(this, ev.data || {}, ev.ts, ev.seq);
    this.seq = ev.seq;
    this.emit({ kind: "event", type: ev.type, data: ev.data || {}, ts: ev.ts, seq: ev.seq });
    return "applied";
  }

  /** The `queue` frame (docs/protocol.md (Part 2)): counts of pending and dismissed questions. */
  applyQueue(frame) {
    this.queue = { pending: frame.pending ?? 0, dismissed: frame.dismissed ?? 0 };
    this.emit({ kind: "queue" });
  }

  /** The `presence` frame: distinct participants in the room, by organisation. */
  applyPresence(frame) {
    // by_city: participants per registry city (an addition, issue 14; null when absent)
    this.presence = { count: frame.count ?? 0, byOrg: frame.by_org || {}, byCity: frame.by_city ?? null };
    this.emit({ kind: "presence" });
  }

  /** The `poll.results` frame: the latest results of one poll, for those who may see them. */
  applyPollResults(frame) {
    if (frame.poll_id == null) return;
    const results = { counts: frame.counts, voters: frame.voters };
    const poll = this.polls.get(frame.poll_id);
    if (poll) poll.results = results;
    else this.pollResults.set(frame.poll_id, results); // its event is still on the way
    this.emit({ kind: "results", pollId: frame.poll_id });
  }

  /** Results that came before their poll did (while a rejoin replays events). */
  takeStashedResults(pollId) {
    const results = this.pollResults.get(pollId) ?? null;
    this.pollResults.delete(pollId);
    return results;
  }

  /** Polls in creation order. */
  pollList() {
    return [...this.polls.values()].sort((a, b) => a.order - b.order);
  }

  /** Our own choice in a poll, or null. */
  myPollVote(pollId) {
    return Object.prototype.hasOwnProperty.call(this.mine.pollVotes, pollId) ? this.mine.pollVotes[pollId] : null;
  }

  /**
   * An `ok` reply to `vote`: our own vote is now as we asked. The total is left to the
   * `question.voted` events, which are ordered; the reply may arrive after a later one.
   */
  applyVoteReply(qid, up) {
    if (up) this.mine.votes.add(qid);
    else this.mine.votes.delete(qid);
    this.emit({ kind: "vote", qid });
  }

  /** An `ok` reply to `ask`: the qid is ours even if its event has not come yet. */
  applyAskReply(qid) {
    if (qid == null) return;
    this.mine.questions.add(String(qid));
    this.emit({ kind: "ask", qid });
  }

  hasRole(role) {
    return Boolean(this.me?.roles?.includes(role));
  }

  isStaff() {
    return STAFF_ROLES.some((r) => this.hasRole(r));
  }

  isMine(qid) {
    return this.mine.questions.has(qid);
  }

  isOpen() {
    return this.roomState === "open";
  }

  /** Questions whose status is one of `statuses`, unordered. */
  questionsWith(statuses) {
    return [...this.questions.values()].filter((q) => statuses.includes(q.status));
  }

  /** The pinned question, when we can see it. */
  pinnedQuestion() {
    return this.pinned ? this.questions.get(this.pinned) ?? null : null;
  }

  /** The question `moderate next` would pin: live, not pinned, most votes (ties: oldest). */
  nextQuestion() {
    const live = this.questionsWith(["live"]).filter((q) => q.qid !== this.pinned);
    return sortQuestions(live, "top")[0] ?? null;
  }
}
