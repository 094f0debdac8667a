// The rapporteur's timeline without the DOM: which room events make a line, and the same
// lines rebuilt from the room's log, so a reload does not lose them (issue 13).
//
// The log is the JSON transcript (`GET /api/rooms/{code}/transcript.json` with the staff
// key as Bearer; docs/protocol.md, "The rapporteur's timeline"): one entry per seq, each a
// command record `{seq, ts, type, data, outcome: {ok, event, result}}`. An entry that
// produced an event becomes the change the store would have emitted for it, and goes
// through the same `timelineLine` as a live event; the texts it quotes come from the log
// itself (the question asked, edited; the poll drafted).

import { textIn } from "./lang-text.js";

export const TIMELINE_LIMIT = 50; // newest first; the reports hold the whole timeline
const QUOTE_LIMIT = 80;

/** A text quoted in a line: a language map (a poll's title) in the page's language, with
 * the event's fallback order (lang-text.js, as every view reads poll text). */
export function quote(text) {
  const flat = textIn(text).replace(/\s+/g, " ").trim();
  return flat.length > QUOTE_LIMIT ? `${flat.slice(0, QUOTE_LIMIT - 1)}…` : flat;
}

const STATUS_KEYS = { live: "rap.tl.live", answered: "rap.tl.answered", dismissed: "rap.tl.dismissed", withdrawn: "rap.tl.withdrawn" };

/**
 * A store change as a timeline line {key, params}, or null for what a timeline skips.
 * `book` answers `questions.get(qid)?.text` and `polls.get(id)?.title`: the store, live.
 */
export function timelineLine(change, book) {
  if (change.kind !== "event") return null;
  const data = change.data || {};
  const questionText = (qid) => book.questions.get(qid)?.text;
  const text = () => quote(data.text ?? data.question?.text ?? questionText(data.qid));
  const title = () => quote(data.poll?.title ?? book.polls.get(data.poll_id)?.title ?? data.poll_id);
  switch (change.type) {
    case "question.asked":
      return { key: data.status === "pending" ? "rap.tl.pending" : "rap.tl.asked", params: { text: text() } };
    case "question.status": {
      const key = STATUS_KEYS[data.status];
      return key ? { key, params: { text: quote(data.question?.text ?? questionText(data.qid)) } } : null;
    }
    case "question.answer":
      return { key: "rap.tl.answer", params: { text: quote(questionText(data.qid)) } };
    case "question.edited":
      return { key: "rap.tl.edited", params: { text: text() } };
    case "question.pinned": {
      const now = quote(questionText(data.qid));
      if (data.answered) {
        // `moderate next`: what it marked answered, and what it pinned (if anything).
        const answered = quote(data.answered.question?.text ?? questionText(data.answered.qid));
        return data.qid ? { key: "rap.tl.next", params: { answered, text: now } } : { key: "rap.tl.answered", params: { text: answered } };
      }
      return data.qid ? { key: "rap.tl.pinned", params: { text: now } } : { key: "rap.tl.unpinned", params: {} };
    }
    case "poll.created":
      return { key: "rap.tl.poll_created", params: { title: title() } };
    case "poll.status":
      if (data.status === "open") return { key: "rap.tl.poll_open", params: { title: title() } };
      if (data.status === "closed") return { key: "rap.tl.poll_closed", params: { title: title() } };
      return null;
    case "room.settings":
      return { key: "rap.tl.settings", params: {} };
    case "room.state":
      return { key: data.state === "open" ? "rap.tl.room_open" : "rap.tl.room_closed", params: {} };
    default:
      return null;
  }
}

/** The event data a log entry's command produced, as far as a timeline line needs it. */
function eventData(entry) {
  const data = entry.data || {};
  const result = entry.outcome?.result || {};
  switch (entry.type) {
    case "ask":
      return { qid: result.qid, text: data.text, status: result.status };
    case "withdraw":
      return { qid: data.qid, status: result.status ?? "withdrawn" };
    case "moderate":
      if (data.action === "next") return { qid: result.pinned ?? null, answered: result.answered ? { qid: result.answered } : undefined };
      if (data.action === "pin") return { qid: data.qid };
      if (data.action === "unpin") return { qid: null };
      return { qid: data.qid, status: result.status };
    case "edit":
    case "answer":
      return { qid: data.qid, text: data.text };
    case "poll.create":
    case "poll.edit":
      return { poll_id: result.poll_id, poll: { title: data.title } };
    case "poll.open":
      return { poll_id: data.poll_id, status: "open" };
    case "poll.close":
      return { poll_id: data.poll_id, status: "closed" };
    case "room.open":
      return { state: "open" };
    case "room.close":
      return { state: "closed" };
    default:
      return { ...data };
  }
}

/**
 * Reads the log entry by entry, in seq order: `add(entry)` keeps the texts lines quote and
 * returns the entry's line {key, params, ts, seq}, or null. Holds one entry at a time.
 */
export function createLogReader() {
  const book = { questions: new Map(), polls: new Map() };
  return {
    book,
    add(entry) {
      const outcome = entry?.outcome;
      if (!outcome?.ok || !outcome.event) return null; // refused, or it changed nothing
      const data = eventData(entry);
      if (entry.type === "ask" || entry.type === "edit") book.questions.set(data.qid, { text: data.text });
      if (entry.type === "poll.create" || entry.type === "poll.edit") book.polls.set(data.poll_id, { title: data.poll.title });
      const line = timelineLine({ kind: "event", type: outcome.event, data }, book);
      return line ? { ...line, ts: entry.ts, seq: entry.seq } : null;
    },
  };
}

/**
 * The JSON transcript's text arrives in chunks; it holds one entry per line (`[`, then
 * `{...},` lines, then `]`). Returns push(text) -> the entries completed by it, and end().
 */
export function createLineSplitter() {
  let rest = "";
  const parse = (line) => {
    const text = line.trim().replace(/,$/, "");
    if (!text || text === "[" || text === "]") return null;
    return JSON.parse(text);
  };
  return {
    push(text) {
      rest += text;
      const lines = rest.split("\n");
      rest = lines.pop();
      return lines.map(parse).filter(Boolean);
    },
    end() {
      const last = parse(rest);
      rest = "";
      return last ? [last] : [];
    },
  };
}

/** Newest first, one line per seq, at most `limit`: log lines and live lines merged. */
export function mergeLines(lines, more, limit = TIMELINE_LIMIT) {
  const bySeq = new Map();
  for (const line of [...lines, ...more]) bySeq.set(line.seq, line);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, limit);
}
