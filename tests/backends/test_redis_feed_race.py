"""A room feed that syncs while it is live (a position check, a late duplicate) reads the
head on one connection while pub/sub keeps delivering on another: records appended
after the head was read may be delivered before its reply is handled. The feed must not
take that head for a log that went back (issue 31): it fenced a healthy log with a new
epoch, so every member of the room got a snapshot instead of the next event (the
`commands` benchmark's "gaps 21" on Redis: one per member).

No Redis here: a log source in memory whose head reply is held back on purpose, so the
interleaving is the one that broke, every time."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Coroutine
from typing import Any

import msgpack

from server.backends.base import Position, Record
from server.backends.redis_feed import RoomFeed
from server.backends.redis_keys import encode_body, room_keys, sign_live

from .support import Tail, eventually

ROOM = "SUB-PLAN"
KEY = b"k" * 32
CHANNEL = room_keys(ROOM).channel
ACTOR = {"pid": "a7a7a7a7a7a7a7a7", "name": "Altan", "org": "Ulaanbaatar", "roles": []}


class SlowHeads:
    """The log in memory. `hold()` makes the next head read take the head at once (as
    Redis does) and hand it back only when `release()` is called."""

    def __init__(self) -> None:
        self.epoch = "e1"
        self.bodies: list[bytes] = []
        self.fences = 0
        self._gate: asyncio.Event | None = None
        self._held: asyncio.Event | None = None
        self.asked = asyncio.Event()

    def append(self) -> bytes:
        """Append one record; its pub/sub message, as `lua/append.lua` publishes it."""
        body = encode_body("ask", {"i": len(self.bodies)}, ACTOR, None)
        self.bodies.append(body)
        nonce, mac = sign_live(KEY, CHANNEL, body)
        message = [len(self.bodies), self.epoch.encode(), b"1.0", body, nonce, mac]
        return bytes(msgpack.packb(message, use_bin_type=True))

    def hold(self) -> None:
        self._gate = asyncio.Event()
        self.asked.clear()

    def release(self) -> None:
        assert self._held is not None
        self._held.set()

    async def head_now(self, room: str) -> Position:
        head = Position(len(self.bodies), self.epoch)  # read now...
        gate, self._gate = self._gate, None
        self._held = gate
        self.asked.set()
        if gate is not None:
            await gate.wait()  # ...answered later
        return head

    async def read_with_epoch(
        self, room: str, first: int, last: int, limit: int
    ) -> tuple[str | None, list[Record]]:
        await asyncio.sleep(0)
        return self.epoch, [
            Record(seq, 1.0, "ask", msgpack.unpackb(self.bodies[seq - 1])[1], ACTOR, None)
            for seq in range(first, min(last, len(self.bodies), first + limit - 1) + 1)
        ]

    async def fence(self, room: str, epoch: str) -> str:
        if epoch == self.epoch:
            self.fences += 1
            self.epoch = f"e{self.fences + 1}"
        return self.epoch


async def live_feed(source: SlowHeads, tail: Tail) -> RoomFeed:
    tasks: set[asyncio.Task[None]] = set()

    def spawn(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return task

    feed = RoomFeed(ROOM, source, Counter(), asyncio.Semaphore(16), spawn, 0.1, live_keys=(KEY,))
    feed.callbacks[tail] = None
    feed.on_subscribed()  # the baseline, then live
    await eventually(lambda: feed.live)
    return feed


async def test_a_sync_while_live_does_not_take_a_late_head_for_a_rewind() -> None:
    source, tail = SlowHeads(), Tail()
    for _ in range(3):
        source.append()
    feed = await live_feed(source, tail)
    assert feed.delivered == 3
    feed.on_message(source.append())  # 4, live
    source.hold()
    feed.request_sync()  # as the position check does, or a late duplicate
    await source.asked.wait()  # Redis has answered "4"...
    feed.on_message(source.append())  # ...and 5 is delivered before that reply is read
    feed.on_message(source.append())  # 6
    source.release()
    await eventually(lambda: feed.sync_task is not None and feed.sync_task.done())
    feed.on_message(source.append())  # 7
    await eventually(lambda: feed.delivered == 7)
    assert source.fences == 0 and feed.epoch == "e1"
    assert feed._stats["rewinds"] == 0 and feed._stats["epoch_changes"] == 0
    assert tail.seqs == [4, 5, 6, 7]
    assert {epoch for _, epoch in tail.got} == {"e1"}
    feed.close()


async def test_a_late_position_check_reply_is_not_a_rewind() -> None:
    """The position check's heads, read before pub/sub delivered more, are judged
    against what the feed had delivered when they were asked for."""
    source, tail = SlowHeads(), Tail()
    for _ in range(3):
        source.append()
    feed = await live_feed(source, tail)
    mark = feed.position_mark()  # the check asks for the heads: 3
    head = (source.epoch, len(source.bodies))
    feed.on_message(source.append())  # 4 is delivered before the reply is read
    assert not feed.position_stale(*head, mark)
    # A log that really went back behind what was delivered is still found.
    mark = feed.position_mark()
    assert feed.position_stale(source.epoch, 2, mark)
    feed.close()
