"""Processes and Redis die during traffic; nothing acknowledged is lost (issue 3).

- kill -9 of one server process: its clients reconnect to another and resume with no
  gap and no duplicate (the load balancer's part is played by pointing each client's
  `url` at the surviving process before the kill; RoomClient reconnects to its `url`).
- Redis killed and restarted with its AOF (appendfsync always): every acknowledged
  question is there, seq continues in the same epoch, every client catches up.
- Redis restarted with its data wiped: the room gets a new epoch and every client a
  fresh snapshot, never a replay of the lost log.
"""

from __future__ import annotations

import asyncio

from client.room_client import RoomClient

from .conftest import StartCluster
from .support import (
    ROOM,
    Member,
    all_reach,
    ask_until_acknowledged,
    assert_gapless,
    assert_no_gap_or_duplicate_on_the_wire,
    eventually,
)


def assert_same_history(members: list[Member]) -> None:
    """Members that resumed from a snapshot hold a suffix of the longest history."""
    longest = max((m.events() for m in members), key=len)
    for member in members:
        mine = member.events()
        assert mine == longest[len(longest) - len(mine) :]


async def test_kill_9_of_a_process_its_clients_resume_on_another(cluster: StartCluster) -> None:
    c = cluster(2)
    doomed, survivor = c.servers
    on_doomed = [await Member.join(doomed.ws_url, f"D{i}", keep_raw=True) for i in range(5)]
    on_survivor = [await Member.join(survivor.ws_url, f"S{i}", keep_raw=True) for i in range(5)]
    everyone = [*on_doomed, *on_survivor]
    acked: list[str] = []
    try:

        async def traffic(member: Member, i: int) -> None:
            for n in range(12):
                reply = await member.client.ask(f"member {i} question {n}")
                acked.append(str(reply["qid"]))
                await asyncio.sleep(0.02)

        tasks = [asyncio.create_task(traffic(m, i)) for i, m in enumerate(everyone)]
        await eventually(lambda: len(acked) >= 30, "traffic under way")
        for member in on_doomed:
            member.client.url = survivor.ws_url  # where the load balancer sends them now
        await asyncio.to_thread(doomed.kill)
        await asyncio.gather(*tasks)

        head = c.head()
        assert head == 10 * 12  # every command once: resent commands were deduped
        assert len(set(acked)) == len(acked) == head
        await all_reach(everyone, head)
        assert_same_history(everyone)
        for member in everyone:
            assert_gapless(member, head)
            assert_no_gap_or_duplicate_on_the_wire(await member.raw_frames())
        assert all(m.client.reconnects >= 1 for m in on_doomed)
        assert all(m.client.reconnects == 0 for m in on_survivor)
    finally:
        await asyncio.gather(*(m.close() for m in everyone))


async def test_redis_restarted_with_its_aof_loses_no_acknowledged_event(
    cluster: StartCluster,
) -> None:
    c = cluster(2)
    members = [await Member.join(s.ws_url, f"M{i}") for i in range(3) for s in c.servers]
    epoch = members[0].client.epoch
    acked: list[tuple[int, str]] = []
    try:

        async def traffic(member: Member, i: int) -> None:
            for n in range(15):
                reply = await ask_until_acknowledged(member, f"member {i} question {n}")
                acked.append((int(reply["seq"]), str(reply["qid"])))
                await asyncio.sleep(0.03)

        tasks = [asyncio.create_task(traffic(m, i)) for i, m in enumerate(members)]
        await eventually(lambda: len(acked) >= 20, "traffic under way")
        before = c.head()
        await asyncio.to_thread(c.redis.restart)  # kill -9, then start from the AOF
        await asyncio.gather(*tasks)

        head = c.head()
        assert head >= before
        assert head == 6 * 15  # each question once: retries carried the same cid
        await all_reach(members, head)
        assert_same_history(members)
        for member in members:
            assert member.client.epoch == epoch  # seq continued in the same log life
            assert_gapless(member, head)
        asked = {seq: d["qid"] for seq, t, d in members[0].events() if t == "question.asked"}
        for seq, qid in acked:
            assert asked[seq] == qid  # every acknowledged question, where it was acked
        assert all(m.client.reconnects == 0 for m in members)  # sockets stayed open
    finally:
        await asyncio.gather(*(m.close() for m in members))


async def test_redis_wiped_gives_a_new_epoch_and_fresh_snapshots(cluster: StartCluster) -> None:
    c = cluster(2)
    members = [await Member.join(s.ws_url, f"M{i}") for i in range(2) for s in c.servers]
    try:
        for i in range(5):
            await members[i % 4].client.ask(f"before the wipe {i}")
        await all_reach(members, 5)
        old_epoch = members[0].client.epoch
        assert old_epoch is not None

        await asyncio.to_thread(c.redis.restart, wiped=True)
        # The processes put the room back from memory; the next question starts its new log.
        await ask_until_acknowledged(members[1], "after the wipe")

        def refreshed(m: Member) -> bool:
            fresh = [s for s in m.snapshots() if s.get("epoch") not in (None, old_epoch)]
            return bool(fresh) and m.current_questions() == ["after the wipe"]

        for member in members:
            await eventually(lambda m=member: refreshed(m), "a fresh snapshot of the new log")
        assert c.head() == 1

        # A client resuming with the old (seq, epoch) gets a snapshot, not a replay.
        late = RoomClient(c.servers[0].ws_url, ROOM, name="Late", inbox=1000)
        late.sequencer.joined(old_epoch)
        late.sequencer.snapshot(5)
        reply = await late.connect()
        try:
            assert reply["epoch"] != old_epoch and reply["seq"] == 1
            frame = await asyncio.wait_for(late.events().get(), 30)
            assert frame["t"] == "snapshot" and frame["seq"] == 1
            assert [q["text"] for q in frame["state"]["questions"]] == ["after the wipe"]
        finally:
            await late.close()
    finally:
        await asyncio.gather(*(m.close() for m in members))
