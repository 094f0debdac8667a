// The projector's languages (issue 14): a poll's texts in both screen languages, and which
// translations of a question stand beside its original.
import { test } from "node:test";
import assert from "node:assert/strict";
import { screenLangs, screenTranslations, textsFor } from "../src/screen-text.js";

test("the screen's languages: the ?langs= pair, else the page's", () => {
  assert.deepEqual(screenLangs(["ja", "mn"], "en"), ["ja", "mn"]);
  assert.deepEqual(screenLangs([], "mn"), ["mn"]);
});

test("a poll text once per screen language, in the language it is written in", () => {
  const title = { en: "Siren or SMS?", ja: "サイレンかSMSか？", mn: "Дуут дохио уу, мессеж үү?" };
  assert.deepEqual(textsFor(title, ["ja", "mn"]), [
    { lang: "ja", text: "サイレンかSMSか？" },
    { lang: "mn", text: "Дуут дохио уу, мессеж үү?" },
  ]);
  // No Mongolian: the fallback (en) stands in, said to be English.
  assert.deepEqual(textsFor({ en: "SMS", ja: "ショートメッセージ" }, ["ja", "mn"]), [
    { lang: "ja", text: "ショートメッセージ" },
    { lang: "en", text: "SMS" },
  ]);
  // One text for both languages shows once.
  assert.deepEqual(textsFor("Sirens", ["ja", "mn"]), [{ lang: null, text: "Sirens" }]);
  assert.deepEqual(textsFor({ mn: "Тийм" }, ["ja", "mn"]), [{ lang: "mn", text: "Тийм" }]);
});

const question = (lang, text = {}, by = {}) => ({ lang, translations: { text }, translatedBy: { text: by } });

test("the pinned question's translations: the screen's languages, then the other city's", () => {
  const q = question("ja", { mn: "Хоргодох байр?", en: "Shelters?" }, { en: "moderator" });
  assert.deepEqual(screenTranslations(q, ["ja", "mn"]), [{ lang: "mn", text: "Хоргодох байр?", by: "interpreter" }]);
  // An English screen: English, then Mongolian (Ulaanbaatar reads a Sendai question so).
  assert.deepEqual(screenTranslations(q, ["en"]).map((t) => [t.lang, t.by]), [["en", "moderator"], ["mn", "interpreter"]]);
  assert.deepEqual(screenTranslations(q, ["en"], { max: 1 }).map((t) => t.lang), ["en"]);
  // Never into the question's own language, and nothing when none exists.
  assert.deepEqual(screenTranslations(question("mn", { mn: "x" }), ["mn", "ja"]), []);
  assert.deepEqual(screenTranslations({ lang: "en" }, ["ja", "mn"]), []);
  const answer = { lang: "mn", translations: { answer: { ja: "はい" } }, translatedBy: {} };
  assert.deepEqual(screenTranslations(answer, ["en"], { field: "answer" }), [{ lang: "ja", text: "はい", by: "interpreter" }]);
});
