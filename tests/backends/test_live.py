"""Contract: the live tail — every subscriber, every record, once, in order (guarantees 4-5)."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from server.backends.base import Backend, Position, Record

from .support import OTHER, ROOM, Tail, assert_once_in_order, eventually

ACTOR = {"pid": "c3c3c3c3c3c3c3c3", "name": "Chie", "org": "Sendai", "roles": []}
WRITERS, EACH = 6, 40  # concurrent appending tasks, appends each


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


async def _writers(backend: Backend, room: str = ROOM) -> list[Position]:
    """WRITERS tasks appending EACH records each, yielding now and then so they interleave
    with everything else; some appends are repeats, which are not handed out."""

    async def writer(w: int) -> list[Position]:
        out = []
        for i in range(EACH):
            out.append(await backend.append(room, "ask", {"w": w, "i": i}, ACTOR, f"w{w}.{i}"))
            if i % 10 == 3:
                out.append(await backend.append(room, "ask", {}, ACTOR, f"w{w}.{i}"))  # repeat
            if i % 5 == 0:
                await asyncio.sleep(0)
        return out

    done = await asyncio.gather(*(writer(w) for w in range(WRITERS)))
    return [at for positions in done for at in positions]


async def _reached(backend: Backend, seq: int) -> None:
    """Wait until the room's log reaches `seq` (asking the head, so no subscriber is added)."""
    async with asyncio.timeout(20):
        while True:
            if (await backend.head(ROOM)).seq >= seq:
                return
            await asyncio.sleep(0.001)


async def test_concurrent_writers_and_late_subscribers(backend: Backend) -> None:
    """Subscribers that join mid-stream, then read or ask the head (guarantee 5), each get
    a run of consecutive seqs to the end, which with what they read is the whole log."""
    total = WRITERS * EACH
    early = Tail()
    backend.subscribe(ROOM, early)
    await backend.head(ROOM)
    readers: list[tuple[Tail, list[Record]]] = []
    askers: list[tuple[Tail, Position]] = []

    async def join(k: int) -> None:
        await _reached(backend, (k + 1) * total // 10)  # joins in the middle of the writes
        tail = Tail()
        backend.subscribe(ROOM, tail)
        if k % 2:
            readers.append((tail, await backend.read(ROOM, 1, limit=10**6)))
        else:
            askers.append((tail, await backend.head(ROOM)))

    positions, *_ = await asyncio.gather(_writers(backend), *(join(k) for k in range(8)))
    assert sorted({at.seq for at in positions}) == list(range(1, total + 1))
    tails = [early, *(t for t, _ in readers), *(t for t, _ in askers)]
    await eventually(lambda: all(t.seqs and t.seqs[-1] == total for t in tails), 20)
    await asyncio.sleep(0.05)  # anything extra would show now
    log = await backend.read(ROOM, 1, limit=10**6)
    assert [r.seq for r in log] == list(range(1, total + 1))
    assert_once_in_order(early, first=1, last=total)
    assert [r for r, _ in early.got] == log
    for tail, backlog in readers:
        assert_once_in_order(tail, last=total)
        assert [r.seq for r in backlog] == list(range(1, len(backlog) + 1))
        assert tail.seqs[0] <= len(backlog) + 1  # no seq between the read and the tail
        assert {r.seq for r in backlog} | set(tail.seqs) == set(range(1, total + 1))
    for tail, head in askers:
        assert_once_in_order(tail, last=total)
        assert tail.seqs[0] <= head.seq + 1
    assert len(readers) == len(askers) == 4
    assert min(len(backlog) for _, backlog in readers) >= total // 10
    epoch = (await backend.head(ROOM)).epoch
    assert all({e for _, e in t.got} == {epoch} for t in tails)


async def test_the_last_subscriber_leaving_and_a_new_one_coming(backend: Backend) -> None:
    """Rounds of subscribe, head, unsubscribe while the log grows: what a subscriber is
    handed is consecutive; the last one, staying, is handed everything past its head."""
    rounds: list[tuple[Tail, Position]] = []

    async def churn() -> None:
        for k in range(12):
            await _reached(backend, k * WRITERS * EACH // 14)
            tail = Tail()
            backend.subscribe(ROOM, tail)
            at = await backend.head(ROOM)
            rounds.append((tail, at))
            want = min(at.seq + 5, WRITERS * EACH)  # handed out (guarantee 5), then it leaves
            if want > at.seq:
                await eventually(lambda t=tail, n=want: bool(t.seqs) and t.seqs[-1] >= n, 20)
            backend.unsubscribe(ROOM, tail)
        tail = Tail()
        backend.subscribe(ROOM, tail)
        rounds.append((tail, await backend.head(ROOM)))

    await asyncio.gather(_writers(backend), churn())
    for i in range(10):  # the last one has joined: these come to it at least
        await backend.append(ROOM, "ask", {"after": i}, ACTOR, None)
    total = WRITERS * EACH + 10
    last, head = rounds[-1]
    await eventually(lambda: bool(last.seqs) and last.seqs[-1] == total, 20)
    await asyncio.sleep(0.05)
    for tail, at in rounds:
        assert_once_in_order(tail)
        assert tail.seqs[0] <= at.seq + 1 if tail.seqs else at.seq == WRITERS * EACH
    assert_once_in_order(last, last=total)
    assert last.seqs[0] <= head.seq + 1


async def test_a_subscriber_reading_from_its_callback(backend: Backend) -> None:
    """Work that a subscriber starts from its callback (a read of the log up to the record
    it was handed) finds that record in the log: a record is handed out once persisted."""
    found: list[tuple[int, int]] = []

    def on_record(record: Record, epoch: str) -> None:
        async def look() -> None:
            [again] = await backend.read(ROOM, record.seq, record.seq)
            found.append((record.seq, again.seq))

        tasks.append(asyncio.get_running_loop().create_task(look()))

    tasks: list[asyncio.Task[None]] = []
    backend.subscribe(ROOM, on_record)
    await backend.head(ROOM)
    await asyncio.gather(*(backend.append(ROOM, "ask", {"i": i}, ACTOR, None) for i in range(30)))
    await eventually(lambda: len(tasks) == 30)
    await asyncio.gather(*tasks)
    assert sorted(found) == [(s, s) for s in range(1, 31)]


async def test_two_rooms_do_not_mix(backend: Backend) -> None:
    here, there = Tail(), Tail()
    backend.subscribe(ROOM, here)
    backend.subscribe(OTHER, there)
    await backend.head(ROOM)
    await backend.head(OTHER)
    await asyncio.gather(_writers(backend, ROOM), _writers(backend, OTHER))
    total = WRITERS * EACH
    await eventually(lambda: len(here.got) >= total and len(there.got) >= total, 20)
    await asyncio.sleep(0.05)
    assert_once_in_order(here, first=1, last=total)
    assert_once_in_order(there, first=1, last=total)
    assert [r for r, _ in here.got] == await backend.read(ROOM, 1, limit=10**6)
    assert [r for r, _ in there.got] == await backend.read(OTHER, 1, limit=10**6)
