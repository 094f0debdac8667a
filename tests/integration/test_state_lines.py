"""One log line per state change (issue 16, "Logs"; server/log_limit.py): a real server
under `--log-format json`, each change caused for real (a room loaded by a join and
unloaded when its last member leaves, a bad key, a reader too slow for its queue, a real
redis-server killed and started again empty), and every line it wrote parsed as JSON;
and a flood of bad keys that writes a few lines and a count of the rest."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, WebSocketException

from client.room_client import RoomClient
from tests.backends.support import eventually
from tests.conftest import Workshop, start_workshop
from tests.integration.helpers import Raw, stalled_reader
from tests.support.redis import RedisProcess
from tests.support.server import LIFTED, ServerProcess

JSON = ("--log-format", "json")
WAIT = 30.0


def records(server: ServerProcess) -> list[dict[str, Any]]:
    """Every line the server wrote so far, each parsed as one JSON object."""
    return [json.loads(line) for line in server.log().splitlines() if line.strip()]


def events(server: ServerProcess) -> list[str]:
    return [str(r.get("event")) for r in records(server) if not r.get("suppressed")]


def seen(server: ServerProcess, event: str) -> bool:
    return event in events(server)


@pytest.fixture
def slow_queue(tmp_path: Path) -> Iterator[Workshop]:
    w = start_workshop(
        tmp_path, *LIFTED, *JSON, "--send-queue", "50", "--ws-ping-interval", "600",
        "--sqlite-sync", "NORMAL", "--drop-grace", "600", "--room-idle-grace", "0.2",
    )  # fmt: skip
    try:
        yield w
    finally:
        w.server.stop()


async def test_rooms_keys_and_slow_readers_each_write_their_line(slow_queue: Workshop) -> None:
    server = slow_queue.server
    publisher = RoomClient(server.ws_url, "SUB-PLAN", name="Publisher", org="Awake")
    await publisher.connect()
    await eventually(lambda: seen(server, "room.loaded"), WAIT)
    wrong = await Raw.open(server.ws_url)
    assert (await wrong.join("SUB-EWS", name="Wrong", key="not-a-key"))["t"] == "err"
    await eventually(lambda: seen(server, "key.refused"), WAIT)

    slow = await stalled_reader(server.port, org="Asleep")
    # The same connection refuses a key first, so that its id is known from that line.
    assert (await slow.join("SUB-PLAN", name="Sleepy", key="not-a-key-either"))["t"] == "err"
    await eventually(lambda: events(server).count("key.refused") == 2, WAIT)
    asked = 0
    while not seen(server, "connection.slow_closed"):
        assert asked < 20_000, "the stalled reader was never closed"
        await asyncio.gather(*(publisher.ask("避難所の運営について。" * 40) for _ in range(10)))
        asked += 10
    await publisher.close()
    await wrong.close()
    slow.abort()
    await eventually(lambda: events(server).count("room.unloaded") == 2, WAIT)  # both rooms
    server.stop()

    lines = records(server)
    loaded = [r for r in lines if r.get("event") == "room.loaded"]
    assert {r["room"] for r in loaded} == {"SUB-PLAN", "SUB-EWS"}
    assert all(r["level"] == "INFO" and r["logger"] == "workshop.hub" for r in loaded)
    refused, asleep = [r for r in lines if r.get("event") == "key.refused"]
    assert refused["room"] == "SUB-EWS" and refused["connection"].startswith("c")
    # A 4008 is decided in whichever task fans out; its line names the slow connection.
    slow_closed = next(r for r in lines if r.get("event") == "connection.slow_closed")
    assert slow_closed["connection"] == asleep["connection"] != refused["connection"]
    assert "not-a-key" not in server.log()


@pytest.mark.timeout(240)
async def test_redis_down_up_and_a_new_epoch_each_write_their_line(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path / "redis")
    redis.start()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WORKSHOP_REDIS_URL", redis.url)
        env.setenv("WORKSHOP_SECRET", "tests-on-redis-share-this-secret-0123456789abcdef")
        w = start_workshop(tmp_path, *LIFTED, *JSON)
    server = w.server
    client = RoomClient(server.ws_url, "SUB-PLAN", name="Aya", org="Sendai City")
    try:
        await client.connect()
        await client.ask("before Redis went away")
        await asyncio.to_thread(redis.kill)
        await eventually(lambda: seen(server, "redis.down"), WAIT)
        redis.wipe()  # a Redis that lost its data: the room's log starts a new life
        await asyncio.to_thread(redis.start)
        await eventually(lambda: seen(server, "redis.up"), WAIT)
        for _ in range(100):  # found when the room is next used
            if seen(server, "room.epoch_changed"):
                break
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.ask("after the wipe"), 5)
            await asyncio.sleep(0.2)
    finally:
        with contextlib.suppress(ConnectionClosed, WebSocketException, OSError):
            await client.close()
        server.stop()
        redis.stop()

    lines = records(server)
    down = next(r for r in lines if r.get("event") == "redis.down")
    up = next(r for r in lines if r.get("event") == "redis.up")
    assert down["level"] == up["level"] == "WARNING"
    assert lines.index(down) < lines.index(up)
    epoch = next(r for r in lines if r.get("event") == "room.epoch_changed")
    assert "SUB-PLAN" in epoch["message"]


async def test_a_flood_of_bad_keys_writes_a_few_lines_and_a_count(tmp_path: Path) -> None:
    flood = 500
    w = start_workshop(tmp_path, *LIFTED, *JSON)
    try:
        raw = await Raw.open(w.server.ws_url)
        for i in range(flood):
            assert (await raw.join("SUB-PLAN", name="Flood", key=f"bad-{i}"))["t"] == "err"
        await raw.close()
    finally:
        w.server.stop()  # the last summary is written as the server stops
    lines = records(w.server)
    refused = [r for r in lines if r.get("event") == "key.refused"]
    written = [r for r in refused if "suppressed" not in r]
    summaries = [r for r in refused if "suppressed" in r]
    held = sum(int(r["suppressed"]) for r in summaries)
    assert len(written) < flood / 2  # ten at once, then one a second
    assert len(written) + held == flood  # every refusal is in a line or in a count
    assert all(r["message"] == f"{r['suppressed']} similar lines suppressed" for r in summaries)


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_workers_write_state_lines_in_either_format(tmp_path: Path, log_format: str) -> None:
    """`--workers N` builds each worker's logging from `log_config` too: the state lines
    (INFO) reach the log from every worker, and each worker holds them to the budget."""
    redis = RedisProcess(tmp_path / "redis")
    redis.start()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WORKSHOP_REDIS_URL", redis.url)
        env.setenv("WORKSHOP_SECRET", "tests-on-redis-share-this-secret-0123456789abcdef")
        w = start_workshop(tmp_path, *LIFTED, "--workers", "2", "--log-format", log_format)
    flood = 40
    try:
        raws = [await Raw.open(w.server.ws_url) for _ in range(4)]  # over both workers
        for i in range(flood):
            reply = await raws[i % 4].join("SUB-PLAN", name="Flood", key=f"bad-{i}")
            assert reply["t"] == "err"
        for raw in raws:
            await raw.close()
    finally:
        w.server.stop()
        redis.stop()
    log = w.server.log()
    written = log.count("a staff key was refused")
    assert 1 <= written < flood  # the lines are there, and held to the budget
    assert "similar lines suppressed" in log
