"""Redis faults that no command reveals (issue 12, "Hardening"; docs/reliability.md).

- Redis restarted without its data, in a quiet room: the position check finds the lost
  log without any traffic, and every connected client gets a snapshot of the new (empty)
  life; a newcomer joining in between never gets the lost life's state.
- A well-formed record PUBLISHed on a room's channel by someone who is not a server
  process: dropped and counted, never folded; the real record at that seq is.
"""

from __future__ import annotations

import asyncio

from client.room_client import RoomClient

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


async def test_a_wiped_redis_in_a_quiet_room_reaches_every_client_without_traffic(
    cluster: StartCluster,
) -> None:
    c = cluster(1)  # the default --position-check (5 s)
    member, old_epoch = await quiet_room_of_20(c)
    try:
        await asyncio.to_thread(c.redis.restart, wiped=True)
        # Nobody sends a command or joins from here on.
        await eventually(lambda: refreshed(member, old_epoch), "a snapshot of the new life")
        assert member.current_questions() == []
        assert member.snapshots()[-1]["seq"] == 0
        assert c.head() == 0
    finally:
        await member.close()


async def test_a_newcomer_after_a_wipe_never_gets_the_lost_lifes_state(
    cluster: StartCluster,
) -> None:
    # A position check that never comes in this test: only the join's own check can
    # find the lost log before the welcome.
    c = cluster(1, "--position-check", "600")
    member, old_epoch = await quiet_room_of_20(c)
    newcomer = RoomClient(c.servers[0].ws_url, ROOM, name="Newcomer", inbox=1000)
    try:
        await asyncio.to_thread(c.redis.restart, wiped=True)
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
