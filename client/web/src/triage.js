// The moderator's triage over the store (issue 13): search a queue by text, name and
// organisation, filter it by language and organisation, and sort it by votes, newest or
// oldest. Pure: questions in, questions out; the console view owns the controls.

import { orgLabel } from "./organisations.js";

export const SORTS = ["queue", "votes", "newest", "oldest"];

// Each queue's own order when the chair has not chosen one: pending is a queue (oldest
// first), live goes by votes (ties: oldest, as "Next" picks), the rest newest first.
const QUEUE_ORDER = { pending: "oldest", live: "votes" };

/** Lower-case, accents and width folded, so "ＵＮＤＲＲ" finds "undrr" and "Сендай" "сендай". */
export function fold(text) {
  return String(text ?? "").normalize("NFKC").toLocaleLowerCase().replace(/\s+/g, " ").trim();
}

// A registry organisation in the reader's language, so 仙台市 and Sendai City are one (issue 14).
function organisation(q) {
  return q.author?.org ? orgLabel(String(q.author.org)) : "";
}

/** True when q matches every part of the filter {query, lang, org} ("" = any). */
export function matches(q, { query = "", lang = "", org = "" } = {}) {
  if (lang && (q.lang || "") !== lang) return false;
  if (org && fold(organisation(q)) !== fold(org)) return false;
  const words = fold(query).split(" ").filter(Boolean);
  if (!words.length) return true;
  const haystack = fold([q.text, q.author?.name, organisation(q)].filter(Boolean).join(" "));
  return words.every((word) => haystack.includes(word));
}

/** The questions of one queue in the chosen order ("queue" = that queue's own order). */
export function orderQueue(questions, status, sort = "queue") {
  const mode = sort === "queue" || !SORTS.includes(sort) ? QUEUE_ORDER[status] || "newest" : sort;
  const copy = [...questions];
  if (mode === "votes") return copy.sort((a, b) => b.votes - a.votes || a.order - b.order);
  if (mode === "oldest") return copy.sort((a, b) => a.order - b.order);
  return copy.sort((a, b) => b.order - a.order);
}

/** One queue, filtered and sorted. */
export function triage(questions, status, { sort = "queue", ...filter } = {}) {
  return orderQueue(questions.filter((q) => matches(q, filter)), status, sort);
}

/** The languages and organisations present, for the filter menus: sorted, no duplicates
 * (organisations merge when they differ only in case or width). */
export function facets(questions) {
  const langs = new Set();
  const orgs = new Map();
  for (const q of questions) {
    if (q.lang) langs.add(q.lang);
    const org = organisation(q);
    if (org && !orgs.has(fold(org))) orgs.set(fold(org), org);
  }
  return { langs: [...langs].sort(), orgs: [...orgs.values()].sort((a, b) => a.localeCompare(b)) };
}

/** True when a filter narrows the queue (for the "nothing matches" text). */
export function isFiltered({ query = "", lang = "", org = "" } = {}) {
  return Boolean(fold(query) || lang || org);
}
