// The interpreter's queue (issue 14): what still needs a translation, and in which order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RoomStore } from "../src/store.js";
import { interpreterQueue, isInterpreted, missingOf, sendingOf, sourceLang, targetLangs, workshopLangs } from "../src/interpreting.js";

const q = (qid, fields = {}) => ({ qid, text: "避難所の基準は？", lang: "ja", status: "live", votes: 0, answer: null, translations: {}, translatedBy: {}, order: Number(qid.slice(1)), ...fields });

test("the workshop's languages are the event's, in its order, else en, ja, mn", () => {
  assert.deepEqual(workshopLangs(["mn", "ja", "en"]), ["mn", "ja", "en"]);
  assert.deepEqual(workshopLangs(["ja", "fr", "en"]), ["ja", "en"]);
  assert.deepEqual(workshopLangs(undefined), ["en", "ja", "mn"]);
  assert.deepEqual(workshopLangs([]), ["en", "ja", "mn"]);
});

test("a question and its answer need the languages other than the question's own", () => {
  const asked = q("q1");
  assert.deepEqual(targetLangs(asked, "text"), ["en", "mn"]);
  assert.deepEqual(missingOf(asked), [{ field: "text", lang: "en" }, { field: "text", lang: "mn" }]);
  const answered = q("q2", { answer: "市の基準に従います。", translations: { text: { en: "Criteria?", mn: "Шалгуур?" } } });
  assert.equal(sourceLang(answered), "ja");
  assert.deepEqual(missingOf(answered), [{ field: "answer", lang: "en" }, { field: "answer", lang: "mn" }]);
  // An old question without lang: every language is a target.
  assert.equal(sourceLang(q("q4", { lang: null, text: "When?" })), null);
  assert.deepEqual(targetLangs(q("q4", { lang: null }), "text"), ["en", "ja", "mn"]);
  // Only the event's languages count.
  assert.deepEqual(missingOf(asked, ["ja", "mn"]), [{ field: "text", lang: "mn" }]);
});

test("pending and live questions are listed, answered ones only with a written answer", () => {
  assert.equal(isInterpreted(q("q1", { status: "pending" })), true);
  assert.equal(isInterpreted(q("q1", { status: "live" })), true);
  assert.equal(isInterpreted(q("q1", { status: "answered" })), false);
  assert.equal(isInterpreted(q("q1", { status: "answered", answer: "Yes" })), true);
  assert.equal(isInterpreted(q("q1", { status: "dismissed", answer: "Yes" })), false);
  assert.equal(isInterpreted(q("q1", { status: "withdrawn" })), false);
});

test("the queue is ordered by votes, ties oldest first, and a translated question moves to done", () => {
  const full = { text: { en: "Criteria?", mn: "Шалгуур?" } };
  const questions = [
    q("q1", { votes: 1 }),
    q("q2", { votes: 3 }),
    q("q3", { votes: 3, status: "pending" }),
    q("q4", { votes: 9, translations: full }),
    q("q5", { votes: 0, translations: { text: { en: "Only English" } } }),
    q("q6", { votes: 5, status: "dismissed" }),
  ];
  const { needs, done, missing } = interpreterQueue(questions);
  assert.deepEqual(needs.map((x) => x.qid), ["q2", "q3", "q1", "q5"]);
  assert.deepEqual(done.map((x) => x.qid), ["q4"]);
  assert.deepEqual(missing, { en: 3, ja: 0, mn: 4 });
});

test("a translation event from the store takes the question out of the queue", () => {
  const store = new RoomStore();
  store.applySnapshot({ seq: 1, state: { questions: [{ qid: "q1", text: "避難所の基準は？", lang: "ja", status: "live", votes: 0 }] } });
  const translate = (seq, lang, text) => store.applyEvent({ t: "ev", seq, ts: 0, type: "question.translated", data: { qid: "q1", field: "text", lang, text, by: "interpreter" } });
  translate(2, "mn", "Шалгуур юу вэ?");
  assert.equal(interpreterQueue(store.questions.values()).needs.length, 1);
  translate(3, "en", "What are the criteria?");
  const { needs, done } = interpreterQueue(store.questions.values());
  assert.deepEqual([needs.length, done.length], [0, 1]);
  // A moderator's new answer needs translating again.
  store.applyEvent({ t: "ev", seq: 4, ts: 0, type: "question.answer", data: { qid: "q1", text: "市の基準に従います。" } });
  assert.deepEqual(missingOf(store.questions.get("q1")), [{ field: "answer", lang: "en" }, { field: "answer", lang: "mn" }]);
});

test("translations still in the outbox are named by field and language", () => {
  const entries = [
    { cid: "a", t: "translate", fields: { qid: "q1", field: "text", lang: "mn", text: "…" } },
    { cid: "b", t: "translate", fields: { qid: "q2", field: "answer", lang: "en", text: "…" } },
    { cid: "c", t: "vote", fields: { qid: "q1", up: true } },
  ];
  assert.deepEqual([...sendingOf(entries, "q1")], ["text:mn"]);
  assert.deepEqual([...sendingOf(entries, "q3")], []);
});
