"""The Redis backend behind Sentinel (docs/scaling.md): `redis+sentinel://` finds the
master, and when the master's machine dies, appends go to the promoted replica, seq
continues in the same epoch, and the live tail goes on."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from server.backends.base import BackendUnavailable, Record
from server.backends.redis import RedisBackend
from tests.support.redis import REDIS_SERVER, RedisProcess
from tests.support.server import free_port

from .support import EVENT, ROOM, SECRET, eventually

ACTOR = {"pid": "f6f6f6f6f6f6f6f6", "name": "Fumi", "org": "Sendai", "roles": []}
SERVICE = "workshop"


def _wait(check: object, what: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            if check():  # type: ignore[operator]
                return
        except redis.exceptions.RedisError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"not in {within}s: {what}")
        time.sleep(0.05)


@pytest.fixture
def sentinel_setup(tmp_path: Path) -> Iterator[tuple[RedisProcess, RedisProcess, int]]:
    """A master, its replica, and one Sentinel watching them (quorum 1)."""
    if not shutil.which("redis-server") and not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed")
    master = RedisProcess(tmp_path / "master")
    master.start()
    replica = RedisProcess(
        tmp_path / "replica", extra=("--replicaof", "127.0.0.1", str(master.port))
    )
    replica.start()
    with replica.client() as r:
        _wait(lambda: r.info("replication")["master_link_status"] == "up", "replica linked")
    port = free_port()
    folder = tmp_path / "sentinel"
    folder.mkdir()
    conf = folder / "sentinel.conf"
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {folder}\n"
        f"sentinel monitor {SERVICE} 127.0.0.1 {master.port} 1\n"
        f"sentinel down-after-milliseconds {SERVICE} 500\n"
        f"sentinel failover-timeout {SERVICE} 10000\n"
    )
    log = (folder / "sentinel.log").open("ab")
    sentinel = subprocess.Popen([REDIS_SERVER, str(conf), "--sentinel"], stdout=log, stderr=log)
    log.close()
    try:
        with redis.Redis(port=port, protocol=2, socket_timeout=5) as s:

            def replica_ready() -> bool:
                found = s.sentinel_slaves(SERVICE)
                return (
                    bool(found)
                    and found[0]["flags"] == "slave"
                    and found[0]["master-link-status"] == "ok"
                )

            _wait(replica_ready, "the Sentinel knows the replica is ready")
        yield master, replica, port
    finally:
        sentinel.kill()
        sentinel.wait()
        replica.kill()
        master.kill()


async def test_sentinel_finds_the_master_and_follows_a_failover(
    sentinel_setup: tuple[RedisProcess, RedisProcess, int],
) -> None:
    master, replica, port = sentinel_setup
    url = f"redis+sentinel://127.0.0.1:{port}/{SERVICE}/0"
    backend = RedisBackend(url, secret=SECRET)
    await backend.start()
    try:
        await backend.create_event(EVENT)
        got: list[Record] = []
        backend.subscribe(ROOM, lambda record, epoch: got.append(record))
        for i in range(5):
            await backend.append(ROOM, "ask", {"i": i}, ACTOR, f"c{i}")
        epoch = (await backend.head(ROOM)).epoch
        with master.client() as m:
            assert m.wait(1, 5000) == 1  # the replica has every record before the failover

        await asyncio.to_thread(master.kill)  # the master's machine is gone
        with replica.client() as r:
            await asyncio.to_thread(
                _wait, lambda: r.info("replication")["role"] == "master", "replica promoted"
            )

        for i in range(5, 10):
            for _ in range(300):  # until the Sentinel names the new master
                try:
                    appended = await backend.append(ROOM, "ask", {"i": i}, ACTOR, f"c{i}")
                    break
                except BackendUnavailable:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("no append reached the new master")
            assert (appended.seq, appended.epoch) == (i + 1, epoch)
        with replica.client() as r:
            assert int(r.get("ws:{room:PLAN}:seq")) == 10  # written to the new master
        await eventually(lambda: len(got) >= 10, 30)
        assert [r.seq for r in got] == list(range(1, 11))
    finally:
        await backend.close()
