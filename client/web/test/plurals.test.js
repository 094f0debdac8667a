// The audit of issue 13: every count shown to a person goes through Intl.PluralRules, so no
// English string reads "1 votes" or "2 vote", and ja / mn keep their one form.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CATALOGUES, loadLangs, LANGS, t } from "../src/i18n.js";

await loadLangs(LANGS); // ja and mn are chunks fetched on demand

const COUNTED = Object.keys(CATALOGUES.en).filter((k) => !/\.(one|other)$/.test(k) && CATALOGUES.en[k].includes("{n}"));
// "Option {n}", "{n}/500", "{n} of 5 stars": a number, not a count of something.
const NOT_COUNTS = new Set(["poll.option_placeholder", "poll.option_label", "poll.remove_option_label", "ask.counter", "poll.average", "poll.stars"]);

test("no English count says '1 <plural noun>'", () => {
  for (const key of COUNTED.filter((k) => !NOT_COUNTS.has(k))) {
    const one = t(key, { n: 1, orgs: "UNDRR 1" }, "en");
    assert.doesNotMatch(one, /\b1 (votes|voters|participants|polls|changes|questions|people)\b/, `${key}: ${one}`);
    const two = t(key, { n: 2, orgs: "UNDRR 2" }, "en");
    assert.doesNotMatch(two, /\b2 (vote|voter|participant|poll|change|question)\b(?!s)/, `${key}: ${two}`);
  }
});

test("the participant page's counts: 1 vote / 2 votes, 1 participant / 2 participants, in every language", () => {
  assert.equal(t("poll.count_votes", { n: 1 }, "en"), "1 vote");
  assert.equal(t("poll.count_votes", { n: 2 }, "en"), "2 votes");
  assert.equal(t("part.presence", { n: 1, orgs: "Sendai City 1" }, "en"), "1 participant here: Sendai City 1");
  assert.equal(t("part.presence", { n: 3, orgs: "Sendai City 3" }, "en"), "3 participants here: Sendai City 3");
  assert.equal(t("part.tab_polls_waiting", { n: 1 }, "en"), "1 open poll to answer");
  for (const lang of LANGS) {
    for (const n of [0, 1, 2, 5, 21]) assert.ok(!t("poll.past", { n }, lang).includes("{"), `${lang} poll.past ${n}`);
  }
});
