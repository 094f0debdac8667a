// Multilingual text in the client (PROTOCOL.md "Additions"): picking, wire form, store getters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setLang } from "../src/i18n.js";
import { defineText, textIn, wireText } from "../src/lang-text.js";
import { RoomStore, roomInfo } from "../src/store.js";

const TITLE = { en: "Siren or SMS?", ja: "サイレンかSMSか？" };

test("textIn picks the reader's language, then the fallback order, then any", () => {
  assert.equal(textIn(TITLE, "ja"), "サイレンかSMSか？");
  assert.equal(textIn(TITLE, "mn"), "Siren or SMS?");
  assert.equal(textIn({ mn: "Тийм" }, "en", []), "Тийм");
  assert.equal(textIn("plain", "ja"), "plain");
  assert.equal(textIn(null, "en"), "");
});

test("wireText keeps known, non-empty languages only", () => {
  assert.deepEqual(wireText({ en: "Yes", ja: " ", fr: "Oui" }), { en: "Yes" });
  assert.equal(wireText("Yes"), "Yes");
});

test("a poll's title and options follow the interface language", async () => {
  const store = new RoomStore();
  store.applySnapshot({ seq: 1, state: { polls: [{ poll_id: "p1", title: TITLE, kind: "single", options: [{ en: "Siren", ja: "サイレン" }, "SMS"], status: "open" }] } });
  const poll = store.polls.get("p1");
  assert.ok(poll, "the snapshot made the poll");
  await setLang("en", { remember: false });
  assert.equal(poll.title, "Siren or SMS?");
  assert.deepEqual(poll.options, ["Siren", "SMS"]);
  await setLang("ja", { remember: false });
  assert.equal(poll.title, "サイレンかSMSか？");
  assert.deepEqual(poll.options, ["サイレン", "SMS"]);
  assert.deepEqual(poll.texts.title, TITLE); // the wire value, for Duplicate and the editor
  await setLang("en", { remember: false });
});

test("the event's languages set the fallback order", () => {
  const room = roomInfo("SUB-PLAN", { en: "Planning", mn: "Төлөвлөлт" }, { languages: ["mn", "ja", "en"] });
  assert.equal(textIn(room.texts.title, "ja"), "Төлөвлөлт");
  roomInfo("X", "x", { languages: ["en", "ja", "mn"] });
  assert.equal(textIn({ en: "Planning", mn: "Төлөвлөлт" }, "ja"), "Planning");
});

test("defineText on an object keeps the raw value", () => {
  const room = defineText({ code: "SUB-PLAN" }, "title", { mn: "Төлөвлөлт" });
  assert.equal(room.title, "Төлөвлөлт");
});
