// Pages from paths, and role keys from the hash.
import assert from "node:assert/strict";
import { test } from "node:test";

import { checkProfile, charCount } from "../src/identity.js";
import { normaliseCode, parseRoute, roomPath } from "../src/route.js";

test("paths pick the view", () => {
  assert.deepEqual(parseRoute("/"), { page: "landing" });
  assert.deepEqual(parseRoute("/r/sub-plan"), { page: "room", code: "SUB-PLAN", view: "participant" });
  assert.deepEqual(parseRoute("/r/SUB-PLAN/"), { page: "room", code: "SUB-PLAN", view: "participant" });
  assert.deepEqual(parseRoute("/r/SUB-PLAN/moderate"), { page: "room", code: "SUB-PLAN", view: "moderator" });
  assert.deepEqual(parseRoute("/r/SUB-PLAN/present"), { page: "room", code: "SUB-PLAN", view: "presenter" });
  assert.deepEqual(parseRoute("/r/SUB-PLAN/rapporteur"), { page: "room", code: "SUB-PLAN", view: "rapporteur" });
  assert.deepEqual(parseRoute("/r/sub-plan/interpret"), { page: "room", code: "SUB-PLAN", view: "interpreter" });
  assert.equal(parseRoute("/r/SUB-PLAN/other").page, "unknown");
  assert.equal(parseRoute("/r/a").page, "unknown");
  assert.equal(parseRoute("/r/bad code").page, "unknown");
  assert.equal(roomPath("SUB-PLAN", "presenter"), "/r/SUB-PLAN/present");
  assert.equal(roomPath("SUB-PLAN", "interpreter"), "/r/SUB-PLAN/interpret");
  assert.equal(normaliseCode(" ew-train "), "EW-TRAIN");
});

test("the organiser page and a room's handout (issue 15)", () => {
  assert.deepEqual(parseRoute("/e/1396a7577e8f/organise"), { page: "organise", eventId: "1396a7577e8f" });
  assert.deepEqual(parseRoute("/r/sub-ews/handout"), { page: "handout", code: "SUB-EWS" });
  assert.equal(parseRoute("/e/1396a7577e8f").page, "unknown");
  assert.equal(parseRoute("/e/1396a7577e8f/other").page, "unknown");
  assert.equal(parseRoute("/e/bad id/organise").page, "unknown");
  assert.equal(roomPath("SUB-EWS", "handout"), "/r/SUB-EWS/handout");
});

test("profiles are checked in characters, as the server counts them", () => {
  assert.equal(checkProfile({ name: " ", org: "" }).error, "join.bad_name");
  assert.equal(checkProfile({ name: "x".repeat(61), org: "" }).error, "join.bad_name");
  assert.equal(checkProfile({ name: "Бат", org: "y".repeat(81) }).error, "join.bad_org");
  assert.deepEqual(checkProfile({ name: " 佐藤 ", org: " Sendai City ", lang: "ja" }).profile, { name: "佐藤", org: "Sendai City", lang: "ja" });
  assert.equal(charCount("😀"), 1);
});
