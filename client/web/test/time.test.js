// Times show both workshop zones (USERS.md "Time").
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatDual, formatDualLong, isoTime } from "../src/time.js";

test("a UTC instant in JST and ULAT", () => {
  // 2025-11-27T05:05:00Z = 14:05 in Tokyo (UTC+9), 13:05 in Ulaanbaatar (UTC+8).
  const ts = Date.UTC(2025, 10, 27, 5, 5, 0) / 1000;
  assert.equal(formatDual(ts), "14:05 JST · 13:05 ULAT");
});

test("24-hour clock across midnight", () => {
  const ts = Date.UTC(2025, 10, 27, 15, 30, 0) / 1000 + 0.25; // fractional seconds as the server sends
  assert.equal(formatDual(ts), "00:30 JST · 23:30 ULAT");
});

test("long form names both zones, ISO for datetime, empty for junk", () => {
  const ts = Date.UTC(2025, 10, 27, 5, 5, 0) / 1000;
  const long = formatDualLong(ts, "ja");
  assert.match(long, /JST/);
  assert.match(long, /ULAT/);
  assert.equal(isoTime(ts), "2025-11-27T05:05:00.000Z");
  assert.equal(formatDual(null), "");
  assert.equal(formatDual("x"), "");
});
