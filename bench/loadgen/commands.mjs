// Command cost (issue 17, scenario 5): `connections` members of one room, each keeping
// `window` commands of one kind awaiting their reply, for `seconds`. Kinds: `ask`, `vote`
// (toggling an upvote on one of the room's live questions), `poll.vote` (changing one's
// choice in an open poll), `edit` (a moderator rewording a question) and `notes.update`
// (one character typed into the notes). Every command changes the room, so each is
// appended, folded, fanned out and acknowledged. Measured: commands acknowledged per
// second; checked: no command refused, every member's seq stream gapless at the end.

import * as Y from 'yjs';

import { Samples, inPool, nowMs, percentiles, stampText } from './common.mjs';
import { Member, Tally, memberTotals, sleep, untilStalled } from './members.mjs';

const QUESTIONS = 20;

// What each kind needs in the room first, and how connection `c` makes its `k`-th command.
async function prepare(kind, moderator) {
  if (kind === 'vote' || kind === 'edit') {
    const qids = [];
    for (let i = 0; i < QUESTIONS; i++) {
      const { reply } = await moderator.command({ t: 'ask', cid: `seed-${i}`, text: `Seed question ${i}`, lang: 'en' });
      if (reply.t !== 'ok') throw new Error(`seed ask: ${reply.code} ${reply.msg}`);
      qids.push(reply.qid);
    }
    if (kind === 'vote') return (c, k) => ({ t: 'vote', qid: qids[c % QUESTIONS], up: k % 2 === 0 });
    return (c, k) => ({ t: 'edit', qid: qids[c % QUESTIONS], text: `Seed question ${c}, reworded ${k}` });
  }
  if (kind === 'poll.vote') {
    const created = await moderator.command({
      t: 'poll.create', cid: 'seed-poll', title: 'Which first?', kind: 'single', options: ['A', 'B', 'C', 'D'],
    });
    const pollId = created.reply.poll_id;
    await moderator.command({ t: 'poll.open', cid: 'seed-open', poll_id: pollId });
    return (c, k) => ({ t: 'poll.vote', poll_id: pollId, choice: (c + k) % 4 });
  }
  if (kind === 'notes.update') {
    const docs = new Map();
    return (c) => {
      if (!docs.has(c)) docs.set(c, new Y.Doc());
      const doc = docs.get(c);
      let update = null;
      const keep = (u) => { update = u; };
      doc.on('update', keep);
      const text = doc.getText('notes');
      text.insert(text.length, String.fromCharCode(97 + (c % 26)));
      doc.off('update', keep);
      return { t: 'notes.update', u: update };
    };
  }
  if (kind === 'ask') return (c, k) => ({ t: 'ask', text: stampText(k, nowMs()), lang: 'en' });
  throw new Error(`unknown command kind ${kind}`);
}

export async function commandCost(cfg, phase) {
  const { url, room, key, kind, connections, window, seconds, warmupSeconds, concurrency, settleMs } = cfg;
  const tally = new Tally(new Samples());
  const moderator = new Member(url, room, 'Moderator', tally, { key, stamps: false });
  await moderator.connect();
  const make = await prepare(kind, moderator);
  const staff = kind === 'edit' ? key : null; // only a moderator may edit
  const members = [];
  await inPool(Array.from({ length: connections }, (_, i) => i), concurrency, async (i) => {
    const m = new Member(url, room, `Member ${i}`, tally, { key: staff, stamps: false });
    await m.connect();
    members.push(m);
  });
  phase('joined', { joined: members.length });
  const errors = {};
  const okMs = new Samples();
  let acked = 0;
  let timing = false;
  let stopped = false;
  const pump = async (m, c) => {
    let k = 0;
    const lane = async () => {
      while (!stopped) {
        const frame = { ...make(c, k), cid: `${kind}-${c}-${k}` };
        k += 1;
        const { reply, ms } = await m.command(frame);
        if (reply.t !== 'ok') errors[reply.code] = (errors[reply.code] || 0) + 1;
        else if (timing) {
          acked += 1;
          okMs.push(ms);
        }
      }
    };
    await Promise.all(Array.from({ length: window }, lane));
  };
  const running = Promise.all(members.map((m, c) => pump(m, c)));
  await sleep(warmupSeconds * 1000);
  timing = true;
  const start = nowMs();
  phase('publishing');
  await sleep(seconds * 1000);
  timing = false;
  const elapsed = (nowMs() - start) / 1000;
  phase('published', { published: acked });
  stopped = true;
  await running;
  const everyone = [...members, moderator];
  const head = Math.max(...everyone.map((m) => m.last));
  const applied = () => everyone.reduce((a, m) => a + m.applied, 0);
  const drained = await untilStalled(() => everyone.every((m) => m.last === head), applied, settleMs);
  phase('settled'); // not 'drained': the server's CPU is counted to 'published' only
  const out = {
    ...memberTotals(everyone), kind, connections, window, seconds: elapsed, acked,
    acked_per_s: acked / elapsed, errors, drained, head,
    behind: everyone.filter((m) => m.last !== head).length,
    ok_ms: percentiles(okMs.data.subarray(0, okMs.length)),
  };
  for (const m of everyone) m.close();
  return out;
}
