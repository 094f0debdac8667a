"""Fixtures of the scale-out tests: a real redis-server (or a local Redis Cluster) and
real server processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.redis_cluster import RedisCluster

from .support import Cluster, start_cluster

StartCluster = Callable[..., Cluster[Any]]

ON_BOTH = pytest.mark.parametrize("cluster", ["redis", "redis-cluster"], indirect=True)
"""Run a test on one Redis and on a Redis Cluster (`cluster` takes the parameter)."""


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    """One local Redis Cluster (three primaries, three replicas) for the scale-out tests
    that run on it; each flushes it first. Appends wait for a replica (`?replicas=1`), so
    a primary killed -9 loses none that was acknowledged."""
    shared = RedisCluster(tmp_path_factory.mktemp("scaleout-cluster"), wait_replicas=1)
    shared.start()
    try:
        yield shared
    finally:
        shared.kill()


@pytest.fixture
def cluster(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[StartCluster]:
    """`cluster(n, *flags)`: n `workshop serve` processes on one fresh Redis (AOF on,
    appendfsync always), with the demo event created; all killed afterwards. With the
    parameter "redis-cluster" (`ON_BOTH`), on the shared Redis Cluster instead."""
    started: list[Cluster[Any]] = []
    on_cluster = getattr(request, "param", "redis") == "redis-cluster"
    shared = request.getfixturevalue("redis_cluster") if on_cluster else None

    def start(n: int, *args: str, appendfsync: str = "always") -> Cluster:
        folder = tmp_path / f"cluster-{len(started)}"
        c = start_cluster(folder, n, *args, appendfsync=appendfsync, redis=shared)
        started.append(c)
        return c

    try:
        yield start
    finally:
        for c in started:
            c.kill_all()
            if shared is None:
                c.redis.kill()
