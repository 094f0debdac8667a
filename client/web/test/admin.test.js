// The admin page's pure part (src/admin-event.js) and its own catalogues (issue 15).
import assert from "node:assert/strict";
import { test } from "node:test";

import { absoluteLink, ADMIN_KEY, eventBody, isoAt, langMap, madeAt, refusal, takeAdminKey } from "../src/admin-event.js";
import en from "../src/catalogues/admin-en.js";
import ja from "../src/catalogues/admin-ja.js";
import mn from "../src/catalogues/admin-mn.js";
import { CATALOGUES, LANGS, loadLangs } from "../src/i18n.js";

await loadLangs(LANGS);

const FORM = {
  title: { en: "MCR2030 follow-up", ja: "", mn: " " },
  code: "follow-1",
  roomTitle: { en: "", ja: "コミットメント", mn: "" },
  date: "",
  starts: "",
  ends: "",
  zone: "JST",
};

test("the body: languages left empty are dropped, one language stays a map, the code is upper-cased", () => {
  const { body, error } = eventBody(FORM);
  assert.equal(error, undefined);
  assert.deepEqual(body, {
    title: { en: "MCR2030 follow-up" },
    rooms: [{ code: "FOLLOW-1", title: { ja: "コミットメント" } }],
    timezones: ["Asia/Tokyo", "Asia/Ulaanbaatar"],
    languages: ["en", "ja", "mn"],
  });
  assert.deepEqual(langMap({ mn: "  Амлалт ", en: "", fr: "Engagement" }), { mn: "Амлалт" });
});

test("a slot is ISO 8601 with the chosen zone's offset", () => {
  const { body } = eventBody({ ...FORM, date: "2026-12-10", starts: "10:00", ends: "11:30", zone: "ULAT" });
  assert.equal(body.rooms[0].starts, "2026-12-10T10:00:00+08:00");
  assert.equal(body.rooms[0].ends, "2026-12-10T11:30:00+08:00");
  assert.equal(isoAt("2026-12-10", "09:05", "JST"), "2026-12-10T09:05:00+09:00");
  assert.equal(isoAt("2026-12-10", "09:05:30", "JST"), "2026-12-10T09:05:30+09:00");
  const startOnly = eventBody({ ...FORM, date: "2027-02-03", starts: "14:00" }).body.rooms[0];
  assert.equal(startOnly.starts, "2027-02-03T14:00:00+09:00");
  assert.equal("ends" in startOnly, false);
});

test("dates, times and zones that are not real are refused", () => {
  assert.equal(isoAt("2026-02-30", "10:00", "JST"), null);
  assert.equal(isoAt("2026-12-10", "24:00", "JST"), null);
  assert.equal(isoAt("2026-12-10", "10:00", "CET"), null);
  assert.equal(isoAt("10/12/2026", "10:00", "JST"), null);
});

test("each mistake names its message and the field to focus", () => {
  const cases = [
    [{ title: { en: " ", ja: "", mn: "" } }, "admin.err.title_missing", "title"],
    [{ title: { mn: "я".repeat(201) } }, "admin.err.title_long", "title.mn"],
    [{ code: "" }, "admin.err.code", "code"],
    [{ code: "A" }, "admin.err.code", "code"],
    [{ code: "-AB" }, "admin.err.code", "code"],
    [{ code: "SUB PLAN" }, "admin.err.code", "code"],
    [{ code: "X".repeat(33) }, "admin.err.code", "code"],
    [{ roomTitle: {} }, "admin.err.room_title_missing", "room_title"],
    [{ starts: "10:00" }, "admin.err.needs_date", "date"],
    [{ date: "2026-12-10", ends: "11:00" }, "admin.err.needs_start", "starts"],
    [{ date: "2026-12-10", starts: "11:00", ends: "11:00" }, "admin.err.ends_before", "ends"],
    [{ date: "2026-12-10", starts: "11:00", ends: "09:59" }, "admin.err.ends_before", "ends"],
    [{ date: "2026-13-01", starts: "11:00" }, "admin.err.bad_time", "starts"],
  ];
  for (const [change, error, field] of cases) {
    assert.deepEqual(eventBody({ ...FORM, ...change }), { error, field }, JSON.stringify(change));
  }
  assert.equal(eventBody({ ...FORM, title: { en: "é".repeat(200) } }).error, undefined, "200 characters are fine");
});

test("the key comes from the fragment once, is wiped from the address bar and kept for this tab", () => {
  const kept = new Map();
  const store = { get: (k) => kept.get(k) ?? null, set: (k, v) => kept.set(k, v), remove: (k) => kept.delete(k) };
  const replaced = [];
  const hist = { state: null, replaceState: (_s, _t, url) => replaced.push(url) };
  assert.equal(takeAdminKey(store, { hash: "#key=abc.def", pathname: "/admin", search: "" }, hist), "abc.def");
  assert.deepEqual(replaced, ["/admin"]);
  assert.equal(kept.get(ADMIN_KEY), "abc.def");
  assert.equal(takeAdminKey(store, { hash: "", pathname: "/admin", search: "" }, hist), "abc.def");
  assert.equal(replaced.length, 1, "no key in the address: nothing to wipe");
  kept.clear();
  assert.equal(takeAdminKey(store, { hash: "", pathname: "/admin", search: "" }, hist), null);
});

test("the organiser link is made absolute, its key kept after '#'", () => {
  assert.equal(absoluteLink("/e/a1b2/organise#key=K.1-2", "https://rooms.example"), "https://rooms.example/e/a1b2/organise#key=K.1-2");
});

test("answers: 401 and 403 drop the key, 400 shows the detail, 409 names the code", () => {
  assert.equal(refusal(201, {}), null);
  assert.equal(refusal(401, {}).forget, true);
  assert.equal(refusal(403, { error: "forbidden" }).key, "admin.err.bad_key");
  assert.deepEqual(refusal(400, { error: "bad_request", detail: "event: rooms: must have at least one" }).params, { detail: "event: rooms: must have at least one" });
  assert.deepEqual(refusal(409, {}, "FOLLOW-1"), { key: "admin.err.taken", params: { code: "FOLLOW-1" } });
  assert.equal(refusal(503, null).key, "admin.err.failed");
});

test("the admin catalogues: the same keys and placeholders in all three, none empty, none shadowing the main ones", () => {
  const PLURAL = /\.(zero|one|two|few|many)$/;
  const base = (c) => Object.keys(c).filter((k) => !PLURAL.test(k)).sort();
  const marks = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [lang, table] of Object.entries({ ja, mn })) {
    assert.deepEqual(base(table), base(en), lang);
    for (const key of base(en)) {
      assert.ok(table[key].trim(), `${lang} ${key}`);
      assert.deepEqual(marks(table[key]), marks(en[key]), `${lang} ${key}`);
    }
  }
  for (const key of Object.keys(en)) assert.ok(!(key in CATALOGUES.en) || CATALOGUES.en[key] === en[key], key);
  assert.match(mn["admin.new_event"], /[\u0400-\u04FF]/);
  assert.match(ja["admin.new_event"], /[\u3040-\u30FF\u4E00-\u9FFF]/);
});

test("/admin is the admin page; nothing under it is", async () => {
  const { parseRoute } = await import("../src/route.js");
  assert.deepEqual(parseRoute("/admin"), { page: "admin" });
  assert.equal(parseRoute("/admin/x").page, "unknown");
});

test("an event's creation time reads in both zones, 24 h, the same in every language", () => {
  assert.deepEqual(madeAt(Date.UTC(2026, 11, 4, 14, 22) / 1000), ["2026-12-04 23:22 JST", "2026-12-04 22:22 ULAT"]);
  assert.deepEqual(madeAt(Date.UTC(2026, 11, 31, 15, 5) / 1000), ["2027-01-01 00:05 JST", "2026-12-31 23:05 ULAT"]);
  assert.deepEqual(madeAt(undefined), []);
});
