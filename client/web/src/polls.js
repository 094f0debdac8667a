// Polls without the DOM: kinds and limits (docs/protocol.md: poll.create, poll.vote), the
// draft form's checks, choices, result rows and the word cloud's sizes, and which poll the
// presenter shows. Pure, so test/polls.test.js covers it in Node.

import { charCount } from "./identity.js";

export const KINDS = ["single", "multi", "rating", "words"];
export const CHOICE_KINDS = ["single", "multi"];
export const STARS = 5;
export const TITLE_MAX = 200;
export const OPTION_MAX = 100;
export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 10;
export const WORD_MAX = 40;
export const CLOUD_SIZES = 6;
/** The timers the draft form offers, in seconds (the server takes 10 to 3600). */
export const TIMERS = [30, 60, 120, 300, 600];
export const TIMER_MIN = 10;
export const TIMER_MAX = 3600;

/** The seq a poll was created at ("p12" -> 12): polls list in creation order. */
export function pollOrder(pollId) {
  const n = Number(String(pollId).replace(/^[a-z]+/i, ""));
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

/** Results of a poll nobody has voted in: what a fresh draft or a just-opened poll shows. */
export function emptyResults(kind, options = []) {
  if (kind === "words") return { counts: {}, voters: 0 };
  const size = kind === "rating" ? STARS : options.length;
  return { counts: new Array(size).fill(0), voters: 0 };
}

/** A word as the server counts it: NFKC, lower case, whitespace collapsed, 40 characters. */
export function normaliseWord(word) {
  const collapsed = String(word ?? "")
    .normalize("NFKC")
    .toLowerCase()
    .split(/\s+/u)
    .filter(Boolean)
    .join(" ");
  return [...collapsed].slice(0, WORD_MAX).join("");
}

/**
 * Checks the draft form. Returns {fields} (ready for poll.create / poll.edit) or {error}
 * with a catalogue key. Options are trimmed and blank ones dropped. The editor's texts in
 * several languages go through lang-fields.js's checkLangDraft instead (issue 14).
 */
export function checkDraft({ title, kind, options = [], hideResults = false, hideUntilVoted = false, seconds = null }) {
  const cleanTitle = String(title ?? "").trim();
  if (charCount(cleanTitle) < 1 || charCount(cleanTitle) > TITLE_MAX) return { error: "poll.bad_title" };
  let cleanOptions = [];
  if (CHOICE_KINDS.includes(kind)) {
    cleanOptions = options.map((o) => String(o ?? "").trim()).filter(Boolean);
    if (cleanOptions.some((o) => charCount(o) > OPTION_MAX)) return { error: "poll.bad_option" };
    const distinct = new Set(cleanOptions).size === cleanOptions.length;
    if (!distinct || cleanOptions.length < MIN_OPTIONS || cleanOptions.length > MAX_OPTIONS) {
      return { error: "poll.bad_options" };
    }
  }
  const settings = draftSettings({ kind, hideResults, hideUntilVoted, seconds });
  return settings.error ? settings : { fields: { title: cleanTitle, options: cleanOptions, ...settings.fields } };
}

/** The draft form's settings (kind, hiding, timer) as poll.create fields, or {error}. */
export function draftSettings({ kind, hideResults = false, hideUntilVoted = false, seconds = null }) {
  if (!KINDS.includes(kind)) return { error: "poll.bad_title" };
  const fields = { kind, hide_results: Boolean(hideResults) };
  if (hideUntilVoted) fields.hide_until_voted = true;
  const timer = seconds == null || seconds === "" ? null : Number(seconds);
  if (timer != null) {
    if (!Number.isInteger(timer) || timer < TIMER_MIN || timer > TIMER_MAX) return { error: "poll.bad_timer" };
    fields.seconds = timer;
  }
  return { fields };
}

/** The fields of a poll.create that makes a new draft like `poll` (Duplicate). */
export function duplicateFields(poll) {
  const texts = poll.texts ?? { title: poll.title, options: poll.options }; // the maps, as sent
  const fields = { title: texts.title, kind: poll.kind, options: [...texts.options], hide_results: Boolean(poll.hide_results) };
  if (poll.hide_until_voted) fields.hide_until_voted = true;
  if (Number.isInteger(poll.seconds)) fields.seconds = poll.seconds;
  return fields;
}

/** Seconds left before a timed open poll closes (never below 0), or null without a timer. */
export function secondsLeft(poll, nowSeconds) {
  if (poll.status !== "open" || typeof poll.closes_ts !== "number") return null;
  return Math.max(0, Math.ceil(poll.closes_ts - nowSeconds));
}

/** A timer's length in words ("30 seconds", "2 分", "10 минут"), for the draft form. */
export function durationText(seconds, lang = "en") {
  const minutes = seconds % 60 === 0;
  const unit = minutes ? "minute" : "second";
  return new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "long" }).format(minutes ? seconds / 60 : seconds);
}

/** A countdown as m:ss ("1:05", "0:09"); an hour shows as 60:00. */
export function clockText(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Whether this participant may see the results now (the server sends them only then). */
export function resultsVisible(poll, { staff = false, voted = false } = {}) {
  if (staff || poll.status === "closed") return true;
  if (poll.status !== "open") return false;
  if (poll.hide_results) return false;
  return !poll.hide_until_voted || voted;
}

/**
 * The choice a vote form holds, or null when it holds none that fits. `checked` is the
 * list of checked input values (strings, as the DOM gives them); `word` the text input.
 */
export function choiceFrom(kind, { checked = [], word = "" } = {}) {
  if (kind === "words") {
    const text = String(word).replace(/\s+/gu, " ").trim();
    return text && charCount(text) <= WORD_MAX ? text : null;
  }
  const numbers = checked.map(Number).filter(Number.isInteger);
  if (kind === "multi") return numbers.length ? [...new Set(numbers)].sort((a, b) => a - b) : null;
  return numbers.length ? numbers[0] : null;
}

/** Whether two choices are the same vote (a word compares as the server counts it). */
export function sameChoice(a, b) {
  if (a == null || b == null) return a == null && b == null;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    const sa = [...a].sort((x, y) => x - y);
    const sb = [...b].sort((x, y) => x - y);
    return sa.every((x, i) => x === sb[i]);
  }
  if (typeof a === "string" && typeof b === "string") return normaliseWord(a) === normaliseWord(b);
  return a === b;
}

/** The input values a choice checks (for radio and checkbox inputs). */
export function checkedValues(choice) {
  if (choice == null || typeof choice === "string") return [];
  return (Array.isArray(choice) ? choice : [choice]).map(String);
}

/** A choice as text for people: option names, stars or the word. */
export function describeChoice(poll, choice) {
  if (choice == null) return "";
  if (poll?.kind === "words") return String(choice);
  if (poll?.kind === "rating") return "★".repeat(Math.max(0, Math.min(STARS, Number(choice) || 0)));
  const options = poll?.options || [];
  const picks = Array.isArray(choice) ? choice : [choice];
  return picks.map((i) => options[i] ?? `#${Number(i) + 1}`).join(", ");
}

/**
 * Rows for a bar chart: [{key, label, count, percent}], percent of voters (so a multi
 * poll's rows may add up to more than 100). Rating rows are labelled "1".."5".
 */
export function resultRows(poll, results) {
  const counts = Array.isArray(results?.counts) ? results.counts : [];
  const voters = Number(results?.voters) || 0;
  const labels = poll.kind === "rating" ? Array.from({ length: STARS }, (_, i) => String(i + 1)) : poll.options || [];
  return labels.map((label, i) => {
    const count = Number(counts[i]) || 0;
    return { key: String(i), label, count, percent: voters ? Math.round((100 * count) / voters) : 0 };
  });
}

/** The mean rating (one decimal), or null with no votes. */
export function averageRating(results) {
  const counts = Array.isArray(results?.counts) ? results.counts : [];
  let n = 0;
  let sum = 0;
  counts.forEach((c, i) => {
    n += Number(c) || 0;
    sum += (Number(c) || 0) * (i + 1);
  });
  return n ? Math.round((10 * sum) / n) / 10 : null;
}

/**
 * The word cloud: [{word, count, size}] most frequent first (ties alphabetical), without
 * hidden words; size 1..CLOUD_SIZES grows with the count relative to the most frequent.
 */
export function cloudWords(results, hiddenWords = []) {
  const counts = results?.counts && !Array.isArray(results.counts) ? results.counts : {};
  const hidden = new Set(hiddenWords);
  const entries = Object.entries(counts)
    .map(([word, count]) => ({ word, count: Number(count) || 0 }))
    .filter((e) => e.count > 0 && !hidden.has(e.word));
  const max = Math.max(1, ...entries.map((e) => e.count));
  return entries
    .sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0))
    .map((e) => ({ ...e, size: Math.max(1, Math.ceil((CLOUD_SIZES * e.count) / max)) }));
}

/** The moderator's buttons for a poll in this status. */
export function pollActions(status, onScreen = false) {
  const screen = onScreen ? "unshow" : "show";
  if (status === "draft") return ["edit", "open", "duplicate", "delete"];
  if (status === "open") return ["close", screen, "duplicate", "delete"];
  if (status === "closed") return ["reopen", screen, "duplicate", "delete"];
  return [];
}

/** The command each moderator action sends (duplicate sends poll.create with its fields). */
export const ACTION_COMMANDS = { open: "poll.open", reopen: "poll.open", close: "poll.close", delete: "poll.delete" };

/** The fields of the poll.show a moderator's screen action sends. */
export function showFields(action, pollId) {
  return { poll_id: action === "show" ? pollId : null };
}

/**
 * What the projector shows: the poll the moderator put on screen (PROTOCOL.md "Polls on
 * screen"), if it is open or closed, else nothing. `polls` is a Map poll_id -> poll.
 */
export function presenterPoll(polls, onScreen) {
  const poll = onScreen == null ? null : polls.get(onScreen);
  return poll && (poll.status === "open" || poll.status === "closed") ? poll : null;
}
