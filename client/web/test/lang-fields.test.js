// The poll editor's fields in three languages (issue 14): order, pre-filling a draft, what
// is sent (a plain string for a one-language poll, maps otherwise) and the limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkLangDraft, emptyFields, fieldOrder, fieldsOf, filledOf, languagesOf, otherFilled } from "../src/lang-fields.js";

const f = (texts) => ({ ...emptyFields(), ...texts });

test("the interface language comes first, the others keep the workshop's order", () => {
  assert.deepEqual(fieldOrder("en"), ["en", "ja", "mn"]);
  assert.deepEqual(fieldOrder("mn"), ["mn", "en", "ja"]);
  assert.deepEqual(fieldOrder("ja", ["mn", "ja", "en"]), ["ja", "mn", "en"]);
  assert.deepEqual(fieldOrder("fr"), ["en", "ja", "mn"]);
});

test("a draft's map pre-fills every language; a plain string goes to its script's field", () => {
  assert.deepEqual(fieldsOf({ en: "Yes", mn: "Тийм" }, "ja"), { en: "Yes", ja: "", mn: "Тийм" });
  assert.deepEqual(fieldsOf("サイレンかSMSか？", "en"), { en: "", ja: "サイレンかSMSか？", mn: "" });
  assert.deepEqual(fieldsOf("Дуут дохио", "ja"), { en: "", ja: "", mn: "Дуут дохио" });
  // Latin letters or no letters say nothing certain: the interface language's field.
  assert.deepEqual(fieldsOf("SMS", "mn"), { en: "", ja: "", mn: "SMS" });
  assert.deepEqual(fieldsOf("42", "ja"), { en: "", ja: "42", mn: "" });
  assert.deepEqual(fieldsOf(null, "en"), emptyFields());
});

test("filled texts are trimmed, blank ones dropped, in en, ja, mn order", () => {
  assert.deepEqual(filledOf({ mn: " Тийм ", en: "", ja: "  " }), { mn: "Тийм" });
  assert.deepEqual(Object.keys(filledOf({ mn: "a", ja: "b", en: "c" })), ["en", "ja", "mn"]);
  assert.deepEqual(languagesOf([{ en: "Q" }, { mn: "Тийм" }]), ["en", "mn"]);
});

test("a poll in one language sends plain strings, as before issue 14", () => {
  const checked = checkLangDraft({ title: f({ ja: " 避難所は？ " }), kind: "single", options: [f({ ja: "はい" }), f({}), f({ ja: "いいえ" })] });
  assert.deepEqual(checked.fields, { title: "避難所は？", options: ["はい", "いいえ"], kind: "single", hide_results: false });
});

test("a poll that uses two languages anywhere sends maps, even for a one-language option", () => {
  const checked = checkLangDraft({
    title: f({ en: "Siren or SMS?", ja: "サイレンかSMSか？", mn: "Дуут дохио уу, мессеж үү?" }),
    kind: "multi",
    options: [f({ en: "Siren", ja: "サイレン", mn: "Дуут дохио" }), f({ en: "SMS" })],
    seconds: "60",
  });
  assert.deepEqual(checked.fields, {
    title: { en: "Siren or SMS?", ja: "サイレンかSMSか？", mn: "Дуут дохио уу, мессеж үү?" },
    options: [{ en: "Siren", ja: "サイレン", mn: "Дуут дохио" }, { en: "SMS" }],
    kind: "multi",
    hide_results: false,
    seconds: 60,
  });
  // The title in Mongolian only, the options in English only: two languages, so maps.
  const mixed = checkLangDraft({ title: f({ mn: "Асуулт" }), kind: "single", options: [f({ en: "A" }), f({ en: "B" })] });
  assert.deepEqual(mixed.fields.title, { mn: "Асуулт" });
  assert.deepEqual(mixed.fields.options, [{ en: "A" }, { en: "B" }]);
  // A words poll takes no options: the ones left in the form do not count.
  const words = checkLangDraft({ title: f({ mn: "Асуулт" }), kind: "words", options: [f({ en: "ignored" })] });
  assert.deepEqual(words.fields, { title: "Асуулт", options: [], kind: "words", hide_results: false });
});

test("limits: a title in some language, each text within its length, 2-10 distinct options", () => {
  assert.deepEqual(checkLangDraft({ title: f({ en: " " }), kind: "rating" }), { error: "poll.bad_title" });
  assert.deepEqual(checkLangDraft({ title: f({ en: "Q", mn: "я".repeat(201) }), kind: "rating" }), { error: "poll.bad_title", lang: "mn" });
  assert.ok(checkLangDraft({ title: f({ ja: "😀".repeat(200) }), kind: "rating" }).fields); // code points, as the server counts
  const long = checkLangDraft({ title: f({ en: "Q" }), kind: "single", options: [f({ en: "A" }), f({ en: "B", ja: "あ".repeat(101) })] });
  assert.deepEqual(long, { error: "poll.bad_option", lang: "ja", index: 1 });
  assert.equal(checkLangDraft({ title: f({ en: "Q" }), kind: "single", options: [f({ en: "A" }), f({})] }).error, "poll.bad_options");
  const eleven = Array.from({ length: 11 }, (_, i) => f({ en: `o${i}` }));
  assert.equal(checkLangDraft({ title: f({ en: "Q" }), kind: "single", options: eleven }).error, "poll.bad_options");
  assert.equal(checkLangDraft({ title: f({ en: "Q" }), kind: "single", options: [f({ en: "A" }), f({ en: " A " })] }).error, "poll.bad_options");
  assert.equal(checkLangDraft({ title: f({ en: "Q" }), kind: "words", seconds: 5 }).error, "poll.bad_timer");
});

test("options are the same only when equal as written, as the server compares them", () => {
  const same = [f({ en: "Yes", ja: "はい" }), f({ en: "Yes", ja: "はい" })];
  assert.equal(checkLangDraft({ title: f({ en: "Q" }), kind: "single", options: same }).error, "poll.bad_options");
  const apart = [f({ en: "Yes", ja: "はい" }), f({ en: "Yes", ja: "ええ" })];
  assert.deepEqual(checkLangDraft({ title: f({ en: "Q" }), kind: "single", options: apart }).fields.options, [
    { en: "Yes", ja: "はい" },
    { en: "Yes", ja: "ええ" },
  ]);
});

test("the folded fields' hint counts the texts outside the interface language", () => {
  assert.equal(otherFilled([f({ en: "Q", ja: "質問" }), f({ mn: "Тийм", ja: " " })], "en"), 2);
  assert.equal(otherFilled([f({ en: "Q" })], "en"), 0);
});
