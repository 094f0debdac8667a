"""While Redis is unreachable (issue 3): commands get `unavailable` (never a false ok),
/readyz says not ready, live sockets stay open; when Redis returns, everything resumes
by itself."""

from __future__ import annotations

import asyncio

import pytest

from client.errors import CommandError

from .conftest import StartCluster
from .support import Member, all_reach, ask_until_acknowledged, assert_gapless, http_status


async def readyz(url: str) -> int:
    return await asyncio.to_thread(http_status, f"{url}/readyz")


async def test_redis_down_then_back(cluster: StartCluster) -> None:
    c = cluster(2)
    members = [await Member.join(s.ws_url, f"M{i}") for i in range(2) for s in c.servers]
    try:
        await members[0].client.ask("before")
        await members[3].client.ask("before, too")
        await all_reach(members, 2)

        await asyncio.to_thread(c.redis.kill)
        for member in members:
            with pytest.raises(CommandError) as refused:
                await member.client.ask("while Redis is down")
            assert refused.value.code == "unavailable"
            assert (await member.client.ping())["t"] == "pong"  # the socket is alive
        for server in c.servers:
            assert await readyz(server.url) == 503

        await asyncio.to_thread(c.redis.start)  # with its AOF
        for server in c.servers:
            for _ in range(600):
                if await readyz(server.url) == 200:
                    break
                await asyncio.sleep(0.05)
            assert await readyz(server.url) == 200
        for i, member in enumerate(members):
            await ask_until_acknowledged(member, f"after {i}")
        head = c.head()
        assert head == 2 + 4  # nothing was appended while Redis was down
        await all_reach(members, head)
        reference = members[0].events()
        for member in members:
            assert_gapless(member, head)
            assert member.events() == reference
            assert member.client.connected and member.client.reconnects == 0
        after = [f"after {i}" for i in range(4)]
        assert members[0].questions() == ["before", "before, too", *after]
    finally:
        await asyncio.gather(*(m.close() for m in members))
