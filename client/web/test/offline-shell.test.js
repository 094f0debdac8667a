// Which loaded files the page hands to the service worker to keep.
import assert from "node:assert/strict";
import { test } from "node:test";

import { keepShell, staticUrls } from "../src/offline-shell.js";

test("only this origin's /static/ files are kept", () => {
  const entries = [
    { name: "http://127.0.0.1:8000/static/app-ABCDEFGH.js" },
    { name: "http://127.0.0.1:8000/api/rooms/SUB-EWS" },
    { name: "http://127.0.0.1:8000/static/chunk-QRSTUVWX.js" },
    { name: "https://cdn.example/static/x.js" },
    { name: "not a url" },
  ];
  assert.deepEqual(staticUrls(entries, "http://127.0.0.1:8000"), [
    "http://127.0.0.1:8000/static/app-ABCDEFGH.js",
    "http://127.0.0.1:8000/static/chunk-QRSTUVWX.js",
  ]);
});

test("without service workers nothing is registered and nothing throws", () => {
  assert.equal(keepShell({}), undefined);
  assert.equal(keepShell(undefined), undefined);
});
