// The organiser's programme as data (issue 15): slots typed in JST or ULAT and sent with
// their offset, read back in both zones, PATCH bodies with only what changed, moves.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  convertLocal,
  formatMoment,
  formOf,
  isoFromLocal,
  localFromIso,
  moveCode,
  newRoomBody,
  offsetMinutes,
  patchBody,
  sameInstant,
  titleFields,
  titleValue,
} from "../src/programme-edit.js";

const LANGS = ["en", "ja", "mn"];
const ROOM = {
  code: "SUB-EWS",
  title: { en: "Early Warning", ja: "早期警報", mn: "Эрт сэрэмжлүүлэг" },
  starts: "2026-12-10T10:00:00+09:00",
  ends: "2026-12-10T11:30:00+09:00",
};

test("a date and a time in JST or ULAT become ISO 8601 with the zone's offset", () => {
  assert.equal(isoFromLocal("2026-12-10", "10:00", "JST"), "2026-12-10T10:00:00+09:00");
  assert.equal(isoFromLocal("2026-12-10", "09:00", "ULAT"), "2026-12-10T09:00:00+08:00");
  assert.ok(sameInstant(isoFromLocal("2026-12-10", "09:00", "ULAT"), "2026-12-10T10:00:00+09:00"));
  // Mongolia kept summer time (UTC+9) in 2016: the offset is the zone's at that moment.
  assert.equal(isoFromLocal("2016-07-01", "12:00", "ULAT"), "2016-07-01T12:00:00+09:00");
  assert.equal(offsetMinutes("Asia/Tokyo", new Date("2026-12-10T00:00:00Z")), 540);
});

test("what is not a date or a time is refused, not guessed", () => {
  assert.equal(isoFromLocal("2026-02-30", "10:00", "JST"), null);
  assert.equal(isoFromLocal("2026-12-10", "24:00", "JST"), null);
  assert.equal(isoFromLocal("2026-12-10", "", "JST"), null);
  assert.equal(isoFromLocal("10/12/2026", "10:00", "JST"), null);
  assert.equal(isoFromLocal("2026-12-10", "10:00", "CET"), null);
});

test("an instant reads back on either clock, across midnight too", () => {
  assert.deepEqual(localFromIso("2026-12-10T10:00:00+09:00", "JST"), { date: "2026-12-10", time: "10:00" });
  assert.deepEqual(localFromIso("2026-12-10T10:00:00+09:00", "ULAT"), { date: "2026-12-10", time: "09:00" });
  assert.deepEqual(localFromIso("2026-12-10T00:30:00+09:00", "ULAT"), { date: "2026-12-09", time: "23:30" });
  assert.deepEqual(localFromIso("2026-12-10T01:00:00Z", "JST"), { date: "2026-12-10", time: "10:00" });
  assert.deepEqual(localFromIso(null, "JST"), { date: "", time: "" });
  assert.deepEqual(convertLocal({ date: "2026-12-10", time: "10:00" }, "JST", "ULAT"), { date: "2026-12-10", time: "09:00" });
  assert.deepEqual(convertLocal({ date: "", time: "10:00" }, "JST", "ULAT"), { date: "", time: "10:00" }, "half-typed: kept");
});

test("a link's creation time: both zones, the day once when they share it", () => {
  assert.equal(formatMoment(Date.UTC(2026, 11, 4, 5, 32) / 1000), "2026-12-04 14:32 JST · 13:32 ULAT");
  assert.equal(formatMoment(Date.UTC(2026, 11, 4, 15, 30) / 1000), "2026-12-05 00:30 JST · 2026-12-04 23:30 ULAT");
  assert.equal(formatMoment(null), "");
});

test("titles: a field per language, a plain string in the first, empty ones left out", () => {
  assert.deepEqual(titleFields(ROOM.title, LANGS), ROOM.title);
  assert.deepEqual(titleFields("Open discussion", LANGS), { en: "Open discussion", ja: "", mn: "" });
  assert.deepEqual(titleFields({ ja: "討論" }, ["en", "ja"]), { en: "", ja: "討論" });
  assert.deepEqual(titleValue({ en: " Open ", ja: "", mn: "  " }), { en: "Open" });
  assert.equal(titleValue({ en: " ", ja: "" }), null);
});

test("a PATCH carries only what changed", () => {
  const unchanged = formOf(ROOM, "JST", LANGS);
  assert.deepEqual(patchBody(ROOM, unchanged, "JST", LANGS), { body: {} });
  // The same slot typed on Ulaanbaatar's clock is no change either.
  assert.deepEqual(patchBody(ROOM, formOf(ROOM, "ULAT", LANGS), "ULAT", LANGS), { body: {} });
  const renamed = { ...unchanged, title: { ...unchanged.title, mn: "Эрт сэрэмжлүүлэг ба сургалт" } };
  assert.deepEqual(patchBody(ROOM, renamed, "JST", LANGS), { body: { title: { ...ROOM.title, mn: "Эрт сэрэмжлүүлэг ба сургалт" } } });
  const later = { ...formOf(ROOM, "ULAT", LANGS), ends: { date: "2026-12-10", time: "11:00" } };
  assert.deepEqual(patchBody(ROOM, later, "ULAT", LANGS), { body: { ends: "2026-12-10T11:00:00+08:00" } });
  const cleared = { ...unchanged, starts: { date: "", time: "" }, ends: { date: "", time: "" } };
  assert.deepEqual(patchBody(ROOM, cleared, "JST", LANGS), { body: { starts: null, ends: null } });
  const plain = { code: "DISCUSS", title: "Open discussion", starts: null, ends: null };
  assert.deepEqual(patchBody(plain, formOf(plain, "JST", LANGS), "JST", LANGS), { body: {} }, "a string title is no change");
});

test("a PATCH that cannot be right is refused before it is sent", () => {
  const form = formOf(ROOM, "JST", LANGS);
  assert.equal(patchBody(ROOM, { ...form, title: { en: "", ja: "", mn: "" } }, "JST", LANGS).error, "organise.err.title_required");
  assert.equal(patchBody(ROOM, { ...form, ends: { date: "2026-12-10", time: "" } }, "JST", LANGS).error, "organise.err.bad_time");
  assert.equal(patchBody(ROOM, { ...form, ends: { date: "2026-12-10", time: "09:59" } }, "JST", LANGS).error, "organise.err.ends_before_starts");
  assert.equal(patchBody(ROOM, { ...form, starts: { date: "", time: "" } }, "JST", LANGS).error, "organise.err.ends_without_start");
});

test("a new room: title map, code upper-cased and checked, slot optional", () => {
  const none = { date: "", time: "" };
  assert.deepEqual(newRoomBody({ title: { en: "Field visit", ja: "", mn: "" }, code: "", starts: none, ends: none }, "JST"), { body: { title: { en: "Field visit" } } });
  assert.deepEqual(
    newRoomBody({ title: { ja: "現地視察" }, code: " visit-1 ", starts: { date: "2026-12-11", time: "13:00" }, ends: { date: "2026-12-11", time: "15:00" } }, "JST"),
    { body: { title: { ja: "現地視察" }, code: "VISIT-1", starts: "2026-12-11T13:00:00+09:00", ends: "2026-12-11T15:00:00+09:00" } },
  );
  assert.equal(newRoomBody({ title: { en: "x" }, code: "a b", starts: none, ends: none }, "JST").error, "organise.err.bad_code");
  assert.equal(newRoomBody({ title: {}, code: "", starts: none, ends: none }, "JST").error, "organise.err.title_required");
});

test("moving a room up or down makes the whole new order; the ends do not move", () => {
  const codes = ["A1", "B2", "C3"];
  assert.deepEqual(moveCode(codes, "B2", -1), ["B2", "A1", "C3"]);
  assert.deepEqual(moveCode(codes, "B2", 1), ["A1", "C3", "B2"]);
  assert.equal(moveCode(codes, "A1", -1), null);
  assert.equal(moveCode(codes, "C3", 1), null);
  assert.equal(moveCode(codes, "ZZ", 1), null);
  assert.deepEqual(codes, ["A1", "B2", "C3"], "the input is not changed");
});
