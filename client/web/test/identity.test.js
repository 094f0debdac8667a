import assert from "node:assert/strict";
import { test } from "node:test";

import { eventRoleKey, forgetRoleKey, keepRoleKey, takeRoleKey } from "../src/identity.js";

function place(path, hash = "") {
  const calls = [];
  return {
    loc: { pathname: path, search: "", hash },
    hist: { state: null, replaceState: (_s, _t, url) => calls.push(url) },
    calls,
  };
}

test("an invite link's key is kept on the device and wiped from the address bar", () => {
  const first = place("/r/SUB-PLAN/moderate", "#key=mod-key-1");
  assert.equal(takeRoleKey("SUB-PLAN", first.loc, first.hist), "mod-key-1");
  assert.deepEqual(first.calls, ["/r/SUB-PLAN/moderate"]);
  // A new tab, or a bookmark: no hash, the same key.
  const later = place("/r/SUB-PLAN/moderate");
  assert.equal(takeRoleKey("SUB-PLAN", later.loc, later.hist), "mod-key-1");
  assert.deepEqual(later.calls, []);
  forgetRoleKey("SUB-PLAN");
  assert.equal(takeRoleKey("SUB-PLAN", later.loc, later.hist), null);
});

test("a key the server accepted opens the other rooms of its event, until forgotten", () => {
  keepRoleKey("SUB-EWS", "mcr2030", "mod-key-2");
  assert.equal(eventRoleKey("mcr2030"), "mod-key-2");
  assert.equal(eventRoleKey("another-event"), null);
  assert.equal(eventRoleKey(undefined), null);
  forgetRoleKey("SUB-EWS");
  assert.equal(eventRoleKey("mcr2030"), null);
  assert.equal(takeRoleKey("SUB-EWS", place("/r/SUB-EWS/moderate").loc), null);
});
