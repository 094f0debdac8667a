// The poll editor's texts in three languages (issue 14, "Multilingual content"): one field
// per language for the title and for each option, any subset filled. What the fields hold
// when a draft is loaded, and what they send: a poll written in one language only sends
// plain strings, as before; a poll that uses two or three languages anywhere sends every
// text as a language map, so that even a one-language option ({"en": "SMS"}) says which
// language it is in (docs/protocol.md, "The poll editor's languages"). Pure: no DOM
// (test/lang-fields.test.js). Moderator-only: it is bundled with the console, never with
// the participant's page.

import { charCount } from "./identity.js";
import { LANGS } from "./i18n.js";
import { detectTextLang } from "./lang-detect.js";
import { CHOICE_KINDS, draftSettings, MAX_OPTIONS, MIN_OPTIONS, OPTION_MAX, TITLE_MAX } from "./polls.js";

/** The editor's languages in order: the interface language first (always shown), then the
 * others (behind "Other languages") in the workshop's order. */
export function fieldOrder(primary, langs = LANGS) {
  const known = langs.filter((lang) => LANGS.includes(lang));
  return LANGS.includes(primary) ? [primary, ...known.filter((lang) => lang !== primary)] : known;
}

/** An empty field per language: {en: "", ja: "", mn: ""}. */
export function emptyFields() {
  return Object.fromEntries(LANGS.map((lang) => [lang, ""]));
}

/**
 * A wire text (a string, or a map {en, ja, mn}) as one value per language, to pre-fill the
 * fields of a draft being edited. A plain string says nothing of its language: it goes to
 * the field of its script (kana or kanji: ja, Cyrillic: mn), else to `primary`'s, so a
 * Japanese draft opened in the English console lands in the Japanese field.
 */
export function fieldsOf(value, primary = "en") {
  const fields = emptyFields();
  if (value == null) return fields;
  if (typeof value === "object") {
    for (const lang of LANGS) if (typeof value[lang] === "string") fields[lang] = value[lang];
    return fields;
  }
  const text = String(value);
  const script = detectTextLang(text);
  const home = script === "ja" || script === "mn" ? script : primary;
  fields[LANGS.includes(home) ? home : "en"] = text;
  return fields;
}

/** The trimmed, non-empty texts of one set of fields, in the order en, ja, mn. */
export function filledOf(fields) {
  const out = {};
  for (const lang of LANGS) {
    const text = String(fields?.[lang] ?? "").trim();
    if (text) out[lang] = text;
  }
  return out;
}

/** The languages any of `filled` (texts from filledOf) uses, in the order en, ja, mn. */
export function languagesOf(filled) {
  return LANGS.filter((lang) => filled.some((texts) => lang in texts));
}

/** One text as sent: the plain string when the whole poll is in one language, else the map. */
export function wireOf(filled, oneLanguage) {
  return oneLanguage ? Object.values(filled)[0] : { ...filled };
}

/** How the server compares two options ("the same option when their texts are equal as
 * written", docs/protocol.md): a key per wire value. */
function optionKey(value) {
  return typeof value === "string" ? `s:${value}` : `m:${JSON.stringify(LANGS.map((lang) => value[lang] ?? null))}`;
}

/**
 * Checks the draft form written in up to three languages: `title` is one set of fields,
 * `options` a list of them (a row with no text in any language is dropped). Returns
 * {fields} ready for poll.create / poll.edit, or {error, lang?, index?}: a catalogue key,
 * and where it is (the language, and the option's row among the rows given).
 */
export function checkLangDraft({ title, kind, options = [], hideResults = false, hideUntilVoted = false, seconds = null }) {
  const titleTexts = filledOf(title);
  if (!Object.keys(titleTexts).length) return { error: "poll.bad_title" };
  for (const [lang, text] of Object.entries(titleTexts)) if (charCount(text) > TITLE_MAX) return { error: "poll.bad_title", lang };
  const rows = [];
  if (CHOICE_KINDS.includes(kind)) {
    for (const [index, fields] of options.entries()) {
      const texts = filledOf(fields);
      for (const [lang, text] of Object.entries(texts)) if (charCount(text) > OPTION_MAX) return { error: "poll.bad_option", lang, index };
      if (Object.keys(texts).length) rows.push(texts);
    }
    if (rows.length < MIN_OPTIONS || rows.length > MAX_OPTIONS) return { error: "poll.bad_options" };
  }
  const settings = draftSettings({ kind, hideResults, hideUntilVoted, seconds });
  if (settings.error) return settings;
  const oneLanguage = languagesOf([titleTexts, ...rows]).length === 1;
  const wireOptions = rows.map((texts) => wireOf(texts, oneLanguage));
  if (new Set(wireOptions.map(optionKey)).size !== wireOptions.length) return { error: "poll.bad_options" };
  return { fields: { title: wireOf(titleTexts, oneLanguage), options: wireOptions, ...settings.fields } };
}

/** How many texts a set of fields has in the languages other than `primary` (the hint on
 * the folded "Other languages"). */
export function otherFilled(fieldSets, primary) {
  let n = 0;
  for (const fields of fieldSets) for (const lang of LANGS) if (lang !== primary && String(fields?.[lang] ?? "").trim()) n += 1;
  return n;
}
