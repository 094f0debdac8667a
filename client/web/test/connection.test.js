// The connection and the outbox against a scripted fake server: join, resume with
// (since, epoch), gap -> rejoin, close codes, and an offline command sent once after
// reconnect with its original cid. Needs `npm install` (msgpack); skipped without it.
import assert from "node:assert/strict";
import { test } from "node:test";

let mods = null;
try {
  mods = {
    codec: await import("../src/codec.js"),
    connection: await import("../src/connection.js"),
    commands: await import("../src/commands.js"),
  };
} catch {
  mods = null;
}
const skip = mods ? false : "run `npm install` in client/web first";
const { RoomStore } = await import("../src/store.js");
const { Outbox } = await import("../src/outbox.js");
const { memory } = await import("../src/storage.js");

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

class FakeSocket {
  static all = [];
  constructor(url, protocol) {
    Object.assign(this, { url, protocol, readyState: 0, sent: [] });
    FakeSocket.all.push(this);
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.();
    }, 0);
  }
  send(bytes) {
    this.sent.push(mods.codec.decodeFrame(bytes));
  }
  close() {
    this.readyState = 3;
  }
  push(frame) {
    this.onmessage?.({ data: mods.codec.encodeFrame(frame).buffer });
  }
  drop(code) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  last(t) {
    return [...this.sent].reverse().find((f) => f.t === t);
  }
}

function setup() {
  FakeSocket.all = [];
  const store = new RoomStore();
  let token = null;
  const tokens = { load: () => token, save: (v) => (token = v), clear: () => (token = null) };
  const connection = new mods.connection.RoomConnection({
    url: "ws://test/ws",
    store,
    tokens,
    joinFields: () => ({ room: "SUB-PLAN", name: "Aiko", org: "Sendai City", lang: "ja", key: null }),
    WebSocketImpl: FakeSocket,
    env: { navigator: { onLine: true } },
  });
  const outbox = new Outbox(memory(), "SUB-PLAN");
  const commands = new mods.commands.Commands({ connection, outbox, store });
  return { store, connection, outbox, commands, tokens: () => token };
}

function acceptJoin(ws, { seq, epoch = "e1", snapshot = true, questions = [] }) {
  const join = ws.last("join");
  ws.push({ t: "ok", re: join.id, me: { pid: "p1", name: "Aiko", org: "Sendai City", roles: ["participant"] }, token: "tok-1", room: { code: "SUB-PLAN", title: "Planning", event: null, state: "open", settings: {} }, seq, epoch });
  if (snapshot) ws.push({ t: "snapshot", seq, state: { questions, pinned: null, polls: [], settings: {}, state: "open", queue: { pending: 0, dismissed: 0 }, mine: { votes: [], questions: [], poll_votes: {} } } });
  return join;
}

const ev = (seq, type = "hidden", data = {}) => ({ t: "ev", seq, ts: 1764200000 + seq, type, data });

test("join, resume after 4008 with since and epoch, token kept", { skip }, async () => {
  const { store, connection, tokens } = setup();
  connection.start();
  await tick(5);
  const ws1 = FakeSocket.all[0];
  assert.equal(ws1.protocol, "workshop.v1");
  assert.equal(ws1.binaryType, "arraybuffer");
  const join1 = acceptJoin(ws1, { seq: 5 });
  assert.equal(join1.since, null);
  assert.equal(join1.token, null);
  assert.equal(connection.status, "live");
  assert.equal(tokens(), "tok-1");
  ws1.push(ev(6));
  assert.equal(store.seq, 6);

  ws1.drop(4008);
  assert.equal(connection.status, "down");
  await tick(600);
  const ws2 = FakeSocket.all[1];
  assert.ok(ws2, "reconnected");
  const join2 = ws2.last("join");
  assert.equal(join2.since, 6);
  assert.equal(join2.epoch, "e1");
  assert.equal(join2.token, "tok-1");
  acceptJoin(ws2, { seq: 8, snapshot: false });
  ws2.push(ev(7));
  ws2.push(ev(8));
  ws2.push(ev(8)); // duplicate: dropped
  assert.equal(store.seq, 8);
  connection.stop();
});

test("a gap makes the client join again with since = last applied", { skip }, async () => {
  const { store, connection } = setup();
  connection.start();
  await tick(5);
  const ws = FakeSocket.all[0];
  acceptJoin(ws, { seq: 3 });
  ws.push(ev(5));
  assert.equal(store.seq, 3);
  const rejoin = ws.last("join");
  assert.equal(ws.sent.filter((f) => f.t === "join").length, 2);
  assert.equal(rejoin.since, 3);
  ws.push(ev(6)); // still a gap while the rejoin is on its way: no third join
  assert.equal(ws.sent.filter((f) => f.t === "join").length, 2);
  ws.push({ t: "ok", re: rejoin.id, me: {}, token: "tok-1", room: null, seq: 6, epoch: "e1" });
  ws.push(ev(4));
  ws.push(ev(5));
  ws.push(ev(6));
  assert.equal(store.seq, 6);
  connection.stop();
});

test("close 1008 stops with an auth failure (no reconnect)", { skip }, async () => {
  const { connection } = setup();
  connection.start();
  await tick(5);
  FakeSocket.all[0].drop(1008);
  assert.equal(connection.status, "stopped");
  assert.equal(connection.failure.reason, "auth");
  await tick(600);
  assert.equal(FakeSocket.all.length, 1);
});

test("an offline command goes out once after reconnect, with the same cid", { skip }, async () => {
  const { connection, commands, outbox } = setup();
  connection.start();
  await tick(5);
  const ws1 = FakeSocket.all[0];
  acceptJoin(ws1, { seq: 1 });
  ws1.drop(1012);
  const reply = commands.send("ask", { text: "How do you train wardens?", lang: "en", anon: false });
  assert.equal(outbox.size(), 1);
  const cid = outbox.entries()[0].cid;
  await tick(600);
  const ws2 = FakeSocket.all[1];
  assert.equal(ws2.last("ask"), undefined, "not before join");
  acceptJoin(ws2, { seq: 1, snapshot: false });
  const asks = ws2.sent.filter((f) => f.t === "ask");
  assert.equal(asks.length, 1);
  assert.equal(asks[0].cid, cid);
  ws2.push({ t: "ok", re: asks[0].id, qid: "q2", seq: 2, status: "live" });
  const ok = await reply;
  assert.equal(ok.qid, "q2");
  assert.equal(outbox.size(), 0);
  connection.stop();
});

test("rate_limited keeps the command and retries it after retry_after", { skip }, async () => {
  const { connection, commands, outbox } = setup();
  const outcomes = [];
  commands.onOutcome((o) => outcomes.push(o));
  connection.start();
  await tick(5);
  const ws = FakeSocket.all[0];
  acceptJoin(ws, { seq: 1 });
  commands.send("vote", { qid: "q1", up: true }).catch(() => {});
  const first = ws.last("vote");
  ws.push({ t: "err", re: first.id, code: "rate_limited", msg: "slow down", retry_after: 1 });
  await tick(0);
  assert.equal(outbox.size(), 1);
  assert.equal(outcomes[0].error.code, "rate_limited");
  assert.equal(outcomes[0].error.retryAfter, 1);
  await tick(1100);
  const second = ws.last("vote");
  assert.notEqual(second.id, first.id);
  assert.equal(second.cid, first.cid);
  ws.push({ t: "err", re: second.id, code: "conflict", msg: "not live" });
  await tick(0);
  assert.equal(outbox.size(), 0);
  connection.stop();
});

test("poll votes changed while offline: only the latest is sent; results frames reach the store", { skip }, async () => {
  const { store, connection, outbox, commands } = setup();
  const first = commands.send("poll.vote", { poll_id: "p2", choice: 0 });
  commands.supersede("poll.vote", (f) => f.poll_id === "p2");
  const second = commands.send("poll.vote", { poll_id: "p2", choice: 2 });
  commands.send("poll.vote", { poll_id: "p3", choice: "levee" }).catch(() => {});
  await assert.rejects(first, (e) => e.code === "superseded");
  assert.deepEqual(outbox.entries().map((e) => e.fields.choice), [2, "levee"]);

  connection.start();
  await tick(5);
  const ws = FakeSocket.all[0];
  acceptJoin(ws, { seq: 4 });
  await tick(5);
  const votes = ws.sent.filter((f) => f.t === "poll.vote");
  assert.deepEqual(votes.map((f) => [f.poll_id, f.choice]), [["p2", 2], ["p3", "levee"]]);
  // A vote already on the wire is not superseded: it goes on, and so does the newer one.
  commands.supersede("poll.vote", (f) => f.poll_id === "p2");
  assert.equal(outbox.entries().length, 2);
  ws.push({ t: "ok", re: votes[0].id, seq: 5 });
  assert.deepEqual(await second, { t: "ok", re: votes[0].id, seq: 5 });

  ws.push({ t: "poll.results", poll_id: "p2", counts: [0, 0, 1], voters: 1 });
  assert.deepEqual(store.pollResults.get("p2"), { counts: [0, 0, 1], voters: 1 }); // no such poll yet
  connection.stop();
});

test("codes.js carries the registry: retryable error codes, resume close codes", { skip }, async () => {
  const codes = await import("../src/codes.js");
  assert.deepEqual(Object.keys(codes.RETRYABLE).filter(codes.isRetryable), ["rate_limited", "unavailable", "internal"]);
  assert.equal(codes.isRetryable("a_later_code"), false);
  assert.equal(codes.isRetryable("toString"), false);
  for (const code of [1000, 1002, 1003, 1008, 1009]) assert.equal(codes.shouldResume(code), false, code);
  for (const code of [1001, 1005, 1006, 1011, 1012, 1013, 4008, 4029]) assert.equal(codes.shouldResume(code), true, code);
});

test("closes the registry says not to resume stop the page (no reconnect)", { skip }, async () => {
  for (const code of [1000, 1002, 1003, 1009]) {
    const { connection } = setup();
    connection.start();
    await tick(5);
    acceptJoin(FakeSocket.all[0], { seq: 1 });
    FakeSocket.all[0].drop(code);
    assert.equal(connection.status, "stopped", String(code));
    assert.deepEqual(connection.failure, { reason: "closed", code });
  }
  await tick(600);
  assert.equal(FakeSocket.all.length, 1, "the last one did not reconnect either");
});

test("a lost connection, 1011 and a code the registry does not name reconnect", { skip }, async () => {
  for (const code of [1006, 1011, 1013]) {
    const { connection } = setup();
    connection.start();
    await tick(5);
    acceptJoin(FakeSocket.all[0], { seq: 1 });
    FakeSocket.all[0].drop(code);
    assert.equal(connection.status, "down", String(code));
    await tick(600);
    assert.equal(FakeSocket.all.length, 2, `${code} reconnected`);
    assert.equal(FakeSocket.all[1].last("join").since, 1);
    connection.stop();
  }
});

test("a join refused with a retryable code is tried again; any other code stops", { skip }, async () => {
  const { connection } = setup();
  connection.start();
  await tick(5);
  const first = FakeSocket.all[0];
  first.push({ t: "err", re: first.last("join").id, code: "internal", msg: "oops" });
  assert.equal(connection.status, "down");
  await tick(600);
  const second = FakeSocket.all[1];
  assert.ok(second, "a fresh socket");
  second.push({ t: "err", re: second.last("join").id, code: "room_closed", msg: "archived" });
  assert.equal(connection.status, "stopped");
  assert.deepEqual(connection.failure, { reason: "join", code: "room_closed" });
  await tick(600);
  assert.equal(FakeSocket.all.length, 2);
});

test("a command refused with internal stays queued with its cid; forbidden is final", { skip }, async () => {
  const { connection, commands, outbox } = setup();
  const outcomes = [];
  commands.onOutcome((o) => outcomes.push(o));
  connection.start();
  await tick(5);
  const ws = FakeSocket.all[0];
  acceptJoin(ws, { seq: 1 });
  commands.send("ask", { text: "again?", lang: "en", anon: false }).catch(() => {});
  const refused = commands.send("vote", { qid: "q1", up: true });
  const [ask, vote] = [ws.last("ask"), ws.last("vote")];
  ws.push({ t: "err", re: ask.id, code: "internal", msg: "oops" });
  ws.push({ t: "err", re: vote.id, code: "forbidden", msg: "no" });
  await assert.rejects(refused, (e) => e.code === "forbidden");
  assert.deepEqual(outcomes.map((o) => [o.entry.t, o.error.code, o.final]), [["ask", "internal", false], ["vote", "forbidden", true]]);
  assert.deepEqual(outbox.entries().map((e) => [e.t, e.cid, e.tries]), [["ask", ask.cid, 1]]);
  connection.stop();
});
