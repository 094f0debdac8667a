"""Contract: the live tail — every subscriber, every record, once, in order."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from server.backends.base import Backend, Record

from .support import OTHER, ROOM, eventually

ACTOR = {"pid": "c3c3c3c3c3c3c3c3", "name": "Chie", "org": "Sendai", "roles": []}


class Tail:
    """A subscriber that keeps what it is given and where it was called from."""

    def __init__(self) -> None:
        self.got: list[tuple[Record, str]] = []
        self.threads: set[int] = set()

    def __call__(self, record: Record, epoch: str) -> None:
        self.got.append((record, epoch))
        self.threads.add(threading.get_ident())

    @property
    def seqs(self) -> list[int]:
        return [record.seq for record, _ in self.got]


async def test_subscribers_get_every_record_once_in_order(backend: Backend) -> None:
    one, two, other = Tail(), Tail(), Tail()
    backend.subscribe(ROOM, one)
    backend.subscribe(ROOM, two)
    backend.subscribe(ROOM, two)  # twice is once
    backend.subscribe(OTHER, other)
    await asyncio.gather(
        *(backend.append(ROOM, "ask", {"i": i}, ACTOR, f"c{i}") for i in range(50)),
        *(backend.append(ROOM, "ask", {"i": i}, ACTOR, f"c{i}") for i in range(10)),  # repeats
        *(backend.append(OTHER, "ask", {"i": i}, ACTOR, None) for i in range(7)),
    )
    await eventually(lambda: len(one.got) >= 50 and len(two.got) >= 50 and len(other.got) >= 7)
    await asyncio.sleep(0.05)  # anything extra would show now
    epoch = (await backend.head(ROOM)).epoch
    assert one.seqs == two.seqs == list(range(1, 51))
    assert other.seqs == list(range(1, 8))
    assert {e for _, e in one.got} == {epoch}
    assert [r for r, _ in one.got] == await backend.read(ROOM, 1)
    assert one.threads == {threading.get_ident()}  # the event loop thread


async def test_unsubscribe(backend: Backend) -> None:
    gone, stays = Tail(), Tail()
    backend.subscribe(ROOM, gone)
    backend.subscribe(ROOM, stays)
    await backend.append(ROOM, "ask", {}, ACTOR, None)
    await eventually(lambda: len(gone.got) == 1 and len(stays.got) == 1)
    backend.unsubscribe(ROOM, gone)
    backend.unsubscribe(ROOM, gone)  # unknown now: ignored
    backend.unsubscribe(OTHER, Tail())  # never subscribed: ignored
    await backend.append(ROOM, "ask", {}, ACTOR, None)
    await eventually(lambda: len(stays.got) == 2)
    await asyncio.sleep(0.05)
    assert gone.seqs == [1] and stays.seqs == [1, 2]


async def test_a_raising_subscriber_breaks_nothing(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(record: Record, epoch: str) -> None:
        raise RuntimeError("subscriber bug")

    before, after = Tail(), Tail()
    backend.subscribe(ROOM, before)
    backend.subscribe(ROOM, broken)
    backend.subscribe(ROOM, after)
    with caplog.at_level(logging.ERROR):
        results = await asyncio.gather(
            *(backend.append(ROOM, "ask", {"i": i}, ACTOR, None) for i in range(5))
        )
        await eventually(lambda: len(before.got) == 5 and len(after.got) == 5)
    assert sorted(r.seq for r in results) == [1, 2, 3, 4, 5]
    assert before.seqs == after.seqs == [1, 2, 3, 4, 5]
    assert "subscriber bug" in caplog.text
    backend.unsubscribe(ROOM, broken)
    assert (await backend.append(ROOM, "ask", {}, ACTOR, None)).seq == 6


async def test_subscriber_may_unsubscribe_itself(backend: Backend) -> None:
    seen: list[int] = []

    def once(record: Record, epoch: str) -> None:
        seen.append(record.seq)
        backend.unsubscribe(ROOM, once)

    tail = Tail()
    backend.subscribe(ROOM, once)
    backend.subscribe(ROOM, tail)
    await asyncio.gather(*(backend.append(ROOM, "ask", {}, ACTOR, None) for _ in range(3)))
    await eventually(lambda: len(tail.got) == 3)
    assert seen == [1]


async def test_subscribe_then_read_misses_nothing(backend: Backend) -> None:
    """The resume pattern: subscribe, read the backlog, drop overlapping seqs."""
    for i in range(20):
        await backend.append(ROOM, "ask", {"i": i}, ACTOR, None)
    live = Tail()
    writers = asyncio.gather(*(backend.append(ROOM, "ask", {}, ACTOR, None) for _ in range(30)))
    backend.subscribe(ROOM, live)
    backlog = await backend.read(ROOM, 1)
    await writers
    await eventually(lambda: bool(live.got) and live.got[-1][0].seq == 50)
    seqs = sorted({r.seq for r in backlog} | set(live.seqs))
    assert seqs == list(range(1, 51))
