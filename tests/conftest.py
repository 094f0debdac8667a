"""Fixtures shared by the integration and browser tests: real server processes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.redis import RedisProcess
from tests.support.server import LIFTED, ServerProcess, create_event, free_port


@dataclass
class Workshop:
    """A running server with the demo event: its process and the event's links."""

    server: ServerProcess
    links: dict[str, Any]

    @property
    def moderator_key(self) -> str:
        return str(self.links["moderator_key"])

    @property
    def rapporteur_key(self) -> str:
        return str(self.links["rapporteur_key"])


def start_workshop(data_dir: Path, *args: str) -> Workshop:
    port = free_port()
    links = create_event(data_dir, f"http://127.0.0.1:{port}")
    server = ServerProcess(data_dir, port=port, args=args)
    server.start()
    return Workshop(server, links)


def start_event_file(data_dir: Path, event_toml: str, *args: str) -> Workshop:
    """A server on `data_dir` with the event that `event_toml` (an event file) describes."""
    file = data_dir / "event.toml"
    file.write_text(event_toml, encoding="utf-8")
    port = free_port()
    links = create_event(data_dir, f"http://127.0.0.1:{port}", file)
    server = ServerProcess(data_dir, port=port, args=args)
    server.start()
    return Workshop(server, links)


@contextlib.contextmanager
def lifted_on(backend: str, folder: Path, *args: str) -> Iterator[Workshop]:
    """A server with lifted rate limits on `backend`: "sqlite" (the embedded default) or
    "redis" (a real redis-server of its own in `folder`); `args` are more flags (a limit
    given there is not lifted: the last flag wins)."""
    with pytest.MonkeyPatch.context() as env:
        redis: RedisProcess | None = None
        if backend == "redis":
            redis = RedisProcess(folder / "redis")
            redis.start()
            env.setenv("WORKSHOP_REDIS_URL", redis.url)
            env.setenv("WORKSHOP_SECRET", "tests-on-redis-share-this-secret-0123456789abcdef")
        w = start_workshop(folder, *LIFTED, *args)
        try:
            yield w
        finally:
            w.server.stop()
            if redis is not None:
                redis.stop()


def running(w: Workshop) -> Iterator[Workshop]:
    """Yield a started workshop; stop its server afterwards (for fixtures)."""
    try:
        yield w
    finally:
        w.server.stop()


@pytest.fixture
def workshop(tmp_path: Path) -> Iterator[Workshop]:
    """A fresh embedded server with the Sendai–Ulaanbaatar event."""
    yield from running(start_workshop(tmp_path))


@pytest.fixture
def lifted(tmp_path: Path) -> Iterator[Workshop]:
    """A fresh server whose rate limits do not get in the way of many commands."""
    yield from running(start_workshop(tmp_path, *LIFTED))
