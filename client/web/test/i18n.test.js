// Every key in every catalogue, with the same placeholders.
import assert from "node:assert/strict";
import { test } from "node:test";

import { RETRYABLE } from "../src/codes.js";
import { CATALOGUES, loadLangs, detectLang, errorText, format, langName, LANGS, t, wholeSeconds } from "../src/i18n.js";

await loadLangs(LANGS); // ja and mn are chunks fetched on demand

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

// "key.one", "key.few"...: a plural form of "key", where a language has one (CLDR).
const PLURAL = /\.(zero|one|two|few|many)$/;
const baseKeys = (catalogue) => Object.keys(catalogue).filter((k) => !PLURAL.test(k)).sort();

test("the three catalogues have the same keys (plural forms aside)", () => {
  const keys = baseKeys(CATALOGUES.en);
  for (const lang of LANGS) assert.deepEqual(baseKeys(CATALOGUES[lang]), keys, `keys of ${lang}`);
  for (const lang of LANGS) {
    for (const key of Object.keys(CATALOGUES[lang]).filter((k) => PLURAL.test(k))) {
      assert.ok(key.replace(PLURAL, "") in CATALOGUES[lang], `${lang} ${key} has no base key`);
    }
  }
});

test("counts read as plurals: 1 vote, 2 votes; ja and mn count without a plural form", () => {
  assert.equal(t("q.votes", { n: 1 }, "en"), "1 vote");
  assert.equal(t("q.votes", { n: 0 }, "en"), "0 votes");
  assert.equal(t("q.votes", { n: 2 }, "en"), "2 votes");
  assert.equal(t("notes.not_synced", { n: 1 }, "en"), "Not synced (1 change waiting)");
  assert.equal(t("q.votes", { n: 1 }, "ja"), "1 票");
  assert.equal(t("q.votes", { n: 1 }, "mn"), "1 санал");
});

test("rate-limit waits are whole seconds, rounded up", () => {
  assert.equal(wholeSeconds(0.37), 1);
  assert.equal(wholeSeconds(2.01), 3);
  assert.equal(wholeSeconds(undefined), "?");
  assert.ok(!/\d\.\d/.test(errorText("rate_limited", { s: 11.83 })), errorText("rate_limited", { s: 11.83 }));
  assert.match(errorText("rate_limited", { s: 11.83 }), /12/);
});

test("no empty strings, and the same placeholders in every language", () => {
  for (const [key, english] of Object.entries(CATALOGUES.en)) {
    for (const lang of LANGS) {
      const text = CATALOGUES[lang][key] ?? (PLURAL.test(key) ? CATALOGUES[lang][key.replace(PLURAL, "")] : undefined);
      assert.equal(typeof text, "string", `${lang} ${key}`);
      assert.ok(text.trim().length > 0, `${lang} ${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(english), `${lang} ${key} placeholders`);
    }
  }
});

test("every protocol error code and every status has a message", () => {
  for (const code of Object.keys(RETRYABLE)) assert.ok(`err.${code}` in CATALOGUES.en, code); // codes.js
  for (const status of ["pending", "live", "answered", "dismissed", "withdrawn"]) assert.ok(`status.${status}` in CATALOGUES.en);
  for (const state of ["connecting", "live", "reconnecting", "offline"]) assert.ok(`conn.${state}` in CATALOGUES.en);
  assert.match(errorText("rate_limited", { s: 7 }), /7/);
  assert.match(errorText("mystery"), /mystery/);
});

test("the Mongolian catalogue is in Cyrillic and the Japanese one in Japanese", () => {
  assert.match(CATALOGUES.mn["ask.title"], /[\u0400-\u04FF]/);
  assert.match(CATALOGUES.ja["ask.title"], /[\u3040-\u30FF\u4E00-\u9FFF]/);
});

test("t fills placeholders and falls back to English", () => {
  assert.equal(t("header.presence", { n: 4 }, "en"), "4 here");
  assert.match(t("header.presence", { n: 4 }, "ja"), /4/);
  assert.equal(t("no.such.key", null, "ja"), "no.such.key");
  assert.equal(format("{a} and {b}", { a: 1 }), "1 and {b}");
});

test("detectLang picks the first language we speak", () => {
  assert.equal(detectLang(["ja-JP", "en"]), "ja");
  assert.equal(detectLang(["mn-MN"]), "mn");
  assert.equal(detectLang(["fr-FR", "en-GB"]), "en");
  assert.equal(detectLang(["de"]), "en");
  assert.equal(detectLang([]), "en");
});

test("language names in running text are the reader's, pickers keep autonyms", () => {
  assert.equal(langName("mn", "en"), "Mongolian");
  assert.equal(langName("mn", "ja"), "モンゴル語");
  assert.equal(langName("ja", "mn"), "Япон хэл");
  assert.equal(langName("fr", "en"), "fr");
  assert.equal(t("lang.mn", null, "en"), "Монгол"); // the picker's label: the language itself
});
