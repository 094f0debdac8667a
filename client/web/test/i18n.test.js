// Every key in every catalogue, with the same placeholders.
import assert from "node:assert/strict";
import { test } from "node:test";

import { RETRYABLE } from "../src/codes.js";
import { CATALOGUES, detectLang, errorText, format, LANGS, t } from "../src/i18n.js";

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("the three catalogues have the same keys", () => {
  const keys = Object.keys(CATALOGUES.en).sort();
  for (const lang of LANGS) assert.deepEqual(Object.keys(CATALOGUES[lang]).sort(), keys, `keys of ${lang}`);
});

test("no empty strings, and the same placeholders in every language", () => {
  for (const [key, english] of Object.entries(CATALOGUES.en)) {
    for (const lang of LANGS) {
      const text = CATALOGUES[lang][key];
      assert.equal(typeof text, "string", `${lang} ${key}`);
      assert.ok(text.trim().length > 0, `${lang} ${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(english), `${lang} ${key} placeholders`);
    }
  }
});

test("every protocol error code and every status has a message", () => {
  for (const code of Object.keys(RETRYABLE)) assert.ok(`err.${code}` in CATALOGUES.en, code); // codes.js
  for (const status of ["pending", "live", "answered", "dismissed", "withdrawn"]) assert.ok(`status.${status}` in CATALOGUES.en);
  for (const state of ["live", "reconnecting", "offline"]) assert.ok(`conn.${state}` in CATALOGUES.en);
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
