"""The Redis backend against faults no command reveals (issue 12; docs/reliability.md,
"Redis faults"): records PUBLISHed on a room's channel by someone who is not a server
process, and a log lost while nobody writes."""

from __future__ import annotations

import asyncio

import msgpack
import pytest
import redis

from server.backends.redis import RedisBackend
from server.backends.redis_keys import decode_live, encode_body, room_keys
from tests.support.redis import RedisProcess

from .support import EVENT, ROOM, Tail, eventually, open_redis

ACTOR = {"pid": "b8b8b8b8b8b8b8b8", "name": "Bolor", "org": "Ulaanbaatar", "roles": []}
WAIT = 30.0


def captured(r: redis.Redis, channel: bytes) -> redis.client.PubSub:
    """A plain redis-py subscriber of the channel: what an eavesdropper sees."""
    sub = r.pubsub()
    sub.subscribe(channel)
    assert sub.get_message(timeout=5) is not None  # the subscribe confirmation
    return sub


async def test_forged_records_on_the_channel_are_dropped_counted_and_the_log_wins(
    pair: tuple[RedisBackend, RedisBackend], flushed: RedisProcess
) -> None:
    a, b = pair
    tails = {a: Tail(), b: Tail()}
    for backend, tail in tails.items():
        backend.subscribe(ROOM, tail)
    channel = room_keys(ROOM).channel
    with flushed.client() as r:
        spy = captured(r, channel)
        for i in range(3):
            await b.append(ROOM, "ask", {"i": i}, ACTOR, f"c{i}")
        for tail in tails.values():
            await eventually(lambda t=tail: t.seqs == [1, 2, 3], WAIT)
        genuine = []
        while len(genuine) < 3:
            message = await asyncio.to_thread(spy.get_message, timeout=5)
            if message is not None and message["type"] == "message":
                genuine.append(message["data"])
        spy.close()
        epoch = (await a.head(ROOM)).epoch
        forged_body = encode_body("ask", {"i": "forged"}, ACTOR, "forged")
        ts = b"1700000000.000000"
        replayed = msgpack.unpackb(genuine[2], raw=True)
        replayed[0] = 4  # a genuine message of seq 3, published again as seq 4
        forgeries = [
            msgpack.packb([4, epoch.encode(), ts, forged_body]),  # the old, unsigned form
            msgpack.packb([4, epoch.encode(), ts, forged_body, b"n" * 12, b"m" * 16]),
            msgpack.packb(replayed),
        ]
        for payload in forgeries:
            assert r.publish(channel, payload) == 2  # both processes got each
        for backend in tails:
            await eventually(lambda x=backend: x.stats["forged"] == len(forgeries), WAIT)
        await a.append(ROOM, "ask", {"i": 3}, ACTOR, "c3")
    log = await a.read(ROOM, 1)
    assert [record.data["i"] for record in log] == [0, 1, 2, 3]
    for backend, tail in tails.items():
        await eventually(lambda t=tail: len(t.got) >= 4, WAIT)
        await asyncio.sleep(0.1)
        assert [record for record, _ in tail.got] == log  # the real seq 4, and only that
        assert backend.stats["forged"] == len(forgeries)
        assert await backend.ready()
    assert decode_live(genuine[0]).record == log[0]  # genuine messages carry the record


def flush(redis_process: RedisProcess) -> None:
    """FLUSHALL: the data is gone but every connection stays up (an operator's mistake,
    eviction, or a proxy in front of a restarted Redis), so only the position check can
    tell."""
    with redis_process.client() as r:
        r.flushall()


@pytest.mark.parametrize("lose", ["restart wiped", "flushall"])
async def test_a_lost_log_is_found_without_traffic(own_redis: RedisProcess, lose: str) -> None:
    backend = await open_redis(own_redis.url, position_check=0.2)
    try:
        await backend.create_event(EVENT)
        tail, lives = Tail(), []
        backend.subscribe(ROOM, tail)
        backend.watch_life(ROOM, lives.append)
        for i in range(20):
            await backend.append(ROOM, "ask", {"i": i}, ACTOR, None)
        await eventually(lambda: len(tail.got) == 20, WAIT)
        old = (await backend.head(ROOM)).epoch
        if lose == "flushall":
            await asyncio.to_thread(flush, own_redis)
        else:
            await asyncio.to_thread(own_redis.restart, wiped=True)
        # Nothing is appended, read or asked of the backend from here on.
        await eventually(lambda: bool(lives), WAIT)
        assert lives[-1] != old
        if lose == "flushall":
            assert backend.stats["pubsub_reconnects"] == 0
            assert backend.stats["position_resyncs"] >= 1
        head = await backend.head(ROOM)
        assert head.seq == 0 and head.epoch == lives[-1]
        assert len(tail.got) == 20  # nothing of the new (empty) life, nothing again
    finally:
        await backend.close()
