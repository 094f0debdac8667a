// The registry of organisations in the browser (issue 14): one id whatever language a name
// is in, free text stays text, names in the reader's language, profiles, presence rows
// (organisations.js), the join form's choice (org-choice.js), city totals (cities.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadLangs } from "../src/i18n.js";
import { cityRows } from "../src/cities.js";
import { choiceFields, initialChoice, orderedRegistry } from "../src/org-choice.js";
import { orgLabel, presenceRows, readRegistry, resolveOrg, withRegistry } from "../src/organisations.js";

const ORGS = readRegistry([
  { id: "sendai", name: { en: "Sendai City", ja: "仙台市", mn: "Сендай хот" }, city: "sendai" },
  { id: "undrr-onea-geti", name: { en: "UNDRR ONEA-GETI", ja: "国連防災機関 北東アジア事務所", mn: "НҮБ-ын ГЭБА ONEA-GETI" }, city: "undrr" },
  { id: "ulaanbaatar", name: { en: "Ulaanbaatar City", ja: "ウランバートル市", mn: "Улаанбаатар хот" }, city: "ulaanbaatar" },
  { id: "undrr-kobe", name: { en: "UNDRR Kobe Office", ja: "国連防災機関 神戸事務所" }, city: "undrr" },
  { id: "BAD ID", name: "dropped" },
]);

test("仙台市, Sendai City and Сендай хот are one registry id, whatever the case or spacing", () => {
  assert.equal(resolveOrg("仙台市", ORGS), "sendai");
  assert.equal(resolveOrg("Sendai City", ORGS), "sendai");
  assert.equal(resolveOrg("Сендай хот", ORGS), "sendai");
  assert.equal(resolveOrg("  sendai   CITY ", ORGS), "sendai");
  assert.equal(resolveOrg("ＳＥＮＤＡＩ　ＣＩＴＹ", ORGS), "sendai"); // full-width, NFKC
  assert.equal(resolveOrg("сендай хот", ORGS), "sendai");
  assert.equal(resolveOrg("sendai", ORGS), "sendai"); // the id itself
});

test("free text stays text", () => {
  assert.equal(resolveOrg("Tohoku University", ORGS), null);
  assert.equal(resolveOrg("Sendai University", ORGS), null);
  assert.equal(resolveOrg("", ORGS), null);
  assert.equal(orgLabel("Tohoku University", "ja", ORGS), "Tohoku University");
  assert.deepEqual(choiceFields("other", "  Tohoku University ", "ja", ORGS), { org: "Tohoku University" });
  assert.deepEqual(initialChoice({ org: "Tohoku University" }, ORGS), { choice: "other", other: "Tohoku University" });
  assert.equal(ORGS.length, 4, "an entry with a malformed id is left out");
});

test("an organisation is named in each reader's language, from its id or any of its names", () => {
  assert.equal(orgLabel("sendai", "en", ORGS), "Sendai City");
  assert.equal(orgLabel("sendai", "ja", ORGS), "仙台市");
  assert.equal(orgLabel("sendai", "mn", ORGS), "Сендай хот");
  assert.equal(orgLabel("仙台市", "mn", ORGS), "Сендай хот");
  assert.equal(orgLabel("Улаанбаатар хот", "ja", ORGS), "ウランバートル市");
  assert.equal(orgLabel("undrr-kobe", "mn", ORGS), "UNDRR Kobe Office"); // no mn name: falls back
});

test("a registry pick sends org_id and its name in the picker's language; none sends nothing", () => {
  assert.deepEqual(choiceFields("sendai", "ignored", "ja", ORGS), { org: "仙台市", org_id: "sendai" });
  assert.deepEqual(choiceFields("sendai", "", "en", ORGS), { org: "Sendai City", org_id: "sendai" });
  assert.deepEqual(choiceFields("", "", "en", ORGS), { org: "" });
  assert.deepEqual(choiceFields("gone", "", "en", ORGS), { org: "" });
});

test("a registry name longer than join's 80 characters goes as org_id alone", () => {
  const long = readRegistry([{ id: "geti", name: { en: "UNDRR Office for Northeast Asia and Global Education and Training Institute for DRR (ONEA-GETI), Incheon", ja: "国連防災機関 ONEA-GETI" } }]);
  assert.deepEqual(choiceFields("geti", "", "en", long), { org: "", org_id: "geti" });
  assert.deepEqual(choiceFields("geti", "", "ja", long), { org: "国連防災機関 ONEA-GETI", org_id: "geti" });
  assert.deepEqual(withRegistry({ name: "Kim", org: "", org_id: "geti", lang: "en" }, long), { name: "Kim", org: "", org_id: "geti", lang: "en" });
});

test("a stored profile keeps its org_id; an old one with only text gains the id", () => {
  assert.deepEqual(withRegistry({ name: "Aiko", org: "仙台市", lang: "ja" }, ORGS), { name: "Aiko", org: "仙台市", lang: "ja", org_id: "sendai" });
  assert.deepEqual(withRegistry({ name: "Bat", org: "Sendai City", lang: "mn" }, ORGS), { name: "Bat", org: "Сендай хот", lang: "mn", org_id: "sendai" });
  assert.deepEqual(withRegistry({ name: "Sara", org: "Tohoku University", lang: "en" }, ORGS), { name: "Sara", org: "Tohoku University", lang: "en" });
  assert.deepEqual(withRegistry({ name: "Sara", org: "Old", org_id: "gone", lang: "en" }, ORGS), { name: "Sara", org: "Old", lang: "en" });
  const keep = { name: "Aiko", org: "x", org_id: "sendai", lang: "en" };
  assert.deepEqual(withRegistry(keep, []), keep, "without a registry nothing changes");
  assert.deepEqual(initialChoice({ org: "Ulaanbaatar City", org_id: "ulaanbaatar" }, ORGS), { choice: "ulaanbaatar", other: "" });
  assert.deepEqual(initialChoice({ org: "ウランバートル市" }, ORGS), { choice: "ulaanbaatar", other: "" });
  assert.deepEqual(initialChoice({ org: "" }, ORGS), { choice: "", other: "" });
});

test("the join form lists the registry grouped by city, in the event file's order", () => {
  assert.deepEqual(
    orderedRegistry(ORGS).map((o) => o.id),
    ["sendai", "undrr-onea-geti", "undrr-kobe", "ulaanbaatar"],
  );
});

test("presence rows: one row per registry id in the reader's language, free text as typed", () => {
  const byOrg = { sendai: 2, "Sendai City": 1, ulaanbaatar: 1, "Tohoku University": 1, "": 0 };
  assert.deepEqual(presenceRows(byOrg, "ja", ORGS), [["仙台市", 3], ["Tohoku University", 1], ["ウランバートル市", 1]]);
  assert.deepEqual(presenceRows(byOrg, "mn", ORGS)[0], ["Сендай хот", 3]);
});

test("city totals: the server's by_city, else summed from by_org; named in each language", async () => {
  await loadLangs(["ja", "mn"]);
  const byOrg = { sendai: 23, ulaanbaatar: 19, "undrr-kobe": 2, "undrr-onea-geti": 2, "Tohoku University": 3 };
  assert.deepEqual(cityRows(byOrg, null, "en", ORGS), [["Sendai", 23], ["UNDRR", 4], ["Ulaanbaatar", 19]]);
  assert.deepEqual(cityRows({}, { ulaanbaatar: 19, sendai: 23 }, "ja", ORGS), [["仙台", 23], ["ウランバートル", 19]]);
  assert.deepEqual(cityRows({}, { sendai: 1, ulaanbaatar: 2 }, "mn", ORGS), [["Сендай", 1], ["Улаанбаатар", 2]]);
  assert.deepEqual(cityRows({ x: 1 }, null, "en", []), [], "no registry: no cities");
});
