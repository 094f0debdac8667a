// Golden frames: the browser codec writes the same bytes as Python's msgpack
// (packb(use_bin_type=True)) and reads the server's frames, binary as Uint8Array.
// Needs `npm install` (for @msgpack/msgpack); skipped without it.
import assert from "node:assert/strict";
import { test } from "node:test";

let codec = null;
try {
  codec = await import("../src/codec.js");
} catch {
  codec = null;
}
const skip = codec ? false : "run `npm install` in client/web first";

const GOLDEN = [
  [
    { t: "join", id: 1, room: "SUB-PLAN", name: "佐藤 花子", org: "Sendai City", lang: "ja", token: null, key: null, since: null, epoch: null },
    "8aa174a46a6f696ea2696401a4726f6f6da85355422d504c414ea46e616d65ade4bd90e897a420e88ab1e5ad90a36f7267ab53656e6461692043697479a46c616e67a26a61a5746f6b656ec0a36b6579c0a573696e6365c0a565706f6368c0",
  ],
  [
    { t: "ask", id: 2, cid: "0b0e5c8e-3f5e-4c1a-9d2e-6a1f0c7b9e11", text: "Хэрхэн бэлтгэх вэ?", lang: "mn", anon: false },
    "86a174a361736ba2696402a3636964d92430623065356338652d336635652d346331612d396432652d366131663063376239653131a474657874d921d0a5d18dd180d185d18dd0bd20d0b1d18dd0bbd182d0b3d18dd18520d0b2d18d3fa46c616e67a26d6ea4616e6f6ec2",
  ],
  [{ t: "vote", id: 3, cid: "x", qid: "q17", up: true }, "85a174a4766f7465a2696403a3636964a178a3716964a3713137a27570c3"],
  [
    { t: "join", id: 4, room: "SUB-PLAN", name: "A", org: "", lang: "en", token: "t", key: null, since: 2 ** 53 - 1, epoch: "e1" },
    "8aa174a46a6f696ea2696404a4726f6f6da85355422d504c414ea46e616d65a141a36f7267a0a46c616e67a2656ea5746f6b656ea174a36b6579c0a573696e6365cf001fffffffffffffa565706f6368a26531",
  ],
];

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const unhex = (text) => new Uint8Array(Buffer.from(text, "hex"));

test("commands encode byte for byte as Python packs them", { skip }, () => {
  for (const [frame, golden] of GOLDEN) assert.equal(hex(codec.encodeFrame(frame)), golden, frame.t);
});

test("undefined fields are left out", { skip }, () => {
  assert.deepEqual(codec.decodeFrame(codec.encodeFrame({ t: "ping", id: 1, x: undefined })), { t: "ping", id: 1 });
});

test("a server event decodes with float ts and bin as Uint8Array", { skip }, () => {
  const frame = codec.decodeFrame(unhex("85a174a26576a37365712aa27473cb41da49e390100000a474797065ac6e6f7465732e757064617465a46461746181a175c403010203"));
  assert.equal(frame.seq, 42);
  assert.equal(frame.ts, 1764200000.25);
  assert.ok(frame.data.u instanceof Uint8Array);
  assert.deepEqual([...frame.data.u], [1, 2, 3]);
});

test("a frame that is not a map is refused", { skip }, () => {
  assert.throws(() => codec.decodeFrame(unhex("93010203")));
  assert.throws(() => codec.decodeFrame(unhex("c0")));
});
