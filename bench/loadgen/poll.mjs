// The poll burst (issue 17, scenario 1): N members are in the room, a moderator opens a
// single-choice poll, and every member votes once at a random moment within `windowMs`;
// a share of them change their vote once, later in the same window.
//
// Measured: each vote's send → `ok` time, and for each member the time from the last vote
// sent until the `poll.results` frames it received hold the exact final counts, which this
// generator knows because it chose every vote (PROTOCOL.md "poll.results": coalesced,
// within 250 ms of a change). Checked: every vote acknowledged, every member's final
// counts exact, every member's seq stream gapless and duplicate-free.

import { Samples, inPool, nowMs, percentiles } from './common.mjs';
import { Member, Tally, memberTotals, sleep, until } from './members.mjs';

const OPTIONS = ['Evacuation drills', 'Early warning', 'Shelters', 'Data sharing'];

function tallyOf(choices) {
  const counts = OPTIONS.map(() => 0);
  for (const c of choices.values()) counts[c] += 1;
  return counts;
}

// Deterministic randomness (mulberry32), so a run can be repeated vote for vote.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function pollBurst(cfg, phase) {
  const { url, room, key, members: count, windowMs, changeShare, concurrency, settleMs } = cfg;
  const rand = random(cfg.seed ?? 17);
  const tally = new Tally(new Samples());
  const moderator = new Member(url, room, 'Moderator', tally, { key });
  await moderator.connect();
  const members = [];
  const indices = Array.from({ length: count }, (_, i) => i);
  await inPool(indices, concurrency, async (i) => {
    const m = new Member(url, room, `Voter ${i}`, tally);
    m.results = null; // the latest poll.results counts, as a string, and when they came
    m.resultsAt = null;
    m.onSide = (member, f) => {
      if (f.t !== 'poll.results' || f.poll_id !== m.pollId) return;
      const counts = JSON.stringify({ counts: f.counts, voters: f.voters });
      if (counts !== member.results) {
        member.results = counts;
        member.resultsAt = nowMs();
        member.resultsFrames = (member.resultsFrames || 0) + 1;
      }
    };
    await m.connect();
    members.push(m);
  });
  phase('joined', { joined: members.length });

  const created = await moderator.command({
    t: 'poll.create', cid: 'bench-poll', title: 'Which first?', kind: 'single', options: OPTIONS,
  });
  if (created.reply.t !== 'ok') throw new Error(`poll.create: ${created.reply.code} ${created.reply.msg}`);
  const pollId = created.reply.poll_id;
  for (const m of members) m.pollId = pollId;
  const opened = await moderator.command({ t: 'poll.open', cid: 'bench-open', poll_id: pollId });
  if (opened.reply.t !== 'ok') throw new Error(`poll.open: ${opened.reply.code} ${opened.reply.msg}`);
  const openSeq = opened.reply.seq;
  if (!(await until(() => members.every((m) => m.last >= openSeq), 30000))) {
    throw new Error('not every member saw the poll open within 30 s');
  }

  // Who votes when, for what, and who changes their mind: all chosen before the burst.
  const plan = members.map((m, i) => {
    const at = rand() * windowMs;
    const first = Math.floor(rand() * OPTIONS.length);
    const changes = rand() < changeShare;
    const second = (first + 1 + Math.floor(rand() * (OPTIONS.length - 1))) % OPTIONS.length;
    const laterAt = at + rand() * (windowMs - at);
    return { m, i, at, first, changes, second, laterAt };
  });
  const truth = new Map();
  const okMs = new Samples();
  const errors = {};
  let votes = 0;
  let lastSentAt = 0;
  let lastOkAt = 0;
  const vote = async (m, i, choice, n) => {
    const sentAt = nowMs();
    lastSentAt = Math.max(lastSentAt, sentAt);
    votes += 1;
    truth.set(i, choice);
    const { reply, ms } = await m.command({ t: 'poll.vote', cid: `vote-${i}-${n}`, poll_id: pollId, choice });
    lastOkAt = Math.max(lastOkAt, nowMs());
    if (reply.t === 'ok') okMs.push(ms);
    else errors[reply.code] = (errors[reply.code] || 0) + 1;
  };
  phase('publishing');
  const start = nowMs();
  await Promise.all(plan.map(async (p) => {
    await sleep(p.at);
    await vote(p.m, p.i, p.first, 1);
    if (!p.changes) return;
    await sleep(Math.max(0, start + p.laterAt - nowMs()));
    await vote(p.m, p.i, p.second, 2);
  }));
  phase('published', { published: votes });

  const counts = tallyOf(truth);
  const expected = JSON.stringify({ counts, voters: count });
  const exact = () => members.every((m) => m.results === expected);
  const allExact = await until(exact, settleMs);
  const settledAt = nowMs();
  await sleep(600); // and nothing changes after: a later frame would be counted below
  phase('drained');
  const wrong = members.filter((m) => m.results !== expected);
  const heldAfter = members.filter((m) => m.results === expected).map((m) => m.resultsAt - lastSentAt);
  const totals = memberTotals(members);
  const head = Math.max(...members.map((m) => m.last));
  const behind = members.filter((m) => m.last !== head).length;
  const out = {
    ...totals, votes, changes: plan.filter((p) => p.changes).length, window_ms: windowMs,
    poll_id: pollId, counts, errors, all_exact: allExact && wrong.length === 0,
    wrong_counts: wrong.length, wrong_example: wrong.length ? wrong[0].results : null,
    vote_ok_ms: percentiles(okMs.data.subarray(0, okMs.length)),
    exact_after_last_vote_ms: percentiles(heldAfter),
    exact_at_every_member_ms: heldAfter.length ? Math.max(...heldAfter) : null,
    exact_after_last_ok_ms: allExact ? Math.max(...members.map((m) => m.resultsAt)) - lastOkAt : null,
    burst_ms: lastSentAt - start, settle_check_ms: settledAt - lastSentAt,
    results_frames_per_member: members.reduce((a, m) => a + (m.resultsFrames || 0), 0) / count,
    head, behind,
  };
  for (const m of members) m.close();
  moderator.close();
  return out;
}
