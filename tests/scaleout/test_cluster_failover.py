"""A Redis Cluster loses or moves the primary of a room's slot while people ask
questions (issue 16): nothing acknowledged is lost (appendfsync always), seq goes on in
the same epoch, and every client catches up on every process without reconnecting.

- `CLUSTER FAILOVER` on the replica (a planned switch), then kill -9 of the primary that
  took over (its replica, the first primary, takes over again);
- the room's slot moved to another primary (keys migrated while the room is busy:
  clients get ASK and TRYAGAIN, then MOVED, and the old owner ends the shard
  subscriptions).

Processes and clients then behave as after a single Redis restarted with its AOF.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from server.backends.redis_keys import room_keys
from tests.support.redis_cluster import RedisCluster

from .conftest import StartCluster
from .support import (
    ROOM,
    Cluster,
    Member,
    all_reach,
    ask_until_acknowledged,
    assert_gapless,
    eventually,
)

ON_CLUSTER = pytest.mark.parametrize("cluster", ["redis-cluster"], indirect=True)
ROOM_KEY = room_keys(ROOM).seq


async def keep_asking(
    member: Member, i: int, over: asyncio.Event, acked: list[tuple[int, str]] | None = None
) -> None:
    """Ask one question after another until five more after `over` is set, keeping each
    acknowledged `(seq, qid)` in `acked` when given."""
    n = after = 0
    while after < 5:
        after += over.is_set()
        reply = await ask_until_acknowledged(member, f"member {i} question {n}")
        if acked is not None:
            acked.append((int(reply["seq"]), str(reply["qid"])))
        n += 1
        await asyncio.sleep(0.02)


async def _under_load(c: Cluster[RedisCluster], trouble: Callable[[RedisCluster], None]) -> None:
    """Six members on two processes ask questions, one after the other each, from
    before `trouble` runs on the cluster until five more each after it is over; then
    check every acknowledged question is where it was acknowledged."""
    shared = c.redis
    members = [await Member.join(s.ws_url, f"M{i}") for i in range(3) for s in c.servers]
    epoch = members[0].client.epoch
    acked: list[tuple[int, str]] = []
    over = asyncio.Event()
    try:
        tasks = [asyncio.create_task(keep_asking(m, i, over, acked)) for i, m in enumerate(members)]
        await eventually(lambda: len(acked) >= 20, "traffic under way")
        await asyncio.to_thread(trouble, shared)
        over.set()
        await asyncio.gather(*tasks)

        head = c.head()
        assert head == len(acked)  # each question once: retries carried the same cid
        await all_reach(members, head)
        reference = members[0].events()
        for member in members:
            assert member.client.epoch == epoch  # nothing lost: the same log life
            assert_gapless(member, head)
            assert member.events() == reference
        asked = {seq: d["qid"] for seq, t, d in reference if t == "question.asked"}
        for seq, qid in acked:
            assert asked[seq] == qid  # every acknowledged question, where it was acked
        assert all(m.client.reconnects == 0 for m in members)  # sockets stayed open
    finally:
        await asyncio.gather(*(m.close() for m in members))


@ON_CLUSTER
async def test_the_rooms_primary_fails_over_then_is_killed(cluster: StartCluster) -> None:
    c = cluster(2)

    def fail_over_then_kill(shared: RedisCluster) -> None:
        first = shared.owner(ROOM_KEY)
        second = shared.fail_over(first)  # planned: the replica catches up, then serves
        assert shared.owner(ROOM_KEY) is second
        shared.kill_primary(second)  # kill -9: the first primary serves again
        assert shared.owner(ROOM_KEY) is first
        second.start()  # with its AOF; it rejoins as the replica
        shared.wait_healthy()

    await _under_load(c, fail_over_then_kill)
    assert "pub/sub" in c.logs()  # the processes noticed, and resubscribed


@ON_CLUSTER
async def test_the_rooms_slot_moves_to_another_primary(cluster: StartCluster) -> None:
    c = cluster(2)

    def move(shared: RedisCluster) -> None:
        slot_owner = shared.owner(ROOM_KEY)
        target = next(n for n in shared.primary_nodes() if n is not slot_owner)
        shared.move_slot(shared.slot(ROOM_KEY), target)
        assert shared.owner(ROOM_KEY) is target

    await _under_load(c, move)


@ON_CLUSTER
async def test_without_replicas_wait_a_killed_primary_still_leaves_one_history(
    cluster: StartCluster, redis_cluster: RedisCluster
) -> None:
    """The URL without `?replicas=`: replication is asynchronous, so a kill -9 may lose
    the last appends the primary acknowledged (rarely, on one machine). Whatever it
    lost, every client ends with the same questions as the log, and a client whose
    history the log no longer has was given the new epoch's snapshot."""
    redis_cluster.wait_replicas = 0
    try:
        c = cluster(2)
    finally:
        redis_cluster.wait_replicas = 1
    members = [await Member.join(s.ws_url, f"M{i}") for i in range(2) for s in c.servers]
    epoch = members[0].client.epoch
    over = asyncio.Event()
    try:
        tasks = [asyncio.create_task(keep_asking(m, i, over)) for i, m in enumerate(members)]
        await eventually(lambda: c.head() >= 20, "traffic under way")
        primary = redis_cluster.owner(ROOM_KEY)
        await asyncio.to_thread(redis_cluster.kill_primary, primary)
        over.set()
        await asyncio.gather(*tasks)
        primary.start()  # it rejoins as the replica
        await asyncio.to_thread(redis_cluster.wait_healthy)

        head = c.head()
        await all_reach(members, head)
        with redis_cluster.client() as r:
            logged = len(r.xrange(room_keys(ROOM).log))
        for member in members:
            assert len(member.current_questions()) == logged
            assert member.current_questions() == members[0].current_questions()
            if member.client.epoch != epoch:  # the log went back: a new life, a snapshot
                assert any(s.get("epoch") == member.client.epoch for s in member.snapshots())
    finally:
        await asyncio.gather(*(m.close() for m in members))
