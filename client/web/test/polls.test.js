// The pure poll helpers: the draft form's checks, choices, result rows, the word cloud and
// the presenter's pick.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  averageRating,
  checkDraft,
  checkedValues,
  choiceFrom,
  cloudWords,
  describeChoice,
  emptyResults,
  normaliseWord,
  clockText,
  duplicateFields,
  durationText,
  pollActions,
  pollOrder,
  presenterPoll,
  resultRows,
  resultsVisible,
  sameChoice,
  secondsLeft,
} from "../src/polls.js";
import { participantOrder, staffOrder } from "../src/views/polls.js";

test("poll ids order by the seq of their create", () => {
  assert.equal(pollOrder("p12"), 12);
  assert.ok(pollOrder("p9") < pollOrder("p10"));
});

test("empty results have the shape of poll.results", () => {
  assert.deepEqual(emptyResults("single", ["a", "b", "c"]), { counts: [0, 0, 0], voters: 0 });
  assert.deepEqual(emptyResults("multi", ["a", "b"]), { counts: [0, 0], voters: 0 });
  assert.deepEqual(emptyResults("rating"), { counts: [0, 0, 0, 0, 0], voters: 0 });
  assert.deepEqual(emptyResults("words"), { counts: {}, voters: 0 });
});

test("words normalise as the server counts them", () => {
  assert.equal(normaliseWord("  Early   Warning "), "early warning");
  assert.equal(normaliseWord("ＥＡＲＬＹ\u3000ｗａｒｎｉｎｇ"), "early warning");
  assert.equal([...normaliseWord("ﬃ".repeat(20))].length, 40);
});

test("the draft form: title, kind, 2-10 distinct options for choice polls", () => {
  assert.deepEqual(checkDraft({ title: "  Which?  ", kind: "single", options: [" A ", "", "B"] }), {
    fields: { title: "Which?", kind: "single", options: ["A", "B"], hide_results: false },
  });
  assert.deepEqual(checkDraft({ title: "Rate", kind: "rating", options: ["ignored"], hideResults: true }), {
    fields: { title: "Rate", kind: "rating", options: [], hide_results: true },
  });
  assert.equal(checkDraft({ title: " ", kind: "words" }).error, "poll.bad_title");
  assert.equal(checkDraft({ title: "x".repeat(201), kind: "words" }).error, "poll.bad_title");
  assert.equal(checkDraft({ title: "Q", kind: "multi", options: ["A"] }).error, "poll.bad_options");
  assert.equal(checkDraft({ title: "Q", kind: "multi", options: ["A", "A"] }).error, "poll.bad_options");
  assert.equal(checkDraft({ title: "Q", kind: "single", options: Array.from({ length: 11 }, (_, i) => `o${i}`) }).error, "poll.bad_options");
  assert.equal(checkDraft({ title: "Q", kind: "single", options: ["A", "x".repeat(101)] }).error, "poll.bad_option");
  // Characters count as the server counts them (code points): 200 emoji fit.
  assert.ok(checkDraft({ title: "😀".repeat(200), kind: "words" }).fields);
});

test("a vote form's choice per kind", () => {
  assert.equal(choiceFrom("single", { checked: ["2"] }), 2);
  assert.equal(choiceFrom("single", { checked: [] }), null);
  assert.deepEqual(choiceFrom("multi", { checked: ["3", "0"] }), [0, 3]);
  assert.equal(choiceFrom("multi", { checked: [] }), null);
  assert.equal(choiceFrom("rating", { checked: ["5"] }), 5);
  assert.equal(choiceFrom("words", { word: "  sea   wall " }), "sea wall");
  assert.equal(choiceFrom("words", { word: "   " }), null);
  assert.equal(choiceFrom("words", { word: "x".repeat(41) }), null);
});

test("sameChoice compares sets and words as the server does", () => {
  assert.ok(sameChoice([2, 0], [0, 2]));
  assert.ok(!sameChoice([0], [0, 1]));
  assert.ok(sameChoice(1, 1));
  assert.ok(!sameChoice(1, 2));
  assert.ok(sameChoice("Sea  Wall", "sea wall"));
  assert.ok(!sameChoice(null, 0));
  assert.ok(sameChoice(null, undefined));
  assert.deepEqual(checkedValues([0, 2]), ["0", "2"]);
  assert.deepEqual(checkedValues(3), ["3"]);
  assert.deepEqual(checkedValues("word"), []);
});

test("choices described for people", () => {
  const poll = { kind: "multi", options: ["Siren", "SMS", "Radio"] };
  assert.equal(describeChoice(poll, [0, 2]), "Siren, Radio");
  assert.equal(describeChoice({ ...poll, kind: "single" }, 1), "SMS");
  assert.equal(describeChoice({ kind: "rating" }, 3), "★★★");
  assert.equal(describeChoice({ kind: "words" }, "levee"), "levee");
});

test("result rows are percentages of voters; ratings average", () => {
  const rows = resultRows({ kind: "multi", options: ["A", "B"] }, { counts: [3, 1], voters: 3 });
  assert.deepEqual(rows, [
    { key: "0", label: "A", count: 3, percent: 100 },
    { key: "1", label: "B", count: 1, percent: 33 },
  ]);
  const rating = resultRows({ kind: "rating", options: [] }, { counts: [0, 0, 1, 0, 1], voters: 2 });
  assert.deepEqual(rating.map((r) => r.label), ["1", "2", "3", "4", "5"]);
  assert.deepEqual(rating.map((r) => r.percent), [0, 0, 50, 0, 50]);
  assert.equal(averageRating({ counts: [0, 0, 1, 0, 1] }), 4);
  assert.equal(averageRating({ counts: [0, 0, 0, 0, 0] }), null);
  assert.deepEqual(resultRows({ kind: "single", options: ["A"] }, { counts: [0], voters: 0 })[0].percent, 0);
});

test("the word cloud: biggest first, hidden words left out, sizes 1-6", () => {
  const words = cloudWords({ counts: { flood: 2, tsunami: 6, spam: 9, levee: 1 }, voters: 18 }, ["spam"]);
  assert.deepEqual(words.map((w) => w.word), ["tsunami", "flood", "levee"]);
  assert.deepEqual(words.map((w) => w.size), [6, 2, 1]);
  assert.deepEqual(cloudWords({ counts: [1, 2] }), []);
  assert.deepEqual(cloudWords(null), []);
});

test("moderator actions per status", () => {
  assert.deepEqual(pollActions("draft"), ["edit", "open", "duplicate", "delete"]);
  assert.deepEqual(pollActions("open"), ["close", "show", "duplicate", "delete"]);
  assert.deepEqual(pollActions("closed", true), ["reopen", "unshow", "duplicate", "delete"]);
});

test("the draft form's timer and results-once-voted", () => {
  assert.deepEqual(checkDraft({ title: "Q", kind: "rating", seconds: "60", hideUntilVoted: true }).fields, {
    title: "Q",
    kind: "rating",
    options: [],
    hide_results: false,
    hide_until_voted: true,
    seconds: 60,
  });
  assert.equal(checkDraft({ title: "Q", kind: "rating", seconds: "" }).fields.seconds, undefined);
  for (const bad of [5, 3601, 1.5, "x"]) assert.equal(checkDraft({ title: "Q", kind: "rating", seconds: bad }).error, "poll.bad_timer");
});

test("duplicate copies a poll's settings, not its votes or status", () => {
  const poll = { poll_id: "p4", title: "T", kind: "single", options: ["A", "B"], hide_results: true, hide_until_voted: true, seconds: 120, status: "closed", results: {} };
  assert.deepEqual(duplicateFields(poll), { title: "T", kind: "single", options: ["A", "B"], hide_results: true, hide_until_voted: true, seconds: 120 });
  assert.deepEqual(duplicateFields({ ...poll, hide_until_voted: false, seconds: null }), { title: "T", kind: "single", options: ["A", "B"], hide_results: true });
});

test("a timed poll's countdown", () => {
  const poll = { status: "open", closes_ts: 1000 };
  assert.equal(secondsLeft(poll, 940.2), 60);
  assert.equal(secondsLeft(poll, 1003), 0);
  assert.equal(secondsLeft({ ...poll, status: "closed" }, 940), null);
  assert.equal(secondsLeft({ status: "open", closes_ts: null }, 940), null);
  assert.equal(clockText(65), "1:05");
  assert.equal(clockText(9), "0:09");
  assert.equal(clockText(3600), "60:00");
  assert.equal(durationText(30, "en"), "30 seconds");
  assert.equal(durationText(120, "en"), "2 minutes");
  assert.equal(durationText(90, "en"), "90 seconds");
});

test("who sees a poll's results", () => {
  const open = { status: "open", hide_results: false, hide_until_voted: true };
  assert.equal(resultsVisible(open), false);
  assert.equal(resultsVisible(open, { voted: true }), true);
  assert.equal(resultsVisible(open, { staff: true }), true);
  assert.equal(resultsVisible({ ...open, hide_results: true }, { voted: true }), false);
  assert.equal(resultsVisible({ ...open, status: "closed" }), true);
  assert.equal(resultsVisible({ ...open, hide_until_voted: false }), true);
});

test("the presenter shows the poll on screen, and nothing else", () => {
  const polls = new Map(
    [
      ["p1", "closed"],
      ["p2", "open"],
      ["p3", "draft"],
    ].map(([id, status]) => [id, { poll_id: id, status, order: pollOrder(id) }]),
  );
  assert.equal(presenterPoll(polls, null), null);
  assert.equal(presenterPoll(polls, "p2").poll_id, "p2");
  assert.equal(presenterPoll(polls, "p1").poll_id, "p1");
  assert.equal(presenterPoll(polls, "p3"), null);
  assert.equal(presenterPoll(polls, "p9"), null);
});

test("list orders: staff see open, drafts, closed; participants open then closed", () => {
  const p = (id, status) => ({ poll_id: id, status });
  const polls = [p("p1", "closed"), p("p2", "draft"), p("p3", "open"), p("p4", "draft"), p("p5", "open"), p("p6", "closed")];
  assert.deepEqual(staffOrder(polls).map((x) => x.poll_id), ["p5", "p3", "p2", "p4", "p6", "p1"]);
  assert.deepEqual(participantOrder(polls.filter((x) => x.status !== "draft")).map((x) => x.poll_id), ["p5", "p3", "p6", "p1"]);
});
