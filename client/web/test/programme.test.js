// The programme (issue 14): days, order, now and next, and slots in JST and ULAT.
import assert from "node:assert/strict";
import { test } from "node:test";

import { loadLangs } from "../src/i18n.js";
import { dayLabel, formatSlot, groupByDay, nowAndNext, shortDate, slotParts, zonesFor } from "../src/programme.js";

await loadLangs(["ja", "mn"]);

// The demo's day (examples/sendai-ulaanbaatar.toml), given out of order, plus a session
// after midnight in Japan (still the evening before in Ulaanbaatar) and one without a slot.
const ROOMS = [
  { code: "SUB-EWS", starts: "2026-12-10T13:00:00+09:00", ends: "2026-12-10T14:30:00+09:00" },
  { code: "SUB-PLAN", starts: "2026-12-10T10:00:00+09:00", ends: "2026-12-10T11:30:00+09:00" },
  { code: "LATE", starts: "2026-12-11T00:30:00+09:00", ends: "2026-12-11T01:30:00+09:00" },
  { code: "SOCIAL", starts: null, ends: null },
  { code: "DISCUSS", starts: "2026-12-10T16:30:00+09:00", ends: "2026-12-10T17:30:00+09:00" },
  { code: "SUB-ECC", starts: "2026-12-10T14:45:00+09:00", ends: "2026-12-10T16:15:00+09:00" },
];
const codes = (group) => group.sessions.map((r) => r.code);
const at = (iso) => new Date(iso);

test("sessions are grouped by their day in Japan time, in order; rooms without a slot come last", () => {
  const days = groupByDay(ROOMS);
  assert.deepEqual(
    days.map((d) => d.key),
    ["2026-12-10", "2026-12-11", null],
  );
  assert.deepEqual(codes(days[0]), ["SUB-PLAN", "SUB-EWS", "SUB-ECC", "DISCUSS"]);
  // 00:30 JST on the 11th is 23:30 on the 10th in Ulaanbaatar: it is the 11th's session
  assert.deepEqual(codes(days[1]), ["LATE"]);
  assert.deepEqual(codes(days[2]), ["SOCIAL"]);
  assert.equal(days[2].date, null);
  // grouped by Ulaanbaatar's days instead, the late session joins the 10th
  assert.deepEqual(codes(groupByDay(ROOMS, "Asia/Ulaanbaatar")[0]).at(-1), "LATE");
  assert.deepEqual(groupByDay([{ code: "A" }]), [{ key: null, date: null, sessions: [{ code: "A" }] }]);
  assert.deepEqual(groupByDay([]), []);
});

test("now is start <= clock < end, next is the soonest start after the clock", () => {
  const mark = (iso) => {
    const { now, next } = nowAndNext(ROOMS, at(iso));
    return { now: [...now], next: [...next] };
  };
  assert.deepEqual(mark("2026-12-10T09:59:59+09:00"), { now: [], next: ["SUB-PLAN"] });
  assert.deepEqual(mark("2026-12-10T10:00:00+09:00"), { now: ["SUB-PLAN"], next: ["SUB-EWS"] });
  assert.deepEqual(mark("2026-12-10T11:29:59+09:00"), { now: ["SUB-PLAN"], next: ["SUB-EWS"] });
  // at its end a session is over; the gap before the next has nothing on
  assert.deepEqual(mark("2026-12-10T11:30:00+09:00"), { now: [], next: ["SUB-EWS"] });
  assert.deepEqual(mark("2026-12-10T14:44:59+09:00"), { now: [], next: ["SUB-ECC"] });
  assert.deepEqual(mark("2026-12-10T17:00:00+09:00"), { now: ["DISCUSS"], next: ["LATE"] });
  assert.deepEqual(mark("2026-12-11T02:00:00+09:00"), { now: [], next: [] });
  // the same instant written in another offset, and a clock in milliseconds
  assert.deepEqual([...nowAndNext(ROOMS, at("2026-12-10T09:15:00+08:00")).now], ["SUB-PLAN"]);
  assert.deepEqual([...nowAndNext(ROOMS, Date.parse("2026-12-10T01:00:00Z")).now], ["SUB-PLAN"]);
});

test("sessions starting together are next together; one without an end is never on", () => {
  const rooms = [
    { code: "A", starts: "2026-12-10T10:00:00+09:00", ends: "2026-12-10T11:00:00+09:00" },
    { code: "B", starts: "2026-12-10T10:00:00+09:00", ends: "2026-12-10T12:00:00+09:00" },
    { code: "C", starts: "2026-12-10T11:00:00+09:00" },
  ];
  assert.deepEqual([...nowAndNext(rooms, at("2026-12-10T09:00:00+09:00")).next].sort(), ["A", "B"]);
  const later = nowAndNext(rooms, at("2026-12-10T11:30:00+09:00"));
  assert.deepEqual([...later.now], ["B"]);
  assert.deepEqual([...later.next], []);
});

test("a slot in JST and ULAT side by side, dated in the reader's language", () => {
  const plan = ROOMS[1];
  assert.equal(formatSlot(plan, "en"), "10 Dec 10:00–11:30 JST · 09:00–10:30 ULAT");
  assert.deepEqual(slotParts(plan, "en"), [
    { tz: "Asia/Tokyo", label: "JST", text: "10:00–11:30" },
    { tz: "Asia/Ulaanbaatar", label: "ULAT", text: "09:00–10:30" },
  ]);
  assert.match(formatSlot(plan, "ja"), /^12月10日 10:00–11:30 JST · 09:00–10:30 ULAT$/);
  // Mongolian from the catalogue's template, whether or not this runtime has mn data
  assert.equal(formatSlot(plan, "mn", { intl: false }), "12-р сарын 10 10:00–11:30 JST · 09:00–10:30 ULAT");
  assert.equal(formatSlot({ code: "X" }, "en"), "");
  assert.deepEqual(slotParts({ code: "X", starts: "nonsense" }, "en"), []);
});

test("across midnight between the zones each side names its own day", () => {
  const late = ROOMS[2];
  assert.deepEqual(
    slotParts(late, "en").map((p) => p.text),
    ["00:30–01:30", "10 Dec 23:30–11 Dec 00:30"],
  );
  assert.equal(formatSlot({ code: "S", starts: "2026-12-10T12:00:00+09:00" }, "en"), "10 Dec 12:00 JST · 11:00 ULAT");
});

test("day headings: Intl where it knows the language, the catalogue's template otherwise", () => {
  const day = at("2026-12-10T10:00:00+09:00");
  assert.equal(dayLabel(day, "Asia/Tokyo", "en"), "Thursday 10 December");
  assert.match(dayLabel(day, "Asia/Tokyo", "ja"), /^12月10日/);
  assert.equal(dayLabel(day, "Asia/Tokyo", "mn", false), "12-р сарын 10, Пүрэв гараг");
  assert.equal(dayLabel(day, "Asia/Tokyo", "ja", false), "12月10日（木）");
  assert.equal(shortDate(at("2026-12-11T00:30:00+09:00"), "Asia/Ulaanbaatar", "mn", false), "12-р сарын 10");
});

test("the zones follow the event's timezones, both workshop zones by default", () => {
  assert.deepEqual(zonesFor(["Asia/Ulaanbaatar", "Asia/Tokyo"]).map((z) => z.label), ["ULAT", "JST"]);
  assert.deepEqual(zonesFor(["Asia/Ulaanbaatar"]).map((z) => z.label), ["ULAT"]);
  assert.deepEqual(zonesFor(undefined).map((z) => z.label), ["JST", "ULAT"]);
  assert.deepEqual(zonesFor(["Europe/Paris"]).map((z) => z.label), ["JST", "ULAT"]);
});
