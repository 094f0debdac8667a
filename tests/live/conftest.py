"""Fixtures of the middle floor's unit tests: a loaded LiveRoom over a real backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from server.backends.base import Backend
from server.backends.embedded import EmbeddedBackend
from server.live.room import LiveRoom
from tests.support.redis import RedisProcess

from .support import EVENT, ROOM


@pytest.fixture
async def backend(tmp_path: Path) -> AsyncIterator[Backend]:
    """The embedded backend (a real SQLite file), holding `EVENT`."""
    b = EmbeddedBackend(tmp_path / "data")
    await b.start()
    await b.create_event(EVENT)
    try:
        yield b
    finally:
        await b.close()


@pytest.fixture
async def room(backend: Backend) -> AsyncIterator[LiveRoom]:
    """`ROOM`, loaded, with no members."""
    live = LiveRoom(ROOM, EVENT, backend, replay_limit=50, snapshot_every=20)
    await live.load()
    try:
        yield live
    finally:
        await live.close()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.kill()
