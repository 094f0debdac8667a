"""Fixtures of the backend contract suite, parametrised over every backend.

A new backend drops in by adding its name to `BACKENDS` and a branch to `_kit`
that gives each test its own, empty storage. `redis-cluster` is the Redis backend on a
local Redis Cluster (three primaries, three replicas), one for the whole suite,
flushed before each test. The Redis-only tests share a Redis
(`flushed`), two processes on it (`pair`), or a Redis of their own (`own_redis`).
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from server.backends.base import Backend
from server.backends.embedded import EmbeddedBackend
from tests.support.redis import RedisProcess
from tests.support.redis_cluster import RedisCluster

from .support import EVENT, SECRET, Kit, open_redis

if TYPE_CHECKING:
    from server.backends.redis import RedisBackend

BACKENDS = ["embedded", "redis", "redis-cluster"]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    """One redis-server for the whole contract suite; each test flushes it first."""
    server = RedisProcess(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    """One local Redis Cluster for the whole contract suite; each test flushes it first."""
    cluster = RedisCluster(tmp_path_factory.mktemp("redis-cluster"))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.kill()


def _redis_kit(name: str, url: str) -> Kit:
    from server.backends.redis import RedisBackend

    return Kit(
        name=name,
        open=lambda: RedisBackend(url, secret=SECRET),
        child_setup=(
            "from server.backends.redis import RedisBackend\n"
            f"backend = RedisBackend({url!r}, secret={SECRET!r})\n"
        ),
    )


def _kit(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Kit:
    if name == "embedded":
        data_dir = tmp_path / "data"
        return Kit(
            name=name,
            open=lambda: EmbeddedBackend(data_dir),
            child_setup=(
                "from server.backends.embedded import EmbeddedBackend\n"
                f"backend = EmbeddedBackend({str(data_dir)!r})\n"
            ),
        )
    if name == "redis":
        server: RedisProcess = request.getfixturevalue("redis_server")
        with server.client() as client:
            client.flushall()
        return _redis_kit(name, server.url)
    if name == "redis-cluster":
        cluster: RedisCluster = request.getfixturevalue("redis_cluster")
        cluster.flush()
        return _redis_kit(name, cluster.url)
    raise AssertionError(f"no kit for backend {name!r}")


@pytest.fixture(params=BACKENDS)
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Kit:
    """One backend's storage, empty, unopened."""
    return _kit(request.param, tmp_path, request)


@pytest.fixture
async def backend(kit: Kit) -> AsyncIterator[Backend]:
    """A started backend whose catalogue holds `EVENT` (rooms PLAN and WARN)."""
    b = kit.open()
    await b.start()
    await b.create_event(EVENT)
    try:
        yield b
    finally:
        await b.close()


@pytest.fixture
def flushed(redis_server: RedisProcess) -> RedisProcess:
    """The suite's redis-server, emptied."""
    with redis_server.client() as client:
        client.flushall()
    return redis_server


@pytest.fixture
async def pair(flushed: RedisProcess) -> AsyncIterator[tuple[RedisBackend, RedisBackend]]:
    """Two backends on one Redis, as two server processes would have; `EVENT` made."""
    a = await open_redis(flushed.url)
    b = await open_redis(flushed.url)
    await a.create_event(EVENT)
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server for this test alone (it may be killed, paused or wiped)."""
    server = RedisProcess(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        if server.proc is not None and server.proc.poll() is None:
            os.kill(server.proc.pid, signal.SIGCONT)
        server.kill()
