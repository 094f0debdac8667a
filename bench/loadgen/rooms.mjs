// Many rooms (issue 17, scenario 4): `rooms` rooms of `members` members each, a moderator
// in every room posting `rate` questions a second. Run once as 100 rooms × 50 and once as
// one room of the same 5,000 members at the same rate per room, the harness compares the
// server's deliveries per CPU-second: what a server pays for many small rooms instead of
// one big one. Checked: every question acknowledged, every member at its room's head with
// no gap, no duplicate and no question seen twice.

import { Samples, inPool, nowMs, percentiles } from './common.mjs';
import { Member, Tally, memberTotals, sleep, untilStalled } from './members.mjs';
import { Moderator } from './storm.mjs';

export async function manyRooms(cfg, phase) {
  const { url, rooms, key, members: perRoom, rate, seconds, warmupSeconds, concurrency, settleMs } = cfg;
  const tally = new Tally(new Samples());
  const moderators = rooms.map((room) => new Moderator(url, room, key, tally));
  await Promise.all(moderators.map((m) => m.member.connect()));
  for (const m of moderators) m.seq0 = m.member.last;
  const members = [];
  const indices = Array.from({ length: rooms.length * perRoom }, (_, i) => i);
  await inPool(indices, concurrency, async (i) => {
    const m = new Member(url, rooms[i % rooms.length], `Member ${i}`, tally);
    await m.connect();
    members.push(m);
  });
  phase('joined', { joined: members.length });
  const publishing = moderators.map((m) => m.run(rate));
  await sleep(warmupSeconds * 1000);
  const applied = () => members.reduce((a, m) => a + m.applied, 0);
  const before = applied();
  const start = nowMs();
  tally.measuring = true;
  phase('publishing');
  await sleep(seconds * 1000);
  for (const m of moderators) m.running = false;
  await Promise.race([Promise.all(publishing), sleep(settleMs)]);
  phase('published', { published: moderators.reduce((a, m) => a + m.sent, 0) });
  const heads = Object.fromEntries(moderators.map((m) => [m.room, m.maxSeq]));
  const drained = await untilStalled(() => members.every((m) => m.last === heads[m.room]), applied, settleMs);
  const deliveries = applied() - before;
  const wall = (nowMs() - start) / 1000;
  phase('drained');
  const lat = tally.latencies;
  const totals = memberTotals(members);
  const out = {
    ...totals, applied_total: totals.applied, applied: deliveries, rooms: rooms.length, members_per_room: perRoom, rate_per_room: rate,
    seconds, deliveries_per_s: deliveries / wall, drained,
    behind: members.filter((m) => m.last !== heads[m.room]).length,
    sent: moderators.reduce((a, m) => a + m.sent, 0),
    acked: moderators.reduce((a, m) => a + m.acked, 0),
    errors: moderators.reduce((acc, m) => {
      for (const [c, n] of Object.entries(m.errors)) acc[c] = (acc[c] || 0) + n;
      return acc;
    }, {}),
    appended_twice: moderators.reduce((a, m) => a + (m.maxSeq - m.seq0 - m.seqs.size), 0),
    latency_ms: percentiles(lat.data.subarray(0, lat.length)),
  };
  for (const m of [...members, ...moderators.map((x) => x.member)]) m.close();
  return out;
}
