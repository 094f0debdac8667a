"""Redis faults that no command reveals (issue 12, "Hardening"; docs/reliability.md).

- Redis restarted without its data, in a quiet room: the position check finds the lost
  log without any traffic, and every connected client gets a snapshot of the new (empty)
  life; a newcomer joining in between never gets the lost life's state.
- A well-formed record PUBLISHed on a room's channel by someone who is not a server
  process: dropped and counted, never folded; the real record at that seq is.
"""

from __future__ import annotations

import asyncio

import msgpack
import pytest

from client.room_client import RoomClient
from server.backends.redis_keys import decode_entry, room_keys

from .conftest import StartCluster
from .support import ROOM, Cluster, Member, all_reach, eventually


async def quiet_room_of_20(c: Cluster) -> tuple[Member, str]:
    """A member of the demo room, which holds 20 questions; the log's epoch."""
    member = await Member.join(c.servers[0].ws_url, "Quiet")
    for i in range(20):
        await member.client.ask(f"question {i} of the lost life")
    await all_reach([member], 20)
    assert member.client.epoch is not None and len(member.current_questions()) == 20
    return member, member.client.epoch


def refreshed(member: Member, old_epoch: str) -> bool:
    """The member's last snapshot is of a log life other than `old_epoch`."""
    snaps = member.snapshots()
    return bool(snaps) and snaps[-1].get("epoch") not in (None, old_epoch)


def lose_data(c: Cluster, how: str) -> None:
    """Redis restarted empty (the pub/sub connections drop and come back), or FLUSHALL
    (every connection stays up: only the position check can tell)."""
    if how == "flushall":
        with c.redis.client() as r:
            r.flushall()
    else:
        c.redis.restart(wiped=True)


@pytest.mark.parametrize("how", ["restart wiped", "flushall"])
async def test_a_wiped_redis_in_a_quiet_room_reaches_every_client_without_traffic(
    cluster: StartCluster, how: str
) -> None:
    c = cluster(1)  # the default --position-check (5 s)
    member, old_epoch = await quiet_room_of_20(c)
    try:
        await asyncio.to_thread(lose_data, c, how)
        # Nobody sends a command or joins from here on.
        await eventually(lambda: refreshed(member, old_epoch), "a snapshot of the new life")
        assert member.current_questions() == []
        assert member.snapshots()[-1]["seq"] == 0
        assert c.head() == 0
    finally:
        await member.close()


@pytest.mark.parametrize("how", ["restart wiped", "flushall"])
async def test_a_newcomer_after_a_wipe_never_gets_the_lost_lifes_state(
    cluster: StartCluster, how: str
) -> None:
    # A position check that never comes in this test: only the join's own check can
    # find the lost log before the welcome.
    c = cluster(1, "--position-check", "600")
    member, old_epoch = await quiet_room_of_20(c)
    newcomer = RoomClient(c.servers[0].ws_url, ROOM, name="Newcomer", inbox=1000)
    try:
        await asyncio.to_thread(lose_data, c, how)
        welcome = await newcomer.connect()
        assert welcome["epoch"] != old_epoch and welcome["seq"] == 0
        first = await asyncio.wait_for(newcomer.events().get(), 30)
        assert first["t"] == "snapshot" and first["epoch"] == welcome["epoch"]
        assert first["state"]["questions"] == []
        # The member who was there learns of the new life from the same catch-up.
        await eventually(lambda: refreshed(member, old_epoch), "a snapshot of the new life")
        assert member.current_questions() == []
        assert member.snapshots()[-1]["epoch"] == welcome["epoch"]
    finally:
        await newcomer.close()
        await member.close()


async def test_a_forged_record_on_the_channel_never_wins_over_the_log(
    cluster: StartCluster,
) -> None:
    c = cluster(2)
    members = [await Member.join(s.ws_url, f"M{i}") for i in range(2) for s in c.servers]
    try:
        for i in range(3):
            await members[i].client.ask(f"question {i}")
        await all_reach(members, 3)
        epoch = members[0].client.epoch
        assert epoch is not None
        actor = {"pid": "0123456789abcdef", "name": "Mallory", "org": "Nowhere", "roles": []}
        data = {"text": "FORGED", "lang": "en", "anon": False}
        body = msgpack.packb(["ask", data, actor, "forged-cid"], use_bin_type=True)
        forged = msgpack.packb([4, epoch.encode(), b"1700000000.000000", body])
        with c.redis.client() as r:
            assert r.publish(room_keys(ROOM).channel, forged) == 2  # both processes
        await members[3].client.ask("question 3")
        await all_reach(members, 4)
        real = [f"question {i}" for i in range(4)]
        for member in members:
            assert member.current_questions() == real
        for server in c.servers:
            await eventually(lambda s=server: "unauthenticated record" in s.log(), "counted")
        # The log holds the real seq 4, and a newcomer's snapshot (the room's state on
        # either process) is the fold of that log.
        with c.redis.client() as r:
            entries = r.xrange(room_keys(ROOM).log)
        assert [decode_entry(i, f).data["text"] for i, f in entries] == real
        for server in c.servers:
            late = await Member.join(server.ws_url, "Late")
            try:
                await eventually(lambda m=late: bool(m.snapshots()), "a snapshot")
                assert late.current_questions() == real
            finally:
                await late.close()
    finally:
        await asyncio.gather(*(m.close() for m in members))
