"""Fixtures of the transcript tests: an embedded backend in tmp_path with the scripted
session (`support.script`), and a helper to export it in any format, in-process."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.backends.embedded import EmbeddedBackend
from server.transcripts.export import room_chunks, session_record, write_event_zip

# The browser test of the rapporteur view uses the Playwright fixtures of tests/browser.
from tests.browser.conftest import browser, built_client  # noqa: F401

from .support import EVENT, ROOM, Session, populate


@pytest.fixture
async def backend(tmp_path: Path) -> AsyncIterator[EmbeddedBackend]:
    async with EmbeddedBackend(tmp_path / "data", synchronous="NORMAL") as b:
        yield b


@pytest.fixture
async def session(backend: EmbeddedBackend) -> Session:
    return await populate(backend)


async def export(backend: EmbeddedBackend, fmt: str, lang: str = "en", room: str = ROOM) -> bytes:
    """One room in one format, as the HTTP route and the CLI produce it."""
    if fmt == "zip":
        out = io.BytesIO()
        await write_event_zip(backend, EVENT, out, lang)
        return out.getvalue()
    record = await session_record(backend, room)
    return b"".join([chunk async for chunk in room_chunks(backend, record, fmt, lang)])
