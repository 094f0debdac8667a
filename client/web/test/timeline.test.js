// The rapporteur's timeline rebuilt from the JSON transcript (issue 13): lines from the
// log's command records, texts quoted from the log itself, merged with live lines by seq.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createLineSplitter, createLogReader, mergeLines, TIMELINE_LIMIT } from "../src/timeline.js";

const ok = (event, result = {}) => ({ ok: true, event, result });
const LOG = [
  { seq: 1, ts: 10, type: "ask", data: { text: "How are drills   run?", lang: "en", anon: false }, outcome: ok("question.asked", { qid: "q1", status: "pending" }) },
  { seq: 2, ts: 11, type: "vote", data: { qid: "q1", up: true }, outcome: { ok: false, code: "conflict", msg: "not live" } },
  { seq: 3, ts: 12, type: "moderate", data: { qid: "q1", action: "approve" }, outcome: ok("question.status", { status: "live", previous: "pending" }) },
  { seq: 4, ts: 13, type: "moderate", data: { qid: "q1", action: "pin" }, outcome: ok("question.pinned") },
  { seq: 5, ts: 14, type: "edit", data: { qid: "q1", text: "How are school drills run?" }, outcome: ok("question.edited") },
  { seq: 6, ts: 15, type: "moderate", data: { qid: null, action: "next" }, outcome: ok("question.pinned", { pinned: null, answered: "q1" }) },
  { seq: 7, ts: 16, type: "poll.create", data: { title: { en: "Sirens?", ja: "サイレン？" }, kind: "single", options: ["a", "b"] }, outcome: ok("poll.created", { poll_id: "p7" }) },
  { seq: 8, ts: 17, type: "poll.open", data: { poll_id: "p7" }, outcome: ok("poll.status") },
  { seq: 9, ts: 18, type: "poll.vote", data: { poll_id: "p7", choice: 0 }, outcome: ok("poll.voted") },
  { seq: 10, ts: 19, type: "poll.close", data: { poll_id: "p7" }, outcome: ok("poll.status") },
  { seq: 11, ts: 20, type: "moderate", data: { qid: "q1", action: "pin" }, outcome: ok(null) },
  { seq: 12, ts: 21, type: "room.close", data: {}, outcome: ok("room.state") },
];

test("each log entry that produced an event becomes the line a live event would", () => {
  const reader = createLogReader();
  const lines = LOG.map((e) => reader.add(e)).filter(Boolean);
  assert.deepEqual(
    lines.map((l) => [l.seq, l.key, l.params]),
    [
      [1, "rap.tl.pending", { text: "How are drills run?" }],
      [3, "rap.tl.live", { text: "How are drills run?" }],
      [4, "rap.tl.pinned", { text: "How are drills run?" }],
      [5, "rap.tl.edited", { text: "How are school drills run?" }],
      [6, "rap.tl.answered", { text: "How are school drills run?" }],
      [7, "rap.tl.poll_created", { title: "Sirens?" }],
      [8, "rap.tl.poll_open", { title: "Sirens?" }],
      [10, "rap.tl.poll_closed", { title: "Sirens?" }],
      [12, "rap.tl.room_closed", {}],
    ],
  );
  assert.equal(lines[0].ts, 10);
});

test("the JSON transcript is read line by line across chunk boundaries", () => {
  const text = `[\n${LOG.map((e) => JSON.stringify(e)).join(",\n")}\n]\n`;
  const splitter = createLineSplitter();
  const entries = [];
  for (let i = 0; i < text.length; i += 7) entries.push(...splitter.push(text.slice(i, i + 7)));
  entries.push(...splitter.end());
  assert.deepEqual(entries, LOG);
});

test("log lines and live lines merge by seq, newest first, at most the limit", () => {
  const log = Array.from({ length: 60 }, (_, i) => ({ seq: i + 1, key: "rap.tl.asked", params: {} }));
  const live = [{ seq: 60, key: "rap.tl.live", params: {} }, { seq: 61, key: "rap.tl.pinned", params: {} }];
  const merged = mergeLines(log, live);
  assert.equal(merged.length, TIMELINE_LIMIT);
  assert.deepEqual(merged.slice(0, 3).map((l) => [l.seq, l.key]), [[61, "rap.tl.pinned"], [60, "rap.tl.live"], [59, "rap.tl.asked"]]);
});
