// The outbox keeps commands (with their cid) until answered, across reloads.
import assert from "node:assert/strict";
import { test } from "node:test";

import { backoffDelay, BACKOFF_MAX_MS } from "../src/backoff.js";
import { newCid, Outbox } from "../src/outbox.js";
import { memory } from "../src/storage.js";
import { syncState } from "../src/sync-state.js";

test("entries persist in storage, in order, with one cid each", () => {
  const storage = memory();
  const a = new Outbox(storage, "SUB-PLAN");
  const first = a.add("ask", { text: "hi", lang: "en", anon: false });
  const second = a.add("vote", { qid: "q3", up: true });
  assert.notEqual(first.cid, second.cid);
  const reloaded = new Outbox(storage, "SUB-PLAN");
  assert.deepEqual(reloaded.entries().map((e) => e.cid), [first.cid, second.cid]);
  assert.equal(new Outbox(storage, "OTHER").size(), 0);
  reloaded.remove(first.cid);
  assert.equal(a.size(), 1);
  assert.equal(a.latest("vote", "q3").fields.up, true);
});

test("defer holds an entry back and counts tries", () => {
  const box = new Outbox(memory(), "R1");
  const e = box.add("ask", { text: "x" });
  box.defer(e.cid, 12345);
  const [stored] = box.entries();
  assert.equal(stored.notBefore, 12345);
  assert.equal(stored.tries, 1);
});

test("listeners hear every change", () => {
  const box = new Outbox(memory(), "R1");
  let calls = 0;
  box.subscribe(() => calls++);
  const e = box.add("ask", { text: "x" });
  box.remove(e.cid);
  assert.equal(calls, 2);
});

test("newCid makes a v4 UUID, with or without randomUUID", () => {
  const shape = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(newCid(), shape);
  const insecure = { getRandomValues: (b) => globalThis.crypto.getRandomValues(b) };
  assert.match(newCid(insecure), shape);
});

test("backoff doubles from 0.5 s to 20 s with jitter", () => {
  assert.equal(backoffDelay(0, () => 1), 500);
  assert.equal(backoffDelay(0, () => 0), 250);
  assert.equal(backoffDelay(1, () => 1), 1000);
  assert.equal(backoffDelay(10, () => 1), BACKOFF_MAX_MS);
  assert.equal(backoffDelay(100, () => 0), BACKOFF_MAX_MS / 2);
});

test("sync state: live, reconnecting, offline", () => {
  assert.equal(syncState({ status: "live", pending: 2 }), "live");
  assert.equal(syncState({ status: "down" }), "reconnecting");
  assert.equal(syncState({ status: "connecting" }), "reconnecting");
  assert.equal(syncState({ status: "connecting", wasLive: false }), "connecting");
  assert.equal(syncState({ status: "down", wasLive: false }), "reconnecting");
  assert.equal(syncState({ status: "down", pending: 1 }), "offline");
  assert.equal(syncState({ status: "down", online: false }), "offline");
  assert.equal(syncState({ status: "stopped" }), "offline");
});
