"""What only the embedded backend promises: files, SQLite settings, failures."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.backends.base import BackendUnavailable, Record, RoomInfo
from server.backends.embedded import EmbeddedBackend

from .support import EVENT, ROOM

ACTOR = {"pid": "d4d4d4d4d4d4d4d4", "name": "Dorj", "org": "Ulaanbaatar", "roles": []}


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[EmbeddedBackend]:
    b = EmbeddedBackend(tmp_path / "data", busy_timeout=0.2)
    await b.start()
    await b.create_event(EVENT)
    try:
        yield b
    finally:
        await b.close()


async def test_files_and_modes(embedded: EmbeddedBackend) -> None:
    secret = await embedded.get_secret()
    path = embedded.data_dir / "secret"
    assert len(secret) == 32 and path.read_bytes() == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(embedded.data_dir.glob("secret.*"))  # no temporary left behind
    with sqlite3.connect(embedded.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_synchronous_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        EmbeddedBackend(tmp_path, synchronous="OFF")


async def test_synchronous_normal_works(tmp_path: Path) -> None:
    async with EmbeddedBackend(tmp_path, synchronous="normal") as b:
        await b.create_event(EVENT)
        assert (await b.append(ROOM, "ask", {}, ACTOR, "c")).seq == 1


async def test_a_failing_write_is_never_a_false_success(embedded: EmbeddedBackend) -> None:
    await embedded.append(ROOM, "ask", {"n": 1}, ACTOR, "c1")
    got: list[Record] = []
    embedded.subscribe(ROOM, lambda record, epoch: got.append(record))
    blocker = sqlite3.connect(embedded.path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # holds the write lock past busy_timeout
        results = await asyncio.gather(
            *(embedded.append(ROOM, "ask", {"n": n}, ACTOR, f"c{n}") for n in range(2, 6)),
            return_exceptions=True,
        )
        assert all(isinstance(r, BackendUnavailable) for r in results)
        assert await embedded.ready() is False
        blocker.execute("ROLLBACK")
    finally:
        blocker.close()
    assert await embedded.ready() is True
    assert got == []
    retried = await embedded.append(ROOM, "ask", {"n": 2}, ACTOR, "c2")  # not a duplicate
    assert retried.seq == 2
    assert [r.data["n"] for r in await embedded.read(ROOM, 1)] == [1, 2]
    assert [r.seq for r in got] == [2]


async def test_cancelled_append_may_still_land(embedded: EmbeddedBackend) -> None:
    task = asyncio.create_task(embedded.append(ROOM, "ask", {}, ACTOR, "c"))
    await asyncio.sleep(0)  # queued to the writer
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    retry = await embedded.append(ROOM, "ask", {}, ACTOR, "c")
    assert retry.seq == 1 and (await embedded.head(ROOM)).seq == 1  # the first one landed
    assert (await embedded.append(ROOM, "ask", {}, ACTOR, "d")).seq == 2


async def test_too_many_queued_writes_fail_fast(tmp_path: Path) -> None:
    async with EmbeddedBackend(tmp_path, max_pending=5) as b:
        await b.create_event(EVENT)
        results = await asyncio.gather(
            *(b.append(ROOM, "ask", {}, None, None) for _ in range(8)), return_exceptions=True
        )
        assert sorted(r.seq for r in results if not isinstance(r, Exception)) == [1, 2, 3, 4, 5]
        assert sum(isinstance(r, BackendUnavailable) for r in results) == 3
        assert (await b.append(ROOM, "ask", {}, None, None)).seq == 6


async def test_expired_dedupe_rows_are_swept(embedded: EmbeddedBackend) -> None:
    embedded.dedupe_ttl = 0.1
    embedded.dedupe_sweep_every = 0.0
    await embedded.append(ROOM, "vote", {}, ACTOR, "old")
    await asyncio.sleep(0.2)
    await embedded.append(ROOM, "vote", {}, ACTOR, "new")
    await embedded.append(ROOM, "vote", {}, None, None)  # the sweep follows a batch
    conn = sqlite3.connect(embedded.path)
    try:
        rows = conn.execute("SELECT cid FROM dedupe").fetchall()
    finally:
        conn.close()
    assert rows == [("new",)]


async def test_a_data_dir_of_schema_1_is_upgraded_in_place(tmp_path: Path) -> None:
    """A file made before the language maps (schema 1, no `events.extra`) opens, keeps
    its events and rooms with their plain titles, and takes new multilingual events."""
    first = EmbeddedBackend(tmp_path / "data")
    await first.start()
    await first.create_event(EVENT)
    await first.append(ROOM, "ask", {"text": "before the upgrade"}, ACTOR, "c1")
    await first.close()
    conn = sqlite3.connect(first.path)
    conn.executescript(
        "BEGIN; ALTER TABLE events DROP COLUMN extra; PRAGMA user_version = 1; COMMIT;"
    )
    conn.close()
    again = EmbeddedBackend(tmp_path / "data")
    await again.start()
    try:
        assert await again.get_event(EVENT.event_id) == EVENT
        assert (await again.head(ROOM)).seq == 1
        maps = dataclasses.replace(
            EVENT, event_id="ml", title={"en": "Event", "ja": "行事"},
            rooms=(RoomInfo("ML-1", {"mn": "Өрөө"}, "ml"),),
        )  # fmt: skip
        await again.create_event(maps)
        assert await again.get_event("ml") == maps
    finally:
        await again.close()
    with sqlite3.connect(first.path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
