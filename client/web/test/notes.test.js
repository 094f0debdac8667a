// The notes without a browser: the textarea diff and caret transform (text-diff.js), and
// NotesSync (notes.js) against a fake server holding a real Y.Doc.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as Y from "yjs";

import { NotesSync, REMOTE, fromBase64, toBase64 } from "../src/notes.js";
import { memory } from "../src/storage.js";
import { chunks, diffText, transformIndex, transformSelection, utf8Length } from "../src/text-diff.js";

// -- text-diff ----------------------------------------------------------------------------

test("diffText finds the one change an input made", () => {
  assert.deepEqual(diffText("hello", "hello world"), { index: 5, remove: 0, insert: " world" });
  assert.deepEqual(diffText("hello world", "hello"), { index: 5, remove: 6, insert: "" });
  assert.deepEqual(diffText("hello", "jello"), { index: 0, remove: 1, insert: "j" });
  assert.deepEqual(diffText("abc", "abc"), { index: 3, remove: 0, insert: "" });
  assert.deepEqual(diffText("", "避難所"), { index: 0, remove: 0, insert: "避難所" });
});

test("diffText follows the caret when the change is ambiguous", () => {
  // "aa" -> "aaa": typed at the start, in the middle or at the end?
  assert.equal(diffText("aa", "aaa", 1).index, 0);
  assert.equal(diffText("aa", "aaa", 2).index, 1);
  assert.equal(diffText("aa", "aaa", 3).index, 2);
  // backspace in "abba" at 2 -> "aba": the second b went
  assert.deepEqual(diffText("abba", "aba", 2), { index: 2, remove: 1, insert: "" });
  assert.deepEqual(diffText("abba", "aba", 1), { index: 1, remove: 1, insert: "" });
});

test("diffText never splits a surrogate pair", () => {
  const d = diffText("x😀y", "x😁y");
  assert.deepEqual(d, { index: 1, remove: 2, insert: "😁" });
  const e = diffText("😀", "😀😀", 4);
  assert.equal(e.index % 2, 0);
  assert.equal(e.insert, "😀");
});

test("transformIndex carries a caret through a remote delta", () => {
  assert.equal(transformIndex(5, [{ insert: "abc" }]), 8); // inserted before
  assert.equal(transformIndex(5, [{ retain: 5 }, { insert: "abc" }]), 5); // at the caret: stays
  assert.equal(transformIndex(5, [{ retain: 5 }, { insert: "abc" }], true), 8);
  assert.equal(transformIndex(5, [{ retain: 7 }, { insert: "abc" }]), 5); // after
  assert.equal(transformIndex(5, [{ delete: 2 }]), 3);
  assert.equal(transformIndex(5, [{ retain: 3 }, { delete: 5 }]), 3); // caret inside the deletion
  assert.equal(transformIndex(5, [{ retain: 1 }, { delete: 1 }, { insert: "xyz" }]), 7);
  assert.deepEqual(transformSelection({ start: 2, end: 6 }, [{ retain: 2 }, { insert: "ab" }, { retain: 4 }, { insert: "c" }]), {
    start: 4,
    end: 8,
  });
});

test("chunks and utf8Length", () => {
  const s = "a😀".repeat(5);
  for (const piece of chunks(s, 4)) {
    assert.ok(piece.length <= 4);
    assert.ok(!/^[\udc00-\udfff]/.test(piece));
  }
  assert.equal(chunks(s, 4).join(""), s);
  assert.equal(utf8Length("aé避😀"), 1 + 2 + 3 + 4);
  assert.equal(utf8Length("避難所"), new TextEncoder().encode("避難所").length);
});

test("base64 round trip", () => {
  const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
});

// -- NotesSync against a fake server ------------------------------------------------------------

class FakeServer {
  constructor() {
    this.doc = new Y.Doc();
    this.clients = [];
    this.seq = 0;
    this.locked = false;
    this.log = [];
  }

  connect(name) {
    const server = this;
    const listeners = { joined: new Set(), status: new Set() };
    const storeListeners = new Set();
    const store = {
      me: { name, org: "Org" },
      subscribe: (fn) => storeListeners.add(fn),
      emit: (change) => storeListeners.forEach((fn) => fn(change)),
    };
    const connection = {
      live: true,
      isLive() {
        return this.live;
      },
      on(event, fn) {
        listeners[event].add(fn);
      },
      joined() {
        this.live = true;
        listeners.joined.forEach((fn) => fn());
      },
      async request(t, fields) {
        await null;
        if (!this.live) throw Object.assign(new Error("disconnected"), { code: "disconnected" });
        return server.handle(t, fields, name, store);
      },
    };
    this.clients.push({ connection, store });
    return { connection, store };
  }

  handle(t, fields, name) {
    if (t === "notes.sync") {
      return { t: "ok", u: Y.encodeStateAsUpdate(this.doc, fields.sv), sv: Y.encodeStateVector(this.doc), seq: this.seq };
    }
    if (t === "notes.update") {
      if (this.locked) throw Object.assign(new Error("forbidden"), { code: "forbidden" });
      Y.applyUpdate(this.doc, fields.u);
      this.log.push(fields.u);
      this.seq++;
      const data = { u: fields.u, by: { name, org: "Org" } };
      for (const c of this.clients) {
        if (c.connection.live) c.store.emit({ kind: "event", type: "notes.update", data });
      }
      return { t: "ok", seq: this.seq };
    }
    throw new Error(t);
  }

  text() {
    return this.doc.getText("notes").toString();
  }
}

let clock = 0;
const fast = { setTimeout: (fn) => setTimeout(fn, 0), clearTimeout, setInterval: () => 0 };
let cids = 0;

function client(server, name, storage = memory()) {
  const { connection, store } = server.connect(name);
  const notes = new NotesSync({
    connection,
    store,
    storage,
    code: "SUB-PLAN",
    newCid: () => `cid-${++cids}`,
    now: () => (clock += 1000),
    timers: fast,
  });
  notes.start();
  return { notes, connection, store, storage };
}

async function settle(...clients) {
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 1));
    if (clients.every((c) => !c.notes.inFlight && !c.notes.queue.length && !c.notes.syncing)) return;
  }
  throw new Error("did not settle");
}

test("two clients edit, sync and converge through the server", async () => {
  const server = new FakeServer();
  const a = client(server, "Aiko");
  const b = client(server, "Bat");
  a.notes.text.insert(0, "Agenda\n");
  await settle(a, b);
  b.notes.text.insert(7, "1. Warnings\n");
  a.notes.text.insert(0, "# ");
  await settle(a, b);
  assert.equal(a.notes.text.toString(), "# Agenda\n1. Warnings\n");
  assert.equal(b.notes.text.toString(), a.notes.text.toString());
  assert.equal(server.text(), a.notes.text.toString());
  assert.equal(a.notes.status().state, "saved");
});

test("offline edits stay queued and persisted, then merge on rejoin", async () => {
  const server = new FakeServer();
  const a = client(server, "Aiko");
  const b = client(server, "Bat");
  a.notes.text.insert(0, "shared ");
  await settle(a, b);
  a.connection.live = false;
  for (let i = 0; i < 50; i++) a.notes.text.insert(a.notes.text.length, `o${i} `);
  a.notes.text.delete(0, 1);
  b.notes.text.insert(0, "online ");
  await settle(b);
  assert.deepEqual(a.notes.status(), { state: "offline", waiting: 51 });
  a.notes.persist();
  assert.ok(a.storage.get("workshop.notes.SUB-PLAN"));
  a.connection.joined();
  await settle(a, b);
  const text = server.text();
  assert.equal(a.notes.text.toString(), text);
  assert.equal(b.notes.text.toString(), text);
  assert.ok(text.startsWith("online hared o0 o1 "));
  assert.equal(text.split("o49 ").length, 2);
  a.notes.persist();
  assert.equal(a.storage.get("workshop.notes.SUB-PLAN"), null);
});

test("a reload sends what the previous page left unacknowledged", async () => {
  const server = new FakeServer();
  const storage = memory();
  const a = client(server, "Aiko", storage);
  a.notes.text.insert(0, "kept ");
  await settle(a);
  a.connection.live = false;
  a.notes.text.insert(5, "across a reload");
  a.notes.persist();
  const again = client(server, "Aiko", storage); // a new page: new Y.Doc, same storage
  await settle(again);
  assert.equal(server.text(), "kept across a reload");
  assert.equal(again.notes.text.toString(), "kept across a reload");
});

test("remote updates wait while held (IME composition) and land in order on release", async () => {
  const server = new FakeServer();
  const a = client(server, "Aiko");
  const b = client(server, "Bat");
  a.notes.text.insert(0, "Start ");
  await settle(a, b);
  b.notes.hold();
  a.notes.text.insert(0, "one ");
  await settle(a);
  a.notes.text.insert(0, "two ");
  await settle(a);
  assert.equal(b.notes.text.toString(), "Start ");
  assert.equal(b.notes.held.length, 2);
  b.notes.text.insert(6, "避難"); // the composed text, applied first
  b.notes.release();
  await settle(a, b);
  assert.equal(b.notes.text.toString(), "two one Start 避難");
  assert.equal(a.notes.text.toString(), b.notes.text.toString());
});

test("who is editing comes from `by`, without ourselves", () => {
  const server = new FakeServer();
  const { connection, store } = server.connect("Aiko");
  let now = 1_000_000;
  const notes = new NotesSync({ connection, store, storage: memory(), code: "X", newCid: () => "c", now: () => now, timers: fast });
  notes.start();
  const other = new Y.Doc();
  other.getText("notes").insert(0, "x");
  const u = Y.encodeStateAsUpdate(other);
  store.emit({ kind: "event", type: "notes.update", data: { u, by: { name: "Bat", org: "Ulaanbaatar City" } } });
  store.emit({ kind: "event", type: "notes.update", data: { u, by: { name: "Aiko", org: "Org" } } });
  assert.deepEqual(
    notes.activeEditors().map((e) => e.name),
    ["Bat"],
  );
  now += 10_000;
  assert.deepEqual(notes.activeEditors(), []);
});

test("a final refusal (locked) rebuilds the document from the server's", async () => {
  const server = new FakeServer();
  const a = client(server, "Aiko");
  a.notes.text.insert(0, "kept ");
  await settle(a);
  server.locked = true;
  const changes = [];
  a.notes.on((c) => changes.push(c.kind));
  a.notes.text.insert(5, "refused");
  await settle(a);
  assert.ok(changes.includes("doc"));
  assert.deepEqual(a.notes.error, { code: "forbidden" });
  assert.equal(a.notes.text.toString(), "kept ");
  assert.equal(server.text(), "kept ");
});

test("remote transactions carry the REMOTE origin", async () => {
  const server = new FakeServer();
  const a = client(server, "Aiko");
  const b = client(server, "Bat");
  const origins = [];
  b.notes.doc.on("update", (_u, origin) => origins.push(origin));
  a.notes.text.insert(0, "hello");
  await settle(a, b);
  assert.ok(origins.length > 0 && origins.every((o) => o === REMOTE));
});
