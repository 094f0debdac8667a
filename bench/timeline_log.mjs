// How long the rapporteur page takes to rebuild its timeline from a JSON transcript of N
// entries (issue 13), in Node, with the page's own code (client/web/src/timeline.js):
// node bench/timeline_log.mjs [N]. Prints entries, MiB of JSON, ms to split and read.
import { createLineSplitter, createLogReader, TIMELINE_LIMIT } from "../client/web/src/timeline.js";

const n = Number(process.argv[2] || 100_000);
const ok = (event, result = {}) => ({ ok: true, event, result });
const lines = [];
for (let seq = 1; seq <= n; seq++) {
  const kind = seq % 10;
  let entry;
  if (kind === 0) entry = { type: "ask", data: { text: `Question ${seq} about evacuation drills in schools`, lang: "en", anon: false }, outcome: ok("question.asked", { qid: `q${seq}`, status: "live" }) };
  else if (kind < 6) entry = { type: "vote", data: { qid: `q${seq - kind}`, up: true }, pseudonym: "v-0123456789ab", outcome: ok("question.voted", { votes: kind }) };
  else entry = { type: "notes.update", data: { u: "AQLk2p0BAAQBBG5vdGVzAWEA".repeat(4) }, b64: [["data", "u"]], outcome: ok("notes.update") };
  lines.push(JSON.stringify({ seq, ts: 1795750000 + seq / 10, ...entry }));
}
const text = `[\n${lines.join(",\n")}\n]\n`;
const chunks = [];
for (let i = 0; i < text.length; i += 64 * 1024) chunks.push(text.slice(i, i + 64 * 1024));

const start = performance.now();
const splitter = createLineSplitter();
const reader = createLogReader();
let found = [];
const take = (entries) => {
  for (const entry of entries) {
    const line = reader.add(entry);
    if (line) found.push(line);
  }
  if (found.length > 2 * TIMELINE_LIMIT) found = found.slice(-TIMELINE_LIMIT);
};
for (const chunk of chunks) take(splitter.push(chunk));
take(splitter.end());
const ms = performance.now() - start;
console.log(JSON.stringify({ entries: n, json_mib: +(Buffer.byteLength(text) / 2 ** 20).toFixed(1), ms: Math.round(ms), kept: Math.min(found.length, TIMELINE_LIMIT) }));
