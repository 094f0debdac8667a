// What the projector shows in its languages (issue 14): a poll's title and options in each
// of the screen's languages (the ?langs= pair, else the page's language), and a question's
// translations beside its original: into the screen's languages and into the other
// city's language (Sendai reads Japanese, Ulaanbaatar Mongolian), never into its own.
// Pure: no DOM (test/screen-text.test.js).

import { getLang, LANGS } from "./i18n.js";
import { textIn } from "./lang-text.js";

const OTHER_CITY = { ja: "mn", mn: "ja" };

/** The screen's languages: the projector's pair when it has one, else the page's. */
export function screenLangs(pair = [], lang = getLang()) {
  return pair.length ? [...pair] : [lang];
}

/**
 * `value` (a string or a language map) once per screen language: [{lang, text}], where
 * `lang` is the language the text is in (null for a plain string). A language the map
 * lacks falls back as textIn does, and a text already listed is not listed twice, so a
 * plain string, or a map with one language, shows once.
 */
export function textsFor(value, langs) {
  const out = [];
  for (const lang of langs) {
    const text = textIn(value, lang);
    if (!text || out.some((shown) => shown.text === text)) continue;
    const written = value && typeof value === "object" ? LANGS.find((code) => value[code] === text) ?? null : null;
    out.push({ lang: written, text });
  }
  return out;
}

/**
 * The translations of question `q`'s `field` ("text" | "answer") to show beside the
 * original on a screen in `langs`: [{lang, text, by}], the screen's languages first, then
 * the other city's, each once, none in the question's own language; at most `max`.
 */
export function screenTranslations(q, langs, { field = "text", max = 2 } = {}) {
  const wanted = [...langs];
  if (OTHER_CITY[q.lang]) wanted.push(OTHER_CITY[q.lang]);
  const out = [];
  for (const lang of wanted) {
    const text = q.translations?.[field]?.[lang];
    if (!text || lang === q.lang || out.some((shown) => shown.lang === lang)) continue;
    out.push({ lang, text, by: q.translatedBy?.[field]?.[lang] === "moderator" ? "moderator" : "interpreter" });
  }
  return out.slice(0, max);
}
