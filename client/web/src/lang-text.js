// Multilingual text (PROTOCOL.md "Additions", "Multilingual text"): what an organiser or a
// moderator writes for everyone (event and room titles, poll titles and options) is a
// string or a map {en, ja, mn} with any non-empty subset of the keys. The store keeps the
// wire value and exposes, for the views, a string in the reader's language that follows
// the interface language as it changes (the views keep reading `poll.title`).

import { getLang, LANGS } from "./i18n.js";

let fallback = LANGS; // the event's `languages`, once the room says them

/** The order a text falls back in: the event file's `languages` (PROTOCOL.md "Additions"). */
export function setFallbackOrder(langs) {
  const known = Array.isArray(langs) ? langs.filter((l) => LANGS.includes(l)) : [];
  fallback = known.length ? known : LANGS;
}

/** The string of `value` for a reader of `lang`: that language's, else the first of
 * `order` that has one, else any; a plain string is the same for everyone. */
export function textIn(value, lang = getLang(), order = fallback) {
  if (value == null) return "";
  if (typeof value !== "object") return String(value);
  if (typeof value[lang] === "string") return value[lang];
  for (const other of order) if (typeof value[other] === "string") return value[other];
  const any = Object.values(value).find((v) => typeof v === "string");
  return any ?? "";
}

/** The wire value as sent: a trimmed string, or a map of the known languages' non-empty
 * texts (a map left with one language stays a map: it says which language it is). */
export function wireText(value) {
  if (value == null || typeof value !== "object") return String(value ?? "");
  const out = {};
  for (const lang of LANGS) if (typeof value[lang] === "string" && value[lang].trim()) out[lang] = value[lang];
  return out;
}

/** Defines `obj[name]` as the reader's-language string of `raw` (the wire value is kept as
 * `obj.texts[name]`), so a language switch needs no new data. */
export function defineText(obj, name, raw) {
  obj.texts ??= {};
  obj.texts[name] = raw;
  Object.defineProperty(obj, name, {
    enumerable: true,
    configurable: true,
    get: () => (Array.isArray(obj.texts[name]) ? obj.texts[name].map((v) => textIn(v)) : textIn(obj.texts[name])),
  });
  return obj;
}
