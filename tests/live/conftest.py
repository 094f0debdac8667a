"""Fixtures of the middle floor's unit tests: a loaded LiveRoom over each real backend.

The backends come from the contract suite's fixtures (`tests/backends/conftest.py`):
`backend` is parametrised over the embedded backend (a SQLite file) and Redis (a real
redis-server), so each room test runs on both; `own_redis` is a redis-server a test
may wipe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from server.backends.base import Backend
from server.live.room import LiveRoom
from tests.backends.conftest import (  # noqa: F401
    backend,
    kit,
    own_redis,
    redis_cluster,
    redis_server,
)

from .support import EVENT, ROOM


@pytest.fixture
async def room(backend: Backend) -> AsyncIterator[LiveRoom]:  # noqa: F811
    """`ROOM`, loaded, with no members."""
    live = LiveRoom(ROOM, EVENT, backend, replay_limit=50, snapshot_every=20)
    await live.load()
    try:
        yield live
    finally:
        await live.close()
