// The organiser page's calls (issue 15): the key as a Bearer header and never in the URL,
// refusals as catalogue keys; invitations' bodies and order; the key from the fragment.
import assert from "node:assert/strict";
import { test } from "node:test";

import { errorKeyOf, isFatal, OrganiseApi } from "../src/organise-api.js";
import { forgetOrganiserKey, takeOrganiserKey } from "../src/organise-key.js";
import { absoluteUrl, inviteBody, staffOrder } from "../src/staff-invites.js";

function fakeFetch(status, body) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url, init });
    return { ok: status >= 200 && status < 300, status, json: async () => body };
  };
  return { fn, calls };
}

test("every call carries the key as a Bearer header, never in the URL", async () => {
  const { fn, calls } = fakeFetch(200, { rooms: [] });
  const api = new OrganiseApi("ev 1", "secret-key", fn);
  await api.load();
  await api.patchRoom("SUB-EWS", { state: "closed" });
  await api.reorder(["B", "A"]);
  await api.revoke("k/1");
  assert.deepEqual(calls.map((c) => `${c.init.method} ${c.url}`), [
    "GET /api/events/ev%201/organise",
    "PATCH /api/events/ev%201/rooms/SUB-EWS",
    "PUT /api/events/ev%201/rooms/order",
    "POST /api/events/ev%201/staff/k%2F1/revoke",
  ]);
  for (const { url, init } of calls) {
    assert.equal(init.headers.authorization, "Bearer secret-key");
    assert.ok(!url.includes("secret-key"));
  }
  assert.equal(calls[0].init.body, undefined);
  assert.deepEqual(JSON.parse(calls[2].init.body), { codes: ["B", "A"] });
});

test("refusals become the page's words; 401 and 403 end the page", async () => {
  const taken = await new OrganiseApi("e", "k", fakeFetch(409, { error: "conflict", detail: "taken" }).fn).createRoom({ title: "x" });
  assert.deepEqual([taken.ok, taken.status, taken.errorKey, taken.detail], [false, 409, "organise.err.code_taken", "taken"]);
  const offline = await new OrganiseApi("e", "k", async () => Promise.reject(new TypeError("offline"))).load();
  assert.deepEqual([offline.ok, offline.status, offline.errorKey], [false, 0, "organise.err.network"]);
  const garbled = await new OrganiseApi("e", "k", async () => ({ ok: false, status: 502, json: async () => Promise.reject(new SyntaxError("html")) })).load();
  assert.equal(garbled.errorKey, "organise.err.server");
  assert.equal(errorKeyOf(400), "organise.err.invalid");
  assert.equal(errorKeyOf(401), "organise.err.unauthorized");
  assert.equal(errorKeyOf(403), "organise.err.forbidden");
  assert.equal(errorKeyOf(404), "organise.err.not_found");
  assert.equal(errorKeyOf(418), "organise.err.failed");
  assert.ok(isFatal(401) && isFatal(403) && !isFatal(404) && !isFatal(0));
});

test("an invitation: a known role, a label of at most 80 characters, an organiser for the whole event", () => {
  assert.deepEqual(inviteBody({ role: "moderator", room: "SUB-EWS", label: " Chair — Sendai " }), { body: { role: "moderator", room: "SUB-EWS", label: "Chair — Sendai" } });
  assert.deepEqual(inviteBody({ role: "rapporteur", room: "", label: "" }), { body: { role: "rapporteur", room: null, label: "" } });
  assert.deepEqual(inviteBody({ role: "organiser", room: "SUB-EWS", label: "Co-organiser" }).body.room, null);
  assert.equal(inviteBody({ role: "admin", room: "", label: "" }).error, "organise.err.bad_role");
  assert.ok(inviteBody({ role: "moderator", room: "", label: "仙".repeat(80) }).body, "80 characters, not UTF-16 units");
  assert.equal(inviteBody({ role: "moderator", room: "", label: "😀".repeat(81) }).error, "organise.err.label_too_long");
});

test("links that work come first, newest first; revoked ones after", () => {
  const links = [
    { kid: "event-moderator", created: 100, revoked: null },
    { kid: "a", created: 300, revoked: 400 },
    { kid: "b", created: 200, revoked: null },
    { kid: "c", created: 250, revoked: 500 },
  ];
  assert.deepEqual(staffOrder(links).map((l) => l.kid), ["b", "event-moderator", "c", "a"]);
  assert.equal(absoluteUrl("/r/X/moderate#key=k", "http://127.0.0.1:8000"), "http://127.0.0.1:8000/r/X/moderate#key=k");
  assert.equal(absoluteUrl("https://rooms.example/r/X#key=k", "http://127.0.0.1:8000"), "https://rooms.example/r/X#key=k");
});

test("the organiser key comes from the fragment, is kept per event and wiped from the address bar", () => {
  const calls = [];
  const hist = { state: null, replaceState: (_s, _t, url) => calls.push(url) };
  const loc = { pathname: "/e/ev1/organise", search: "", hash: "#key=org-key" };
  assert.equal(takeOrganiserKey("ev1", loc, hist), "org-key");
  assert.deepEqual(calls, ["/e/ev1/organise"]);
  assert.equal(takeOrganiserKey("ev1", { ...loc, hash: "" }, hist), "org-key", "a bookmark: the kept key");
  assert.equal(takeOrganiserKey("ev2", { ...loc, hash: "" }, hist), null, "another event: none");
  forgetOrganiserKey("ev1");
  assert.equal(takeOrganiserKey("ev1", { ...loc, hash: "" }, hist), null);
});
