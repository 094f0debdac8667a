// Translations in the store and the reader's pick (issue 14).
import { test } from "node:test";
import assert from "node:assert/strict";
import { RoomStore } from "../src/store.js";
import { translationFor } from "../src/views/translation.js";

function storeWith(question) {
  const store = new RoomStore();
  store.applySnapshot({ seq: 1, state: { questions: [question] } });
  return store;
}

test("a snapshot's translations and a live one reach the question", () => {
  const store = storeWith({ qid: "q1", text: "避難所の基準は？", lang: "ja", status: "live", translations: { text: { en: "Shelter criteria?" } }, translated_by: { text: { en: "moderator" } } });
  const q = store.questions.get("q1");
  assert.deepEqual(translationFor(q, "text", "en"), { text: "Shelter criteria?", lang: "en", by: "moderator" });
  assert.equal(translationFor(q, "text", "ja"), null); // its own language
  store.applyEvent({ t: "ev", seq: 2, ts: 0, type: "question.translated", data: { qid: "q1", field: "text", lang: "mn", text: "Хоргодох байрны шалгуур?", by: "interpreter" } });
  assert.deepEqual(translationFor(q, "text", "mn"), { text: "Хоргодох байрны шалгуур?", lang: "mn", by: "interpreter" });
});

test("an edit drops the text's translations, a new answer the answer's", () => {
  const store = storeWith({ qid: "q1", text: "避難所の基準は？", lang: "ja", status: "live", answer: "市の基準", translations: { text: { en: "Criteria?" }, answer: { en: "The city's" } } });
  store.applyEvent({ t: "ev", seq: 2, ts: 0, type: "question.edited", data: { qid: "q1", text: "避難所の選定基準は？", edited: true } });
  const q = store.questions.get("q1");
  assert.equal(translationFor(q, "text", "en"), null);
  assert.equal(translationFor(q, "answer", "en").text, "The city's");
  store.applyEvent({ t: "ev", seq: 3, ts: 0, type: "question.answer", data: { qid: "q1", text: "防災計画の基準" } });
  assert.equal(translationFor(q, "answer", "en"), null);
});
