// The interface in English, Japanese and Mongolian (USERS.md: no open-source Q&A tool
// ships a Mongolian interface). Every visible string comes from a catalogue; the choice is
// remembered per origin and defaults to the browser's language.

import en from "./catalogues/en.js";
import { Emitter } from "./emitter.js";
import { local } from "./storage.js";

export const LANGS = ["en", "ja", "mn"];
// English is in the bundle (every other language falls back to it); Japanese and Mongolian
// are chunks of their own, fetched when a page shows them (a phone's first load carries one
// catalogue, not three: issue 13's 80 KB).
export const CATALOGUES = { en };
const LOADERS = {
  ja: () => import("./catalogues/ja.js"),
  mn: () => import("./catalogues/mn.js"),
};

/** Fetches a language's catalogue once; resolves when t() can use it. */
export async function loadLang(lang) {
  if (CATALOGUES[lang] || !LOADERS[lang]) return;
  CATALOGUES[lang] = (await LOADERS[lang]()).default;
}

/** loadLang for several languages (the projector's two, the tests' three). */
export function loadLangs(langs) {
  return Promise.all(langs.map((lang) => loadLang(lang)));
}
const STORAGE_KEY = "workshop.lang";

let current = "en";
const langChanges = new Emitter();

/** The first of the browser's languages that we speak ("ja-JP" -> "ja"), else "en". */
export function detectLang(preferred = []) {
  for (const tag of preferred) {
    const base = String(tag || "").toLowerCase().split(/[-_]/)[0];
    if (LANGS.includes(base)) return base;
  }
  return "en";
}

/** Fills "{name}" placeholders from params. */
export function format(template, params = {}) {
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

const pluralRules = new Map();

/** The CLDR plural category of n in lang ("one", "other", ...), from Intl.PluralRules. */
export function pluralOf(n, lang = current) {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return rules.select(n);
}

/**
 * The string for key in lang (default: the current language), falling back to English.
 * With a numeric `n` among the params, "key.<plural category>" wins where the catalogue
 * has one ("q.votes.one": "{n} vote"), so no language says "1 votes".
 */
export function t(key, params, lang = current) {
  const catalogue = CATALOGUES[lang];
  let template;
  if (params && typeof params.n === "number") {
    const plural = `${key}.${pluralOf(params.n, lang)}`;
    template = catalogue?.[plural] ?? (catalogue?.[key] === undefined ? en[plural] : undefined);
  }
  template ??= catalogue?.[key] ?? en[key] ?? key;
  return params ? format(template, params) : template;
}

/** A language's name in running text, in the reader's language ("Mongolian", "モンゴル語",
 * "Монгол хэл"); a language picker shows each language in itself (`lang.xx`) instead. */
export function langName(code, lang = current) {
  const key = `lang_name.${code}`;
  return key in en ? t(key, null, lang) : String(code);
}

/** Whole seconds for a person: a retry_after of 0.37 s reads "1 s", never "0.37 s". */
export function wholeSeconds(seconds) {
  const value = Number(seconds);
  return Number.isFinite(value) ? Math.max(1, Math.ceil(value)) : "?";
}

/** The message for a protocol error code (PROTOCOL.md "Envelope"). */
export function errorText(code, params = {}) {
  const key = `err.${code}`;
  if (key in en) return t(key, { ...params, s: wholeSeconds(params.s) });
  return t("err.unknown", { code: String(code) });
}

export function getLang() {
  return current;
}

/** Picks the stored language, else the browser's, fetches it and applies it; resolves
 * to the language once it is applied. */
export async function initLang() {
  const stored = local().get(STORAGE_KEY);
  const nav = globalThis.navigator;
  const preferred = nav ? [...(nav.languages || []), nav.language] : [];
  await setLang(LANGS.includes(stored) ? stored : detectLang(preferred), { remember: false });
  return current;
}

/** Switches the interface language (after fetching its catalogue, the first time) and
 * tells every listener; resolves once applied. */
export async function setLang(lang, { remember = true } = {}) {
  if (!LANGS.includes(lang)) return;
  if (!CATALOGUES[lang]) {
    try {
      await loadLang(lang);
    } catch {
      return; // offline before this language was ever fetched: stay in the current one
    }
  }
  const changed = lang !== current;
  current = lang;
  if (remember) local().set(STORAGE_KEY, lang);
  if (globalThis.document) {
    document.documentElement.lang = lang;
    translateTree(document);
  }
  if (changed) langChanges.emit(lang);
}

/** Calls fn(lang) after each change of language; returns an unsubscribe function. */
export function onLangChange(fn) {
  return langChanges.on(fn);
}

/**
 * Sets the text of every element marked data-i18n="key" under root, and the attributes
 * named by data-i18n-placeholder / data-i18n-label (aria-label) / data-i18n-title.
 */
export function translateTree(root) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    node.setAttribute("placeholder", t(node.dataset.i18nPlaceholder));
  }
  for (const node of root.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  for (const node of root.querySelectorAll("[data-i18n-title]")) {
    node.setAttribute("title", t(node.dataset.i18nTitle));
  }
}
