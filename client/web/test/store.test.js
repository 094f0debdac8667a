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

test("moderate next: one question.pinned answers the old pin and pins the next", () => {
  const s = joined();
  s.applyEvent(ev(11, "question.asked", q(11)));
  s.applyEvent(ev(12, "question.asked", q(12)));
  s.applyEvent(ev(13, "question.pinned", { qid: "q11" }));
  s.applyEvent(ev(14, "question.edited", { qid: "q12", text: "clearer", edited: true }));
  assert.equal(s.questions.get("q12").edited, true);
  assert.equal(s.questions.get("q11").edited, false);
  const answered = { qid: "q11", status: "answered", by: "moderator", question: { ...q(11), status: "answered" } };
  s.applyEvent(ev(15, "question.pinned", { qid: "q12", answered }));
  assert.equal(s.questions.get("q11").status, "answered");
  assert.equal(s.pinnedQuestion().qid, "q12");
  s.applyEvent(ev(16, "question.pinned", { qid: null, answered: { ...answered, qid: "q12", question: { ...q(12), status: "answered" } } }));
  assert.equal(s.questions.get("q12").status, "answered");
  assert.equal(s.pinned, null);
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

// -- polls -----------------------------------------------------------------------------------

const poll = (id, extra = {}) => ({
  poll_id: id,
  title: `poll ${id}`,
  kind: "single",
  options: ["Siren", "SMS", "Radio"],
  status: "open",
  hide_results: false,
  hidden_words: [],
  ...extra,
});

function withPolls(polls, { roles = ["participant"], pollVotes = {} } = {}) {
  const store = new RoomStore();
  store.applyJoin({ me: { pid: "c".repeat(16), name: "C", org: "", roles }, room: null, seq: 20, epoch: "e1" });
  store.applySnapshot({
    t: "snapshot",
    seq: 20,
    state: { questions: [], pinned: null, polls, settings: {}, state: "open", queue: {}, mine: { votes: [], questions: [], poll_votes: pollVotes } },
  });
  return store;
}

test("snapshot polls keep their results (or null when hidden) and our own votes", () => {
  const s = withPolls(
    [
      poll("p3", { results: { counts: [1, 2, 0], voters: 3 } }),
      poll("p7", { kind: "words", options: [], hidden_words: ["spam"], results: { counts: { levee: 2 }, voters: 3 } }),
      poll("p9", { kind: "multi", hide_results: true, results: null }),
    ],
    { pollVotes: { p3: 1, p9: [0, 2] } },
  );
  assert.deepEqual(s.pollList().map((p) => p.poll_id), ["p3", "p7", "p9"]);
  assert.deepEqual(s.polls.get("p3").results, { counts: [1, 2, 0], voters: 3 });
  assert.deepEqual(s.polls.get("p7").hidden_words, ["spam"]);
  assert.equal(s.polls.get("p9").results, null);
  assert.equal(s.myPollVote("p3"), 1);
  assert.deepEqual(s.myPollVote("p9"), [0, 2]);
  assert.equal(s.myPollVote("p7"), null);
  // A later snapshot replaces everything.
  s.applySnapshot({ seq: 30, state: { questions: [], polls: [], mine: {} } });
  assert.equal(s.polls.size, 0);
  assert.equal(s.myPollVote("p3"), null);
});

test("a moderator sees a draft created and edited, then opened and closed", () => {
  const s = withPolls([], { roles: ["participant", "moderator", "rapporteur"] });
  s.applyEvent(ev(21, "poll.created", { poll: poll("p21", { status: "draft", options: ["A", "B"] }) }));
  assert.equal(s.polls.get("p21").status, "draft");
  assert.deepEqual(s.polls.get("p21").results, { counts: [0, 0], voters: 0 });
  // poll.edit re-sends poll.created with the new draft.
  s.applyEvent(ev(22, "poll.created", { poll: poll("p21", { status: "draft", kind: "rating", options: [], title: "Rate", hide_results: true }) }));
  assert.equal(s.polls.get("p21").title, "Rate");
  assert.deepEqual(s.polls.get("p21").results, { counts: [0, 0, 0, 0, 0], voters: 0 });
  s.applyEvent(ev(23, "poll.status", { poll_id: "p21", status: "open", poll: poll("p21", { kind: "rating", options: [], title: "Rate", hide_results: true }) }));
  assert.equal(s.polls.get("p21").status, "open");
  assert.equal(s.polls.get("p21").changed, 23);
  s.applyPollResults({ t: "poll.results", poll_id: "p21", counts: [0, 0, 0, 1, 1], voters: 2 });
  assert.deepEqual(s.polls.get("p21").results, { counts: [0, 0, 0, 1, 1], voters: 2 }); // staff see hidden results
  s.applyEvent(ev(24, "poll.status", { poll_id: "p21", status: "closed", results: { counts: [0, 0, 0, 1, 2], voters: 3 } }));
  assert.equal(s.polls.get("p21").status, "closed");
  assert.deepEqual(s.polls.get("p21").results, { counts: [0, 0, 0, 1, 2], voters: 3 });
});

test("a participant meets a poll when it opens, votes, and gets the final results", () => {
  const s = withPolls([]);
  const seen = [];
  s.subscribe((c) => seen.push(c.kind));
  s.applyEvent(ev(21, "hidden")); // the draft's poll.created
  s.applyEvent(ev(22, "poll.status", { poll_id: "p21", status: "open", poll: poll("p21") }));
  assert.deepEqual(s.polls.get("p21").results, { counts: [0, 0, 0], voters: 0 });
  s.applyEvent(ev(23, "poll.voted", { poll_id: "p21", choice: 2 }));
  assert.equal(s.myPollVote("p21"), 2);
  s.applyPollResults({ t: "poll.results", poll_id: "p21", counts: [0, 1, 1], voters: 2 });
  assert.deepEqual(s.polls.get("p21").results, { counts: [0, 1, 1], voters: 2 });
  s.applyEvent(ev(24, "poll.voted", { poll_id: "p21", choice: 0 })); // changed
  assert.equal(s.myPollVote("p21"), 0);
  s.applyEvent(ev(25, "poll.status", { poll_id: "p21", status: "closed", results: { counts: [1, 1, 0], voters: 2 } }));
  assert.deepEqual(s.polls.get("p21").results, { counts: [1, 1, 0], voters: 2 });
  assert.equal(s.polls.get("p21").title, "poll p21"); // the close carries no poll: kept
  assert.ok(seen.includes("results"));
});

test("hidden results stay null for participants while open, again after a reopen", () => {
  const s = withPolls([]);
  s.applyEvent(ev(21, "poll.status", { poll_id: "p20", status: "open", poll: poll("p20", { hide_results: true }) }));
  assert.equal(s.polls.get("p20").results, null);
  s.applyEvent(ev(22, "poll.status", { poll_id: "p20", status: "closed", results: { counts: [2, 0, 0], voters: 2 } }));
  assert.deepEqual(s.polls.get("p20").results, { counts: [2, 0, 0], voters: 2 });
  s.applyEvent(ev(23, "poll.status", { poll_id: "p20", status: "open", poll: poll("p20", { hide_results: true }) }));
  assert.equal(s.polls.get("p20").results, null);
  // A poll that shows its results keeps the closing ones when reopened, until the next frame.
  s.applyEvent(ev(24, "poll.status", { poll_id: "p19", status: "open", poll: poll("p19") }));
  s.applyEvent(ev(25, "poll.status", { poll_id: "p19", status: "closed", results: { counts: [0, 1, 0], voters: 1 } }));
  s.applyEvent(ev(26, "poll.status", { poll_id: "p19", status: "open", poll: poll("p19") }));
  assert.deepEqual(s.polls.get("p19").results, { counts: [0, 1, 0], voters: 1 });
});

test("a hidden word leaves the cloud at once; shown again, it returns with the next results", () => {
  const s = withPolls([poll("p3", { kind: "words", options: [], results: { counts: { levee: 2, spam: 1 }, voters: 3 } })]);
  s.applyEvent(ev(21, "poll.word_hidden", { poll_id: "p3", word: "spam", hidden: true }));
  assert.deepEqual(s.polls.get("p3").hidden_words, ["spam"]);
  assert.deepEqual(s.polls.get("p3").results, { counts: { levee: 2 }, voters: 3 });
  s.applyEvent(ev(22, "poll.word_hidden", { poll_id: "p3", word: "spam", hidden: false }));
  assert.deepEqual(s.polls.get("p3").hidden_words, []);
  s.applyPollResults({ t: "poll.results", poll_id: "p3", counts: { levee: 2, spam: 1 }, voters: 3 });
  assert.deepEqual(s.polls.get("p3").results.counts, { levee: 2, spam: 1 });
  s.applyEvent(ev(23, "poll.word_hidden", { poll_id: "p404", word: "x", hidden: true })); // unknown: ignored
  assert.equal(s.seq, 23);
});

test("results that arrive before their poll's event are kept for it", () => {
  const s = withPolls([], { roles: ["participant", "moderator"] });
  s.applyPollResults({ t: "poll.results", poll_id: "p21", counts: [1, 0], voters: 1 });
  s.applyEvent(ev(21, "poll.created", { poll: poll("p21", { status: "draft", options: ["A", "B"] }) }));
  assert.deepEqual(s.polls.get("p21").results, { counts: [1, 0], voters: 1 });
  assert.equal(s.pollResults.size, 0);
});
