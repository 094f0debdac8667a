// What the interpreter's page works on (issue 14, "Interpreters"): which questions and
// written answers still lack a translation into the workshop's other languages, and in
// which order to take them. Pure: no DOM, no socket (tested in test/interpreting.test.js).

import { LANGS } from "./i18n.js";
import { sortQuestions } from "./store.js";

export const TRANSLATION_MAX = 1000; // characters, as protocol/translate.py counts them
// Pending and live questions are the ones the room is about to read; an answered one stays
// while it has a written answer, since that answer is what people read afterwards.
const OPEN_STATUSES = ["pending", "live"];

/** The workshop's languages: the event's (in its order), else en, ja, mn. */
export function workshopLangs(eventLangs) {
  const known = Array.isArray(eventLangs) ? eventLangs.filter((lang) => LANGS.includes(lang)) : [];
  return known.length ? [...new Set(known)] : [...LANGS];
}

/** Whether the interpreter's page lists question `q` at all. */
export function isInterpreted(q) {
  return OPEN_STATUSES.includes(q.status) || (q.status === "answered" && Boolean(q.answer));
}

/** The fields of `q` that can be translated: its text, and its written answer if any. */
export function fieldsOf(q) {
  return q.answer ? ["text", "answer"] : ["text"];
}

/**
 * The language a question and its written answer are in: the question's `lang` (detected
 * by the server or corrected by the asker); an answer has no `lang` on the wire (the
 * moderator answers the asker). Not detected here: lang-detect.js would become a chunk of
 * its own shared with the participant's page, one more request on issue 13's 80 KB first
 * load. Null (an old record) means every workshop language is a target.
 */
export function sourceLang(q) {
  return q.lang ?? null;
}

/** The languages `field` of `q` should be translated into: the workshop's, minus its own. */
export function targetLangs(q, field, langs = LANGS) {
  const own = sourceLang(q);
  return langs.filter((lang) => lang !== own);
}

/** [{field, lang}] still without a translation, text first, in the workshop's order. */
export function missingOf(q, langs = LANGS) {
  const missing = [];
  for (const field of fieldsOf(q)) {
    for (const lang of targetLangs(q, field, langs)) if (!q.translations?.[field]?.[lang]) missing.push({ field, lang });
  }
  return missing;
}

/**
 * The interpreter's two lists from the room's questions: `needs` (something missing) and
 * `done` (every target language written), each by votes, ties oldest first, the order
 * `moderate next` uses. `missing` counts the missing translations per language.
 */
export function interpreterQueue(questions, langs = LANGS) {
  const needs = [];
  const done = [];
  const missing = Object.fromEntries(langs.map((lang) => [lang, 0]));
  for (const q of questions) {
    if (!isInterpreted(q)) continue;
    const gaps = missingOf(q, langs);
    for (const gap of gaps) missing[gap.lang] += 1;
    (gaps.length ? needs : done).push(q);
  }
  return { needs: sortQuestions(needs, "top"), done: sortQuestions(done, "top"), missing };
}

/** The translations of question `qid` still in the outbox, as "field:lang" strings. */
export function sendingOf(entries, qid) {
  const out = new Set();
  for (const entry of entries) if (entry.t === "translate" && entry.fields?.qid === qid) out.add(`${entry.fields.field}:${entry.fields.lang}`);
  return out;
}
