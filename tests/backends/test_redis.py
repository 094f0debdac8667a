"""What only the Redis backend promises: keys, scripts, settings, and surviving Redis
trouble (issue 3): a killed pub/sub connection, garbage on a channel, Redis down, paused,
restarted with its data or without it. Each test that hurts Redis has its own."""

from __future__ import annotations

import ast
import asyncio
import logging
import os
import signal
from pathlib import Path

import msgpack
import pytest
from redis.crc import key_slot

from server.backends.base import BackendUnavailable, desk_code
from server.backends.redis import RedisBackend
from server.backends.redis_keys import room_keys
from tests.support.redis import RedisProcess

from .support import EVENT, OTHER, ROOM, Tail, eventually, open_redis

DESK = desk_code(EVENT.event_id)

ACTOR = {"pid": "e5e5e5e5e5e5e5e5", "name": "Enkh", "org": "Ulaanbaatar", "roles": []}
WAIT = 20.0  # seconds; a generous bound, never a timing claim


def test_redis_is_imported_only_by_the_redis_backend() -> None:
    """STYLE.md 3: the embedded default never needs `redis`."""
    root = Path(__file__).resolve().parents[2]
    for path in sorted((root / "server").rglob("*.py")):
        if path.parent.name == "backends" and path.name.startswith("redis"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "redis" for n in names), path


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        RedisBackend("redis://127.0.0.1:1/0", secret=b"short")


async def test_every_key_carries_its_hash_tag(pair: tuple[RedisBackend, RedisBackend]) -> None:
    a, _ = pair
    await a.append(ROOM, "ask", {}, ACTOR, "c1")
    await a.append(OTHER, "ask", {}, ACTOR, None)
    await a.save_snapshot(ROOM, 1, b"s")
    await a.set_presence(ROOM, "proc-1", {"p": "Sendai"})
    keys = [k.decode() for k in await a._redis.keys("*")]
    slots: dict[str, set[int]] = {}
    for key in keys:
        tag = key[key.index("{") : key.index("}") + 1]
        assert tag in ("{room:PLAN}", "{room:WARN}", f"{{room:{DESK}}}", "{catalogue}"), key
        slots.setdefault(tag, set()).add(key_slot(key.encode()))
    assert {len(s) for s in slots.values()} == {1}  # one shard per room in a Cluster
    assert len(slots) == 4  # the two rooms, the event's desk log, the catalogue


async def test_unsafe_redis_settings_are_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RedisProcess(tmp_path / "r", appendonly=False, eviction="allkeys-lru")
    server.start()
    try:
        with caplog.at_level(logging.WARNING):
            backend = await open_redis(server.url)
        await backend.close()
    finally:
        server.kill()
    assert len(backend.config_warnings) == 2
    assert "appendonly" in caplog.text and "maxmemory-policy" in caplog.text


async def test_safe_settings_and_a_disabled_config_are_quiet(
    flushed: RedisProcess, tmp_path: Path
) -> None:
    backend = await open_redis(flushed.url)
    await backend.close()
    assert backend.config_warnings == []
    server = RedisProcess(tmp_path / "r", extra=("--rename-command", "CONFIG", ""))
    server.start()
    try:
        backend = await open_redis(server.url)  # managed Redis often hides CONFIG: tolerated
        await backend.create_event(EVENT)
        assert (await backend.append(ROOM, "ask", {}, ACTOR, None)).seq == 1
        await backend.close()
    finally:
        server.kill()
    assert backend.config_warnings == []


async def test_concurrent_appends_share_pipelines(pair: tuple[RedisBackend, RedisBackend]) -> None:
    a, _ = pair
    results = await asyncio.gather(
        *(a.append(ROOM, "vote", {"i": i}, ACTOR, f"c{i}") for i in range(600)),
        *(a.append(ROOM, "vote", {"i": i}, ACTOR, f"c{i}") for i in range(0, 600, 7)),
    )
    first, repeats = results[:600], results[600:]
    assert sorted(r.seq for r in first) == list(range(1, 601))
    assert repeats == [first[i] for i in range(0, 600, 7)]
    assert (await a.head(ROOM)).seq == 600
    assert a.stats["append_pipelines"] < a.stats["append_calls"] / 5


async def test_forgotten_scripts_are_loaded_again(pair: tuple[RedisBackend, RedisBackend]) -> None:
    a, _ = pair
    await a.append(ROOM, "ask", {}, ACTOR, None)
    await a._redis.script_flush()
    assert (await a.append(ROOM, "ask", {}, ACTOR, None)).seq == 2
    await a._redis.script_flush()
    assert (await a.head(ROOM)).seq == 2
    await a._redis.script_flush()
    await a.save_snapshot(ROOM, 2, b"s2")
    assert await a.load_snapshot(ROOM) == (2, b"s2")
    assert a.stats["script_reloads"] == 3


async def test_garbage_on_a_room_channel_is_dropped_and_counted(
    pair: tuple[RedisBackend, RedisBackend], caplog: pytest.LogCaptureFixture
) -> None:
    a, b = pair
    tail = Tail()
    a.subscribe(ROOM, tail)
    for i in range(3):
        await b.append(ROOM, "ask", {"i": i}, ACTOR, None)
    await eventually(lambda: tail.seqs == [1, 2, 3], WAIT)
    epoch = (await a.head(ROOM)).epoch
    body = msgpack.packb(["ask", {}, None, None])
    garbage = [
        b"\xc1",  # never valid msgpack
        b"plain text",
        msgpack.packb({"seq": 4}),
        msgpack.packb([4, epoch.encode(), b"1.0"]),
        msgpack.packb([4, epoch.encode(), b"1.0", b"\xc1"]),  # the body is not a record
        msgpack.packb([4, epoch.encode(), b"not a time", body]),
        msgpack.packb([0, epoch.encode(), b"1.0", body]),
        msgpack.packb([10**6, epoch.encode(), b"1.0", body]),  # far past the head
    ]
    channel = room_keys(ROOM).channel
    with caplog.at_level(logging.WARNING):
        for payload in garbage:
            await b._redis.publish(channel, payload)
        await eventually(lambda: a.stats["garbage"] == len(garbage), WAIT)
    assert "undecodable message" in caplog.text
    for i in range(3, 6):
        await b.append(ROOM, "ask", {"i": i}, ACTOR, None)
    await eventually(lambda: len(tail.got) >= 6, WAIT)
    await asyncio.sleep(0.1)
    assert tail.seqs == [1, 2, 3, 4, 5, 6]
    assert [r for r, _ in tail.got] == await a.read(ROOM, 1)
    assert await a.ready() and a.stats["garbage"] == len(garbage)


async def test_two_processes_deliver_one_sequence(pair: tuple[RedisBackend, RedisBackend]) -> None:
    a, b = pair
    tails = (Tail(), Tail())
    a.subscribe(ROOM, tails[0])
    b.subscribe(ROOM, tails[1])
    await asyncio.gather(
        *(a.append(ROOM, "ask", {"from": "a", "i": i}, ACTOR, f"a{i}") for i in range(150)),
        *(b.append(ROOM, "ask", {"from": "b", "i": i}, ACTOR, f"b{i}") for i in range(150)),
    )
    await eventually(lambda: len(tails[0].got) == len(tails[1].got) == 300, WAIT)
    log = await a.read(ROOM, 1)
    assert [r for r, _ in tails[0].got] == [r for r, _ in tails[1].got] == log


async def test_last_unsubscribe_leaves_the_channel(pair: tuple[RedisBackend, RedisBackend]) -> None:
    a, b = pair
    channel = room_keys(ROOM).channel

    async def subscribers() -> int:
        return int(dict(await b._redis.pubsub_numsub(channel))[channel])

    one, two = Tail(), Tail()
    a.subscribe(ROOM, one)
    a.subscribe(ROOM, two)
    await a.head(ROOM)  # waits for the feed to start
    for _ in range(200):
        if await subscribers() == 1:
            break
        await asyncio.sleep(0.02)
    assert await subscribers() == 1
    a.unsubscribe(ROOM, one)
    await asyncio.sleep(0.1)
    assert await subscribers() == 1
    a.unsubscribe(ROOM, two)
    for _ in range(200):
        if await subscribers() == 0:
            break
        await asyncio.sleep(0.02)
    assert await subscribers() == 0


async def test_killed_pubsub_connections_resubscribe_and_miss_nothing(
    pair: tuple[RedisBackend, RedisBackend], flushed: RedisProcess
) -> None:
    a, b = pair
    tail_a, tail_b = Tail(), Tail()
    a.subscribe(ROOM, tail_a)
    b.subscribe(ROOM, tail_b)
    await a.head(ROOM)
    await b.head(ROOM)

    async def traffic() -> None:
        for i in range(300):
            await (a if i % 2 else b).append(ROOM, "ask", {"i": i}, ACTOR, None)
            if i % 10 == 0:
                await asyncio.sleep(0.005)

    writer = asyncio.create_task(traffic())
    with flushed.client() as admin:
        for _ in range(3):
            await asyncio.sleep(0.05)
            admin.client_kill_filter(_type="pubsub")
    await writer
    await eventually(lambda: len(tail_a.got) >= 300 and len(tail_b.got) >= 300, WAIT)
    await asyncio.sleep(0.1)
    assert tail_a.seqs == tail_b.seqs == list(range(1, 301))
    assert a.stats["pubsub_reconnects"] >= 1 and b.stats["pubsub_reconnects"] >= 1


async def test_the_listener_survives_unexpected_errors(
    pair: tuple[RedisBackend, RedisBackend], caplog: pytest.LogCaptureFixture
) -> None:
    a, b = pair
    tail = Tail()
    a.subscribe(ROOM, tail)
    await a.head(ROOM)
    real = a._listener._connect
    failures = 0

    async def flaky() -> object:
        nonlocal failures
        if failures < 2:
            failures += 1
            raise RuntimeError("a bug in the connection code")
        return await real()

    a._listener._connect = flaky
    with caplog.at_level(logging.WARNING):
        await b._redis.client_kill_filter(_type="pubsub")
        await eventually(lambda: a.stats["pubsub_reconnects"] >= 1, WAIT)
    assert a._listener.alive() and failures == 2
    assert "unexpected error in the Redis pub/sub listener" in caplog.text
    await b.append(ROOM, "ask", {}, ACTOR, None)
    await eventually(lambda: tail.seqs == [1], WAIT)


async def test_redis_down_then_back(own_redis: RedisProcess) -> None:
    a = await open_redis(own_redis.url)
    b = await open_redis(own_redis.url)
    try:
        await a.create_event(EVENT)
        tail = Tail()
        a.subscribe(ROOM, tail)
        for i in range(5):
            await b.append(ROOM, "ask", {"i": i}, ACTOR, f"c{i}")
        await eventually(lambda: tail.seqs == [1, 2, 3, 4, 5], WAIT)
        epoch = (await b.head(ROOM)).epoch

        await asyncio.to_thread(own_redis.kill)
        async with asyncio.timeout(WAIT):
            with pytest.raises(BackendUnavailable):
                await b.append(ROOM, "ask", {"i": 99}, ACTOR, "lost")
            assert await a.ready() is False and await b.ready() is False
            with pytest.raises(BackendUnavailable):
                await b.head(ROOM)
        assert await a.get_room(ROOM) == EVENT.rooms[0]  # known rooms are still known
        await asyncio.sleep(0.3)  # the listener retries meanwhile
        assert a._listener.alive() and a.stats["pubsub_errors"] >= 1

        await asyncio.to_thread(own_redis.start)  # with its AOF
        await eventually(lambda: a._listener.connected.is_set(), WAIT)
        for i in range(5, 10):
            appended = await b.append(ROOM, "ask", {"i": i}, ACTOR, f"c{i}")
            assert appended.epoch == epoch
        await eventually(lambda: len(tail.got) >= 10, WAIT)
        assert tail.seqs == list(range(1, 11))
        assert await a.ready() and await b.ready()
        assert a.stats["pubsub_reconnects"] >= 1
    finally:
        await a.close()
        await b.close()


async def test_a_paused_redis_is_unavailable_never_a_false_ok(own_redis: RedisProcess) -> None:
    backend = await open_redis(own_redis.url, socket_timeout=0.5)
    try:
        await backend.create_event(EVENT)
        assert own_redis.proc is not None
        os.kill(own_redis.proc.pid, signal.SIGSTOP)
        try:
            async with asyncio.timeout(WAIT):
                with pytest.raises(BackendUnavailable):
                    await backend.append(ROOM, "ask", {"n": 1}, ACTOR, "c")
                assert await backend.ready() is False
        finally:
            os.kill(own_redis.proc.pid, signal.SIGCONT)
        retry = await backend.append(ROOM, "ask", {"n": 1}, ACTOR, "c")
        # The first call may have landed after all; the retry names it either way.
        assert retry.seq == 1
        assert [r.cid for r in await backend.read(ROOM, 1)] == ["c"]
    finally:
        await backend.close()


async def test_a_wiped_redis_gives_rooms_a_new_epoch(own_redis: RedisProcess) -> None:
    a = await open_redis(own_redis.url)
    try:
        await a.create_event(EVENT)
        tail = Tail()
        a.subscribe(ROOM, tail)
        for i in range(3):
            await a.append(ROOM, "ask", {"i": i}, ACTOR, f"c{i}")
        await a.save_snapshot(ROOM, 3, b"state@3")
        await eventually(lambda: len(tail.got) == 3, WAIT)
        old = (await a.head(ROOM)).epoch

        await asyncio.to_thread(
            own_redis.restart, wiped=True
        )  # the loop sees the old sockets close
        appended = await a.append(ROOM, "ask", {"i": 0}, ACTOR, "c0")  # not a duplicate now
        assert appended.seq == 1 and appended.epoch != old
        assert [r.data for r in await a.read(ROOM, 1)] == [{"i": 0}]
        await eventually(lambda: len(tail.got) == 4, WAIT)
        record, epoch = tail.got[-1]
        assert (record.seq, epoch) == (1, appended.epoch)
        assert await a.load_snapshot(ROOM) is None
        await a.save_snapshot(ROOM, 1, b"new@1")
        assert await a.load_snapshot(ROOM) == (1, b"new@1")

        fresh = await open_redis(own_redis.url)  # a process that never saw the catalogue
        try:
            assert await fresh.list_events() == [EVENT]  # put back by `a`
            assert await fresh.head(ROOM) == appended
            assert (await fresh.head(OTHER)).epoch != ""  # restored with its own new log
        finally:
            await fresh.close()
        assert a.stats["catalogue_restores"] >= 1 and a.stats["epoch_changes"] == 1
    finally:
        await a.close()


async def test_a_rewound_log_gets_a_new_epoch(pair: tuple[RedisBackend, RedisBackend]) -> None:
    """Redis lost the tail of a log it had served (a failover to a lagging replica, an old
    copy restored): the seqs are not reused under the old epoch."""
    a, b = pair
    tail = Tail()
    a.subscribe(ROOM, tail)
    for i in range(5):
        await b.append(ROOM, "ask", {"i": i}, ACTOR, f"c{i}")
    await eventually(lambda: tail.seqs == [1, 2, 3, 4, 5], WAIT)
    old = (await a.head(ROOM)).epoch
    keys = room_keys(ROOM)
    kept = await b._redis.xrange(keys.log, "1-0", "3-0")  # as if 4 and 5 were never written
    await b._redis.delete(keys.log)
    for entry_id, fields in kept:
        await b._redis.xadd(keys.log, fields, id=entry_id)
    await b._redis.set(keys.seq, 3)
    again = await b.append(ROOM, "ask", {"i": "new"}, ACTOR, "new")
    assert again.seq == 4
    # In a failover the pub/sub connections drop too; the catch-up that follows sees
    # the head behind what was delivered.
    await b._redis.client_kill_filter(_type="pubsub")
    await eventually(lambda: len(tail.got) == 9, WAIT)
    new = (await a.head(ROOM)).epoch
    assert new != old and a.stats["rewinds"] == 1
    assert [(r.seq, e) for r, e in tail.got[5:]] == [(s, new) for s in (1, 2, 3, 4)]
    assert tail.got[-1][0].data == {"i": "new"}
