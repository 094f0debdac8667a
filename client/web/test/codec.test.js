// Golden frames: the browser codec writes the same bytes as Python's msgpack
// (packb(use_bin_type=True)) and reads the server's frames, binary as Uint8Array.
// The frames are tests/protocol/golden_frames.json, which tests/protocol/test_frames.py
// regenerates from protocol/frames.py and protocol/messages.py: one list for both codecs.
// Needs `npm install` (for @msgpack/msgpack); skipped without it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

let codec = null;
try {
  codec = await import("../src/codec.js");
} catch {
  codec = null;
}
const skip = codec ? false : "run `npm install` in client/web first";

const GOLDEN = JSON.parse(readFileSync(new URL("../../../tests/protocol/golden_frames.json", import.meta.url), "utf8"));

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const unhex = (text) => new Uint8Array(Buffer.from(text, "hex"));

/** The JSON form of a frame back to what msgpack carries: {"$bin": hex} -> Uint8Array. */
function fromJson(value) {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$bin") return unhex(value.$bin);
    return Object.fromEntries(keys.map((key) => [key, fromJson(value[key])]));
  }
  return value;
}

const golden = (...senders) => GOLDEN.filter((entry) => senders.includes(entry.from));

test("the golden list covers commands, server frames, edge cases and refusals", () => {
  for (const sender of ["client", "server", "both", "refused"]) assert.ok(golden(sender).length > 0, sender);
  const commands = new Set(golden("client").map((entry) => entry.frame.t));
  for (const t of ["join", "ask", "vote", "poll.vote", "notes.sync", "notes.update", "ping"]) assert.ok(commands.has(t), t);
});

test("client commands and edge cases encode byte for byte as Python packs them", { skip }, () => {
  for (const entry of golden("client", "both")) {
    assert.equal(hex(codec.encodeFrame(fromJson(entry.frame))), entry.hex, entry.name);
  }
});

test("server frames decode to the golden maps, bin as Uint8Array", { skip }, () => {
  for (const entry of golden("server", "client", "both")) {
    assert.deepEqual(codec.decodeFrame(unhex(entry.hex)), fromJson(entry.frame), entry.name);
  }
  const notes = GOLDEN.find((entry) => entry.name === "ev notes.update bin");
  const frame = codec.decodeFrame(unhex(notes.hex));
  assert.ok(frame.data.u instanceof Uint8Array);
  assert.equal(frame.ts, 1764200000.25);
});

test("what is not one msgpack map is refused", { skip }, () => {
  for (const entry of golden("refused")) assert.throws(() => codec.decodeFrame(unhex(entry.hex)), entry.name);
});

test("undefined fields are left out", { skip }, () => {
  assert.deepEqual(codec.decodeFrame(codec.encodeFrame({ t: "ping", id: 1, x: undefined })), { t: "ping", id: 1 });
});
