// The store applies a snapshot, then events in seq order (PROTOCOL.md "Events").
import assert from "node:assert/strict";
import { test } from "node:test";

import { RoomStore, sortQuestions } from "../src/store.js";

const q = (n, extra = {}) => ({
  qid: `q${n}`,
  text: `question ${n}`,
  lang: "en",
  author: { pid: "a".repeat(16), name: "Aiko", org: "Sendai City" },
  status: "live",
  votes: 0,
  answer: null,
  ts: 1764200000 + n,
  ...extra,
});

function joined(epoch = "e1") {
  const store = new RoomStore();
  store.applyJoin({
    me: { pid: "b".repeat(16), name: "Bat", org: "Ulaanbaatar City", roles: ["participant"] },
    token: "tok",
    room: { code: "SUB-PLAN", title: "Planning", event: { id: "ev", title: "MCR2030" }, state: "open", settings: {} },
    seq: 10,
    epoch,
  });
  store.applySnapshot({
    t: "snapshot",
    seq: 10,
    state: {
      questions: [q(3, { votes: 2 }), q(5)],
      pinned: null,
      polls: [],
      settings: { premoderation: false, anonymous_allowed: true, notes_locked: false },
      state: "open",
      queue: { pending: 1, dismissed: 0 },
      mine: { votes: ["q3"], questions: ["q5"], poll_votes: {} },
    },
  });
  return store;
}

const ev = (seq, type, data = {}) => ({ t: "ev", seq, ts: 1764200100 + seq, type, data });

test("snapshot sets state, seq and mine", () => {
  const s = joined();
  assert.equal(s.seq, 10);
  assert.equal(s.epoch, "e1");
  assert.equal(s.questions.size, 2);
  assert.ok(s.mine.votes.has("q3"));
  assert.ok(s.isMine("q5"));
  assert.deepEqual(s.queue, { pending: 1, dismissed: 0 });
  assert.equal(s.room.title, "Planning");
  assert.deepEqual(s.resumePoint(), { since: 10, epoch: "e1" });
});

test("hidden events only advance seq", () => {
  const s = joined();
  const before = JSON.stringify([...s.questions.values()]);
  assert.equal(s.applyEvent(ev(11, "hidden")), "applied");
  assert.equal(s.seq, 11);
  assert.equal(JSON.stringify([...s.questions.values()]), before);
});

test("duplicates are dropped and gaps are reported without applying", () => {
  const s = joined();
  assert.equal(s.applyEvent(ev(10, "question.pinned", { qid: "q3" })), "duplicate");
  assert.equal(s.pinned, null);
  assert.equal(s.applyEvent(ev(12, "question.pinned", { qid: "q3" })), "gap");
  assert.equal(s.pinned, null);
  assert.equal(s.seq, 10);
  assert.equal(s.applyEvent(ev(11, "question.pinned", { qid: "q3" })), "applied");
  assert.equal(s.pinned, "q3");
});

test("events before any snapshot wait", () => {
  const s = new RoomStore();
  assert.equal(s.applyEvent(ev(1, "hidden")), "waiting");
});

test("a new epoch drops the seq until the snapshot", () => {
  const s = joined("e1");
  s.applyJoin({ me: s.me, room: null, seq: 3, epoch: "e2" });
  assert.equal(s.seq, null);
  assert.equal(s.applyEvent(ev(4, "hidden")), "waiting");
  s.applySnapshot({ seq: 3, state: { questions: [], mine: {} } });
  assert.equal(s.seq, 3);
  assert.equal(s.questions.size, 0);
});

test("the same epoch keeps the seq for a resume", () => {
  const s = joined("e1");
  s.applyJoin({ me: s.me, room: null, seq: 20, epoch: "e1" });
  assert.equal(s.seq, 10);
});

test("question lifecycle: asked, voted, edited, answered, status, pinned", () => {
  const s = joined();
  s.applyEvent(ev(11, "question.asked", { ...q(11), status: "pending", mine: true }));
  assert.equal(s.questions.get("q11").status, "pending");
  assert.ok(s.isMine("q11"));
  s.applyEvent(ev(12, "question.status", { qid: "q11", status: "live", by: "moderator", question: q(11) }));
  assert.equal(s.questions.get("q11").status, "live");
  s.applyEvent(ev(13, "question.voted", { qid: "q11", votes: 4, voted: true }));
  assert.equal(s.questions.get("q11").votes, 4);
  assert.ok(s.mine.votes.has("q11"));
  s.applyEvent(ev(14, "question.voted", { qid: "q3", votes: 1, voted: false }));
  assert.ok(!s.mine.votes.has("q3"));
  s.applyEvent(ev(15, "question.voted", { qid: "q5", votes: 7 }));
  assert.equal(s.questions.get("q5").votes, 7);
  s.applyEvent(ev(16, "question.edited", { qid: "q11", text: "clearer" }));
  assert.equal(s.questions.get("q11").text, "clearer");
  s.applyEvent(ev(17, "question.answer", { qid: "q11", text: "yes" }));
  assert.equal(s.questions.get("q11").answer, "yes");
  s.applyEvent(ev(18, "question.pinned", { qid: "q11" }));
  assert.equal(s.pinnedQuestion().qid, "q11");
  s.applyEvent(ev(19, "question.status", { qid: "q11", status: "dismissed", by: "moderator", unpinned: true }));
  assert.equal(s.questions.get("q11").status, "dismissed");
  assert.equal(s.pinned, null);
  s.applyEvent(ev(20, "question.pinned", { qid: null }));
  assert.equal(s.pinned, null);
  assert.equal(s.seq, 20);
});

test("a question first seen when it goes live comes with the event", () => {
  const s = joined();
  s.applyEvent(ev(11, "question.status", { qid: "q9", status: "live", by: "moderator", question: q(9) }));
  assert.equal(s.questions.get("q9").text, "question 9");
});

test("settings, room state, polls, notes and unknown types", () => {
  const s = joined();
  s.applyEvent(ev(11, "room.settings", { premoderation: true, anonymous_allowed: false, notes_locked: true }));
  assert.deepEqual(s.settings, { premoderation: true, anonymous_allowed: false, notes_locked: true });
  s.applyEvent(ev(12, "room.state", { state: "closed" }));
  assert.equal(s.isOpen(), false);
  s.applyEvent(ev(13, "poll.status", { poll_id: "p13", status: "open", poll: { poll_id: "p13", title: "T", kind: "single", options: ["a", "b"], status: "open" } }));
  s.applyEvent(ev(14, "poll.voted", { poll_id: "p13", choice: 1 }));
  assert.equal(s.polls.get("p13").status, "open");
  assert.equal(s.mine.pollVotes.p13, 1);
  s.applyEvent(ev(15, "notes.update", { u: new Uint8Array([1, 2]) }));
  assert.equal(s.applyEvent(ev(16, "something.new", { x: 1 })), "applied");
  assert.equal(s.seq, 16);
});

test("queue and presence frames, and listeners", () => {
  const s = joined();
  const seen = [];
  s.subscribe((c) => seen.push(c.kind));
  s.applyQueue({ t: "queue", pending: 3, dismissed: 2 });
  s.applyPresence({ t: "presence", count: 12, by_org: { "Sendai City": 5 } });
  assert.deepEqual(s.queue, { pending: 3, dismissed: 2 });
  assert.equal(s.presence.count, 12);
  assert.deepEqual(seen, ["queue", "presence"]);
});

test("sort: top by votes then oldest, recent newest first", () => {
  const list = [q(1, { votes: 1 }), q(2, { votes: 5 }), q(3, { votes: 1 }), q(10, { votes: 0 })].map((x) => ({ ...x, order: Number(x.qid.slice(1)) }));
  assert.deepEqual(sortQuestions(list, "top").map((x) => x.qid), ["q2", "q1", "q3", "q10"]);
  assert.deepEqual(sortQuestions(list, "recent").map((x) => x.qid), ["q10", "q3", "q2", "q1"]);
});
