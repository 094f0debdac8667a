"""The Redis live tail under trouble, held to the contract (base.py, guarantees 4-6): each
subscriber gets each record once, in seq order, while pub/sub connections are killed
under concurrent appends from two processes, while subscribers come and go, after an
import, and across a new log life (epoch)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest

from server.backends.base import Position, Record
from server.backends.redis import RedisBackend
from server.backends.redis_keys import room_keys
from tests.support.redis import RedisProcess

from .support import EVENT, ROOM, Tail, assert_once_in_order, eventually, open_redis

ACTOR = {"pid": "a7a7a7a7a7a7a7a7", "name": "Altan", "org": "Ulaanbaatar", "roles": []}
WAIT = 30.0  # seconds; a generous bound, never a timing claim
Pair = tuple[RedisBackend, RedisBackend]


async def reached(backend: RedisBackend, seq: int) -> Position:
    """Wait until the room's log reaches `seq`; its head then."""
    async with asyncio.timeout(WAIT):
        while True:
            head = await backend.head_now(ROOM)
            if head.seq >= seq:
                return head
            await asyncio.sleep(0.002)


def writers(pair: Pair, per_process: int, until: asyncio.Event) -> list[Awaitable[int]]:
    """`per_process` appending tasks on each backend of the pair, appending (some appends
    repeated with the same cid) until `until` is set, yielding now and then so they
    interleave with everything else. Each returns how many records it appended."""

    async def writer(backend: RedisBackend, name: str) -> int:
        i = 0
        while not until.is_set():
            at = await backend.append(ROOM, "ask", {"w": name, "i": i}, ACTOR, f"{name}.{i}")
            if i % 9 == 4:
                assert await backend.append(ROOM, "ask", {}, ACTOR, f"{name}.{i}") == at
            if i % 4 == 0:
                await asyncio.sleep(0.001)
            i += 1
        return i

    return [
        writer(backend, f"{side}{w}")
        for side, backend in zip("ab", pair, strict=True)
        for w in range(per_process)
    ]


async def test_killed_pubsub_under_concurrent_appends_from_two_processes(
    pair: Pair, flushed: RedisProcess
) -> None:
    """Six writers on two processes; both pub/sub connections are killed five times while
    they write (each time once both are back); subscribers join on both processes between
    the kills. Each subscriber is handed each seq once, in order, to the end."""
    a, b = pair
    early = (Tail(), Tail())
    a.subscribe(ROOM, early[0])
    b.subscribe(ROOM, early[1])
    await a.head(ROOM)
    await b.head(ROOM)
    joined: list[tuple[Tail, Position]] = []
    stop = asyncio.Event()

    async def trouble() -> None:
        with flushed.client() as admin:
            for k in range(1, 6):
                head = await a.head_now(ROOM)
                await reached(a, head.seq + 30)  # appends flow between the kills
                await asyncio.to_thread(admin.client_kill_filter, _type="pubsub")
                tail = Tail()
                (a if k % 2 else b).subscribe(ROOM, tail)
                joined.append((tail, await (a if k % 2 else b).head(ROOM)))
                await eventually(
                    lambda k=k: (
                        min(a.stats["pubsub_reconnects"], b.stats["pubsub_reconnects"]) >= k
                    ),
                    WAIT,
                )
        await reached(a, (await a.head_now(ROOM)).seq + 30)
        stop.set()

    *counts, _ = await asyncio.gather(*writers(pair, 3, stop), trouble())
    total = sum(counts)
    assert await a.head(ROOM) == Position(total, (await b.head(ROOM)).epoch)
    tails = [*early, *(tail for tail, _ in joined)]
    await eventually(lambda: all(t.seqs and t.seqs[-1] == total for t in tails), WAIT)
    await asyncio.sleep(0.1)  # anything extra would show now
    log = await a.read(ROOM, 1, limit=10**6)
    assert [r.seq for r in log] == list(range(1, total + 1))
    for tail in early:
        assert_once_in_order(tail, first=1, last=total)
        assert [r for r, _ in tail.got] == log
    for tail, head in joined:
        assert_once_in_order(tail, last=total)
        assert tail.seqs[0] <= head.seq + 1
    assert a.stats["pubsub_reconnects"] == b.stats["pubsub_reconnects"] == 5


async def test_a_feed_dropped_and_made_again_in_one_step(pair: Pair) -> None:
    """The last subscriber leaves and a new one comes before Redis has answered either
    command (UNSUBSCRIBE, SUBSCRIBE); meanwhile the other process appends. The new one is
    handed everything past its head, with no further append to push it."""
    a, b = pair
    for round_ in range(10):
        first = Tail()
        a.subscribe(ROOM, first)
        if round_ % 2:
            await a.head(ROOM)  # sometimes the first feed is running, sometimes not yet
        a.unsubscribe(ROOM, first)
        second = Tail()
        a.subscribe(ROOM, second)
        at = await a.head(ROOM)
        for i in range(5):
            await b.append(ROOM, "ask", {"round": round_, "i": i}, ACTOR, None)
        await eventually(lambda t=second, n=at.seq + 5: bool(t.seqs) and t.seqs[-1] == n, WAIT)
        assert_once_in_order(second, first=at.seq + 1, last=at.seq + 5)
        a.unsubscribe(ROOM, second)


async def test_an_import_in_one_process_is_handed_out_in_another(pair: Pair) -> None:
    a, b = pair
    tail = Tail()
    b.subscribe(ROOM, tail)
    await b.head(ROOM)
    records = [Record(s, 1_700_000_000.0 + s, "ask", {"s": s}, None, None) for s in range(1, 2501)]
    at = await a.import_log(ROOM, records)
    await a.append(ROOM, "ask", {"after": True}, ACTOR, None)
    await eventually(lambda: len(tail.got) >= 2501, WAIT)
    await asyncio.sleep(0.1)
    assert_once_in_order(tail, first=1, last=2501)
    assert [r for r, _ in tail.got][:2500] == records
    assert {epoch for _, epoch in tail.got} == {at.epoch}


async def test_an_import_leaves_no_staging_stream(pair: Pair) -> None:
    a, _ = pair
    records = [Record(s, 1.0 + s, "ask", {}, None, None) for s in range(1, 1500)]
    await a.import_log(ROOM, records)
    bad = [*records[:1200], Record(1300, 1.0, "ask", {}, None, None)]
    with pytest.raises(ValueError):
        await a.import_log("WARN", bad)
    keys = {k.decode() for k in await a._redis.keys("*")}
    assert not [k for k in keys if ":import:" in k], keys
    assert room_keys(ROOM).log in keys


async def test_a_new_log_life_is_handed_out_from_seq_1(own_redis: RedisProcess) -> None:
    """Redis loses its data: a subscriber is handed nothing while the new log is empty,
    then the new life from seq 1 under the new epoch, and never again the old one."""
    a = await open_redis(own_redis.url)
    b: RedisBackend | None = None
    try:
        await a.create_event(EVENT)
        tail = Tail()
        a.subscribe(ROOM, tail)
        for i in range(5):
            await a.append(ROOM, "ask", {"life": 1, "i": i}, ACTOR, f"c{i}")
        await eventually(lambda: len(tail.got) == 5, WAIT)
        old = (await a.head(ROOM)).epoch

        await asyncio.to_thread(own_redis.restart, wiped=True)
        # The feed reconnects, finds the log gone, and starts its new life: empty.
        await eventually(lambda: a.stats["epoch_changes"] == 1, WAIT)
        await asyncio.sleep(0.1)
        assert len(tail.got) == 5

        b = await open_redis(own_redis.url)  # another process writes the new life
        late = Tail()
        a.subscribe(ROOM, late)
        positions = await asyncio.gather(
            *(b.append(ROOM, "ask", {"life": 2, "i": i}, ACTOR, f"c{i}") for i in range(20))
        )
        new = positions[0].epoch
        assert new != old and {p.epoch for p in positions} == {new}
        await eventually(lambda: len(tail.got) >= 25 and len(late.got) >= 20, WAIT)
        await asyncio.sleep(0.1)
        assert tail.lives() == [(old, [1, 2, 3, 4, 5]), (new, list(range(1, 21)))]
        assert [r.data["life"] for r, _ in tail.got] == [1] * 5 + [2] * 20
        assert late.lives() == [(new, list(range(1, 21)))]
        assert await a.head(ROOM) == Position(20, new) == await b.head(ROOM)
    finally:
        await a.close()
        if b is not None:
            await b.close()
