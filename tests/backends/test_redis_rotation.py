"""A rotation's rolling restart on Redis (issue 15): a process started with the new secret
and the old one retired takes the live messages of a process still on the old secret as
its own (their MACs check with the retired secret), and one without it does not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.redis import RedisProcess

from .support import EVENT, ROOM, SECRET, Tail, eventually, open_redis

if TYPE_CHECKING:
    from server.backends.redis import RedisBackend

NEW = b"the-rotated-secret-of-the-workshop-0123456789"


async def live_on(backend: RedisBackend) -> None:
    """Wait until Redis confirmed the room's channel and the feed caught up: a message
    published before that is read from the stream, and its MAC is never checked."""
    await eventually(lambda: ROOM in backend._listener.feeds and backend._listener.feeds[ROOM].live)


async def test_live_messages_of_the_old_secret_are_taken_in_the_window(
    flushed: RedisProcess,
) -> None:
    old = await open_redis(flushed.url)  # still on SECRET
    rotated = await open_redis(flushed.url, secret=NEW, retired=(SECRET,))
    try:
        await old.create_event(EVENT)
        tail = Tail()
        rotated.subscribe(ROOM, tail)
        await live_on(rotated)
        await old.append(ROOM, "ask", {"text": "from the old process"}, None, "c1")
        await eventually(lambda: len(tail.got) == 1)
        assert rotated.stats["forged"] == 0
    finally:
        await old.close()
        await rotated.close()


async def test_without_the_retired_secret_they_are_forged(flushed: RedisProcess) -> None:
    old = await open_redis(flushed.url)
    stranger = await open_redis(flushed.url, secret=NEW)
    try:
        await old.create_event(EVENT)
        tail = Tail()
        stranger.subscribe(ROOM, tail)
        await live_on(stranger)
        await old.append(ROOM, "ask", {"text": "from the old process"}, None, "c1")
        await eventually(lambda: stranger.stats["forged"] >= 1)
        await eventually(lambda: len(tail.got) == 1)  # read from the stream instead: no loss
    finally:
        await old.close()
        await stranger.close()
