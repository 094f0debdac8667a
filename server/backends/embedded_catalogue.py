"""The embedded backend's catalogue: events and rooms in the SQLite file, and the secret.

The catalogue is small and changes seldom (an organiser's programme, `change`), so it
is read once at start and kept in memory. Another process on the same data dir
(`workshop create-event` while the server runs) may add events: a lookup that misses
reads the file again and takes the new and changed entries. The secret is a file of its own,
`data_dir/secret` (mode 0600), made once.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from protocol.lang_text import text_in

from .base import (
    BackendError,
    Catalogue,
    Conflict,
    EventInfo,
    Position,
    RoomInfo,
    desk_code,
    new_epoch,
)
from .sqlite_store import load_catalogue

__all__ = ["EmbeddedCatalogue"]

Write = Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]
"""Run a function in one transaction on the writer thread."""
Load = Callable[[], Awaitable[tuple[dict[str, EventInfo], dict[str, Position]] | None]]
"""Read every event and every room's head from the file (None once closed)."""
Learned = Callable[[str, Position], None]
"""Told of each room this process did not know, with its head."""


class EmbeddedCatalogue:
    """Events and rooms of one data dir, in memory; the `Catalogue` methods' bodies."""

    def __init__(self, data_dir: Path, write: Write, load: Load, learned: Learned) -> None:
        self.data_dir = data_dir
        self.events: dict[str, EventInfo] = {}
        self.rooms: dict[str, RoomInfo] = {}
        self.desks: set[str] = set()  # the events' desk logs (base.desk_code)
        self._write = write
        self._load = load
        self._learned = learned
        self._secret: bytes | None = None

    async def refresh(self) -> None:
        """Take the events added since (by this or another process). Rooms already known
        keep the heads this process has: only new rooms are announced to `learned`."""
        found = await self._load()
        if found is None:
            return
        events, heads = found
        for event_id, event in events.items():
            desk = desk_code(event_id)
            if desk not in self.desks and desk in heads:
                self.desks.add(desk)
                self._learned(desk, heads[desk])
            self._take(event, heads)  # new, or changed by an organiser (issue 15)

    async def create(self, event: EventInfo) -> None:
        """`Catalogue.create_event`, in one transaction."""
        Catalogue.check_event(event)
        epochs = {room.code: new_epoch() for room in event.rooms}
        desk = desk_code(event.event_id)
        epochs[desk] = new_epoch()

        def insert(conn: sqlite3.Connection) -> None:
            found = conn.execute("SELECT 1 FROM events WHERE event_id = ?", (event.event_id,))
            if found.fetchone() is not None:
                raise Conflict(f"event {event.event_id!r} exists")
            for room in event.rooms:
                if conn.execute("SELECT 1 FROM rooms WHERE code = ?", (room.code,)).fetchone():
                    raise Conflict(f"room {room.code!r} exists")
            conn.execute(
                "INSERT INTO events (event_id, title, timezones, languages, created, extra)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    event.event_id,
                    text_in(event.title, None, event.languages),
                    json.dumps(event.timezones),
                    json.dumps(event.languages),
                    event.created,
                    json.dumps(event.extra(), ensure_ascii=False),
                ),
            )
            conn.executemany(
                "INSERT INTO rooms (code, title, event_id, epoch) VALUES (?, ?, ?, ?)",
                [
                    (r.code, text_in(r.title, None, event.languages), r.event_id, epochs[r.code])
                    for r in event.rooms
                ]
                + [(desk, "", event.event_id, epochs[desk])],
            )

        await self._write(insert)
        self.events[event.event_id] = event
        for room in event.rooms:
            self.rooms[room.code] = room
            self._learned(room.code, Position(0, epochs[room.code]))
        self.desks.add(desk)
        self._learned(desk, Position(0, epochs[desk]))

    async def change(self, event_id: str, change: Callable[[EventInfo], EventInfo]) -> EventInfo:
        """`Catalogue.change_event`, in one transaction on the file's current entry."""
        epochs: dict[str, str] = {}

        def update(conn: sqlite3.Connection) -> EventInfo:
            old = load_catalogue(conn)[0].get(event_id)
            if old is None:
                raise LookupError(f"no event {event_id!r}")
            new = change(old)
            added = Catalogue.check_change(old, new)
            for room in added:
                if conn.execute("SELECT 1 FROM rooms WHERE code = ?", (room.code,)).fetchone():
                    raise Conflict(f"room {room.code!r} exists")
            conn.execute(
                "UPDATE events SET title = ?, extra = ? WHERE event_id = ?",
                (
                    text_in(new.title, None, new.languages),
                    json.dumps(new.extra(), ensure_ascii=False),
                    event_id,
                ),
            )
            conn.executemany(
                "UPDATE rooms SET title = ? WHERE code = ?",
                [(text_in(r.title, None, new.languages), r.code) for r in new.rooms],
            )
            epochs.update({room.code: new_epoch() for room in added})
            conn.executemany(
                "INSERT INTO rooms (code, title, event_id, epoch) VALUES (?, ?, ?, ?)",
                [
                    (r.code, text_in(r.title, None, new.languages), event_id, epochs[r.code])
                    for r in added
                ],
            )
            return new

        event: EventInfo = await self._write(update)
        self._take(event, {code: Position(0, epoch) for code, epoch in epochs.items()})
        return event

    def _take(self, event: EventInfo, heads: dict[str, Position]) -> None:
        """Hold `event` as it now stands; announce its rooms this process did not know."""
        self.events[event.event_id] = event
        for room in event.rooms:
            if room.code not in self.rooms:
                self._learned(room.code, heads[room.code])
            self.rooms[room.code] = room

    def has_log(self, code: str) -> bool:
        """True for a room's code and for a desk log's."""
        return code in self.rooms or code in self.desks

    async def event(self, event_id: str) -> EventInfo | None:
        """`Catalogue.get_event`."""
        if event_id not in self.events:
            await self.refresh()
        return self.events.get(event_id)

    async def all_events(self) -> list[EventInfo]:
        """`Catalogue.list_events`."""
        await self.refresh()
        return sorted(self.events.values(), key=lambda e: e.created)

    async def room(self, code: str) -> RoomInfo | None:
        """`Catalogue.get_room`."""
        if code not in self.rooms:
            await self.refresh()
        return self.rooms.get(code)

    async def secret(self) -> bytes:
        """32 random bytes made once and kept in `data_dir/secret` (mode 0600)."""
        if self._secret is None:
            self._secret = await asyncio.to_thread(self._read_or_make_secret)
        return self._secret

    def _read_or_make_secret(self) -> bytes:
        path = self.data_dir / "secret"
        if not path.exists():
            tmp = path.with_name(f"secret.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, os.urandom(32))
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)  # unlike rename, never replaces a secret made meanwhile
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
            dir_fd = os.open(self.data_dir, os.O_RDONLY)
            try:
                os.fsync(dir_fd)  # the new name is durable too
            finally:
                os.close(dir_fd)
        secret = path.read_bytes()
        if len(secret) < 32:
            raise BackendError(f"{path} holds {len(secret)} bytes; expected 32")
        return secret
