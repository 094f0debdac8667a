"""An upgrade by rolling restart (docs/operations.md, "Upgrades"): two server processes on
one Redis behind one balancer (tests/support/balancer.py), restarted one at a time with
SIGTERM while every client keeps asking. Each stopping process closes its sockets with
1012; their clients reconnect through the balancer to the other process and resume from
their seq: every acknowledged question is in the log once, every client saw every seq once
and in order, and no client needed a second snapshot."""

from __future__ import annotations

import asyncio

from tests.integration.helpers import Raw
from tests.scaleout.conftest import StartCluster
from tests.support.balancer import Balancer

from .support import (
    Member,
    all_reach,
    ask_until_acknowledged,
    assert_gapless,
    assert_no_gap_or_duplicate_on_the_wire,
    eventually,
)


async def test_a_rolling_restart_loses_and_repeats_nothing(cluster: StartCluster) -> None:
    c = cluster(2)
    async with Balancer([s.port for s in c.servers]) as balancer:
        url = f"ws://127.0.0.1:{balancer.port}/ws"
        members = [await Member.join(url, f"M{i}", keep_raw=True) for i in range(4)]
        epoch = members[0].client.epoch
        acked: list[int] = []
        stop = asyncio.Event()

        async def traffic(member: Member, i: int) -> None:
            n = 0
            while not stop.is_set():
                reply = await ask_until_acknowledged(member, f"member {i} question {n}")
                acked.append(int(reply["seq"]))
                n += 1
                await asyncio.sleep(0.02)

        tasks = [asyncio.create_task(traffic(m, i)) for i, m in enumerate(members)]

        async def twenty_more(what: str) -> None:
            goal = len(acked) + 20
            await eventually(lambda: len(acked) >= goal, what)

        try:
            for server in c.servers:  # one at a time: the other keeps serving
                await twenty_more("traffic before the restart")
                watch = await Raw.open(server.ws_url)
                assert (await watch.join(name="Watch"))["t"] == "ok"
                await asyncio.to_thread(server.stop)  # SIGTERM, as `systemctl restart`
                assert await watch.closed() == 1012
                await asyncio.to_thread(server.start)
            await twenty_more("traffic after the restarts")
        finally:
            stop.set()
            await asyncio.gather(*tasks)

        try:
            head = c.head()
            assert sorted(acked) == list(range(1, head + 1))  # each question once
            await all_reach(members, head)
            assert all(m.events() == members[0].events() for m in members)  # one history
            for member in members:
                assert member.client.reconnects >= 1  # everyone moved at least once
                assert member.client.epoch == epoch
                assert len(member.snapshots()) == 1  # resumed by replay, never rebuilt
                assert_gapless(member, head)
                assert_no_gap_or_duplicate_on_the_wire(await member.raw_frames())
        finally:
            await asyncio.gather(*(m.close() for m in members))
