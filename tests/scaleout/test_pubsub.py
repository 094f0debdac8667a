"""The pub/sub path under attack (issue 3): connections killed by Redis, garbage on a
room's channel. Pub/sub is at-most-once; the stream is the truth, so nothing is missed."""

from __future__ import annotations

import asyncio

import msgpack

from server.backends.redis_keys import room_keys

from .conftest import StartCluster
from .support import ROOM, Member, all_reach, assert_gapless, eventually, http_status


async def test_killed_pubsub_connections_resubscribe_and_miss_nothing(
    cluster: StartCluster,
) -> None:
    c = cluster(3)
    members = [await Member.join(s.ws_url, f"M{i}") for i in range(2) for s in c.servers]
    try:

        async def traffic(member: Member, i: int) -> None:
            for n in range(12):
                await member.client.ask(f"member {i} question {n}")
                await asyncio.sleep(0.02)

        tasks = [asyncio.create_task(traffic(m, i)) for i, m in enumerate(members)]
        with c.redis.client() as admin:
            for _ in range(3):
                await asyncio.sleep(0.15)
                killed = await asyncio.to_thread(admin.client_kill_filter, _type="pubsub")
                assert killed >= 1
            await asyncio.gather(*tasks)
            head = c.head()
            assert head == 6 * 12
            await all_reach(members, head)
            reference = members[0].events()
            for member in members:
                assert_gapless(member, head)
                assert member.events() == reference
            # Every process is subscribed again.
            await eventually(
                lambda: len(admin.client_list(_type="pubsub")) == 3, "3 pub/sub connections"
            )
        assert c.logs().count("Redis pub/sub reconnected") >= 3
        assert all(m.client.reconnects == 0 for m in members)
    finally:
        await asyncio.gather(*(m.close() for m in members))


async def test_garbage_on_a_room_channel_is_dropped_and_counted(cluster: StartCluster) -> None:
    c = cluster(2)
    members = [await Member.join(s.ws_url, f"M{i}") for i in range(2) for s in c.servers]
    try:
        for i in range(3):
            await members[i].client.ask(f"question {i}")
        await all_reach(members, 3)
        garbage = [
            b"\xc1",
            b"DROP TABLE rooms;",
            msgpack.packb({"t": "ev", "seq": 4}),
            msgpack.packb([4, b"0123456789abcdef", b"1.0", b"\xc1"]),
            msgpack.packb([10**9, members[0].client.epoch.encode(), b"1.0", b"\x94"]),
        ]
        with c.redis.client() as r:
            for payload in garbage:
                assert r.publish(room_keys(ROOM).channel, payload) == 2  # both processes
        for i in range(3, 6):
            await members[i % 4].client.ask(f"question {i}")
        await all_reach(members, 6)
        for member in members:
            assert_gapless(member, 6)
            assert member.questions() == [f"question {i}" for i in range(6)]
        for server in c.servers:
            assert server.proc is not None and server.proc.poll() is None
            assert await asyncio.to_thread(http_status, f"{server.url}/readyz") == 200
            await eventually(lambda s=server: "undecodable message" in s.log(), "logged")
            assert "1 so far" in server.log()
    finally:
        await asyncio.gather(*(m.close() for m in members))
