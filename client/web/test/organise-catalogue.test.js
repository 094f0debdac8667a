// The organiser page's part of the catalogues (issue 15): the same keys in en, ja and mn,
// the same placeholders, no key that the main catalogues already have, and Japanese and
// Mongolian written in their own scripts (no English left in them).
import assert from "node:assert/strict";
import { test } from "node:test";

import en from "../src/catalogues/organise-en.js";
import ja from "../src/catalogues/organise-ja.js";
import mn from "../src/catalogues/organise-mn.js";
import { CATALOGUES, LANGS, loadLangs, t } from "../src/i18n.js";
import { loadOrganiseCatalogues } from "../src/views/organise-assets.js";

const PARTS = { en, ja, mn };
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const JAPANESE = /[\u3040-\u30FF\u4E00-\u9FFF]/;
const CYRILLIC = /[\u0400-\u04FF]/;

test("every language has every key, none empty, with the same placeholders", () => {
  const keys = Object.keys(en).sort();
  for (const lang of LANGS) {
    assert.deepEqual(Object.keys(PARTS[lang]).sort(), keys, `keys of ${lang}`);
    for (const key of keys) {
      assert.ok(PARTS[lang][key].trim(), `${lang} ${key} is empty`);
      assert.deepEqual(placeholders(PARTS[lang][key]), placeholders(en[key]), `${lang} ${key}`);
    }
  }
});

test("Japanese and Mongolian are translated, not English left over", () => {
  for (const key of Object.keys(en)) {
    assert.match(ja[key], JAPANESE, `ja ${key}: ${ja[key]}`);
    assert.match(mn[key], CYRILLIC, `mn ${key}: ${mn[key]}`);
  }
});

test("the part adds keys of its own only, and t() finds them once the page loaded it", async () => {
  await loadLangs(LANGS);
  for (const lang of LANGS) for (const key of Object.keys(en)) assert.ok(!(key in CATALOGUES[lang]), `${lang} ${key} is in the main catalogue`);
  assert.equal(t("organise.revoke", null, "mn"), "organise.revoke");
  await loadOrganiseCatalogues();
  assert.equal(t("organise.revoke", null, "en"), "Revoke");
  assert.equal(t("organise.revoke", null, "ja"), "無効にする");
  assert.equal(t("organise.revoke", null, "mn"), "Хүчингүй болгох");
  assert.equal(t("organise.done.created", { title: "Field visit", code: "VISIT" }, "en"), "Room “Field visit” (VISIT) created.");
  assert.equal(t("err.forbidden", null, "ja"), CATALOGUES.ja["err.forbidden"], "the main catalogue is intact");
});
