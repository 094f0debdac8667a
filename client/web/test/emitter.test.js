// The one event emitter: order, unsubscribe, and changes made during an emit.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Emitter } from "../src/emitter.js";

test("listeners hear every emit, in the order they subscribed", () => {
  const emitter = new Emitter();
  const heard = [];
  emitter.on((v) => heard.push(["a", v]));
  emitter.on((v) => heard.push(["b", v]));
  emitter.emit(1);
  emitter.emit({ kind: "join" });
  assert.deepEqual(heard, [["a", 1], ["b", 1], ["a", { kind: "join" }], ["b", { kind: "join" }]]);
  assert.equal(emitter.size, 2);
});

test("on returns the unsubscribe function; calling it twice is harmless", () => {
  const emitter = new Emitter();
  let calls = 0;
  const off = emitter.on(() => calls++);
  emitter.emit();
  off();
  off();
  emitter.emit();
  assert.equal(calls, 1);
  assert.equal(emitter.size, 0);
});

test("the same function subscribed twice is called once", () => {
  const emitter = new Emitter();
  let calls = 0;
  const fn = () => calls++;
  emitter.on(fn);
  emitter.on(fn);
  emitter.emit();
  assert.equal(calls, 1);
});

test("a listener removed during an emit is skipped; one added waits for the next", () => {
  const emitter = new Emitter();
  const heard = [];
  let offB = null;
  emitter.on(() => {
    heard.push("a");
    offB();
    emitter.on(() => heard.push("c"));
  });
  offB = emitter.on(() => heard.push("b"));
  emitter.emit();
  assert.deepEqual(heard, ["a"]);
  heard.length = 0;
  emitter.emit(); // "a" adds another listener again: it too waits for the next emit
  assert.deepEqual(heard, ["a", "c"]);
});
