// The moderator console's pure parts (issue 13): triage, shortcuts, the favicon badge.
import assert from "node:assert/strict";
import { test } from "node:test";

import { badgeText, faviconUrl } from "../src/favicon.js";
import { isTyping, moveIndex, SHORTCUTS, shortcutFor } from "../src/shortcuts.js";
import { facets, fold, isFiltered, matches, orderQueue, triage } from "../src/triage.js";

const q = (order, votes, text, name, org, lang) => ({ qid: `q${order}`, order, votes, text, lang, author: name ? { name, org } : null });
const QS = [
  q(3, 2, "Where are the tsunami towers?", "Aiko Sato", "Sendai City", "en"),
  q(7, 5, "避難所の運営について", "Kenji Ito", "Tohoku University", "ja"),
  q(5, 2, "Сургуулийн бэлтгэл", "Bat-Erdene", "Ulaanbaatar City", "mn"),
  q(9, 0, "Anonymous worry", null, null, "en"),
];
const ids = (list) => list.map((x) => x.qid);

test("search finds text, names and organisations, every word, any case and width", () => {
  assert.deepEqual(ids(QS.filter((x) => matches(x, { query: "TSUNAMI" }))), ["q3"]);
  assert.deepEqual(ids(QS.filter((x) => matches(x, { query: "kenji" }))), ["q7"]);
  assert.deepEqual(ids(QS.filter((x) => matches(x, { query: "ｓｅｎｄａｉ city" }))), ["q3"]);
  assert.deepEqual(ids(QS.filter((x) => matches(x, { query: "сургуулийн" }))), ["q5"]);
  assert.deepEqual(ids(QS.filter((x) => matches(x, { query: "避難所" }))), ["q7"]);
  assert.deepEqual(ids(QS.filter((x) => matches(x, { query: "towers sendai" }))), ["q3"]);
  assert.deepEqual(ids(QS.filter((x) => matches(x, { query: "towers ulaanbaatar" }))), []);
  assert.equal(QS.filter((x) => matches(x, { query: "  " })).length, 4);
});

test("filters by language and organisation", () => {
  assert.deepEqual(ids(QS.filter((x) => matches(x, { lang: "en" }))), ["q3", "q9"]);
  assert.deepEqual(ids(QS.filter((x) => matches(x, { org: "ulaanbaatar city" }))), ["q5"]);
  assert.deepEqual(ids(QS.filter((x) => matches(x, { lang: "ja", org: "Sendai City" }))), []);
});

test("sorts by votes (ties: oldest), newest, oldest, and each queue's own order", () => {
  assert.deepEqual(ids(orderQueue(QS, "live", "votes")), ["q7", "q3", "q5", "q9"]);
  assert.deepEqual(ids(orderQueue(QS, "live", "newest")), ["q9", "q7", "q5", "q3"]);
  assert.deepEqual(ids(orderQueue(QS, "live", "oldest")), ["q3", "q5", "q7", "q9"]);
  assert.deepEqual(ids(orderQueue(QS, "pending")), ["q3", "q5", "q7", "q9"]); // a queue: oldest first
  assert.deepEqual(ids(orderQueue(QS, "live")), ["q7", "q3", "q5", "q9"]);
  assert.deepEqual(ids(orderQueue(QS, "answered", "nonsense")), ["q9", "q7", "q5", "q3"]);
  assert.deepEqual(ids(triage(QS, "pending", { lang: "en", sort: "newest" })), ["q9", "q3"]);
});

test("facets list languages and organisations once, sorted", () => {
  const more = [...QS, q(11, 0, "x", "Maria", "sendai city", "en")];
  assert.deepEqual(facets(more), { langs: ["en", "ja", "mn"], orgs: ["Sendai City", "Tohoku University", "Ulaanbaatar City"] });
  assert.equal(isFiltered({ query: " " }), false);
  assert.equal(isFiltered({ org: "UNDRR" }), true);
  assert.equal(fold("  A\u3000B "), "a b");
});

const key = (k, extra = {}) => ({ key: k, target: { tagName: "LI" }, ...extra });

test("each shortcut key maps to its action", () => {
  const expected = { j: "down", ArrowDown: "down", k: "up", ArrowUp: "up", a: "approve", A: "approve", d: "dismiss", p: "pin", n: "next", m: "answered", "?": "help" };
  for (const [k, action] of Object.entries(expected)) assert.equal(shortcutFor(key(k)), action, k);
  assert.equal(shortcutFor(key("x")), null);
  assert.equal(shortcutFor(key("Enter")), null);
  assert.deepEqual(SHORTCUTS.map((s) => s.action), ["down", "up", "approve", "dismiss", "pin", "next", "answered", "help"]);
});

test("no shortcut while typing, composing or with a modifier", () => {
  for (const tagName of ["INPUT", "TEXTAREA", "SELECT"]) assert.equal(shortcutFor(key("a", { target: { tagName } })), null, tagName);
  assert.equal(shortcutFor(key("a", { target: { tagName: "DIV", isContentEditable: true } })), null);
  assert.equal(shortcutFor(key("a", { isComposing: true })), null);
  for (const mod of ["ctrlKey", "altKey", "metaKey"]) assert.equal(shortcutFor(key("a", { [mod]: true })), null, mod);
  assert.equal(isTyping(null), false);
});

test("moving the selection stays inside the list", () => {
  assert.equal(moveIndex(-1, 1, 3), 0);
  assert.equal(moveIndex(-1, -1, 3), 2);
  assert.equal(moveIndex(2, 1, 3), 2);
  assert.equal(moveIndex(0, -1, 3), 0);
  assert.equal(moveIndex(1, 1, 3), 2);
  assert.equal(moveIndex(0, 1, 0), -1);
});

test("the favicon shows the pending count as an SVG data URL", () => {
  assert.equal(faviconUrl(0), "data:,");
  assert.equal(badgeText(-2), "");
  assert.equal(badgeText(7), "7");
  assert.equal(badgeText(150), "99+");
  const url = faviconUrl(3);
  assert.ok(url.startsWith("data:image/svg+xml,"));
  const svg = decodeURIComponent(url.slice("data:image/svg+xml,".length));
  assert.match(svg, /<text[^>]*>3<\/text>/);
  assert.notEqual(faviconUrl(3), faviconUrl(4));
});
