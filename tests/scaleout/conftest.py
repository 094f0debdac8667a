"""Fixtures of the scale-out tests: a real redis-server and real server processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .support import Cluster, start_cluster

StartCluster = Callable[..., Cluster]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[StartCluster]:
    """`cluster(n, *flags)`: n `workshop serve` processes on one fresh Redis (AOF on,
    appendfsync always), with the demo event created; all killed afterwards."""
    started: list[Cluster] = []

    def start(n: int, *args: str, appendfsync: str = "always") -> Cluster:
        c = start_cluster(tmp_path / f"cluster-{len(started)}", n, *args, appendfsync=appendfsync)
        started.append(c)
        return c

    try:
        yield start
    finally:
        for c in started:
            c.kill_all()
            c.redis.kill()
