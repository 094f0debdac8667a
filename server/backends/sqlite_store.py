"""SQLite storage for the embedded backend: the schema, connections, and reads.

SQLite blocks, so none of this runs on the event loop: reads run on the backend's
reader thread, writes on the one writer thread (`sqlite_writer`). WAL mode lets a
read run while the writer commits.

WAL mode with `synchronous=FULL` makes each commit durable before it is
acknowledged (kill -9 and power loss); `NORMAL` still survives kill -9, but a
power loss may drop the last commits.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import msgpack

from .base import (
    BackendError,
    BackendUnavailable,
    EventInfo,
    Position,
    Record,
    RoomInfo,
    desk_code,
    desk_event,
    new_epoch,
)
from .event_info import with_extra

# 2: events.extra, a JSON document of the language maps, the registry and the rooms' slots
# (`EventInfo.extra`); its `title` columns keep one plain string for older readers.
SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY, title TEXT NOT NULL,
    timezones TEXT NOT NULL, languages TEXT NOT NULL, created REAL NOT NULL, extra TEXT);
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY, title TEXT NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(event_id),
    epoch TEXT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS log (
    room TEXT NOT NULL REFERENCES rooms(code), seq INTEGER NOT NULL, ts REAL NOT NULL,
    type TEXT NOT NULL, data BLOB NOT NULL, actor BLOB, cid TEXT,
    PRIMARY KEY (room, seq));
CREATE TABLE IF NOT EXISTS dedupe (
    room TEXT NOT NULL, pid TEXT NOT NULL, cid TEXT NOT NULL,
    seq INTEGER NOT NULL, ts REAL NOT NULL,
    PRIMARY KEY (room, pid, cid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dedupe_by_ts ON dedupe (ts);
CREATE TABLE IF NOT EXISTS snapshots (
    room TEXT PRIMARY KEY REFERENCES rooms(code), seq INTEGER NOT NULL, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


SHARED_BLOB = 256  # bytes: a blob up to this size is decoded once per read (`read_records`)


def pack(value: Any) -> bytes:
    """msgpack with bin type, so `bytes` round-trip as `bytes`; TypeError for what
    msgpack cannot encode."""
    packed: bytes = msgpack.packb(value, use_bin_type=True)
    return packed


def unpack(blob: bytes) -> Any:
    """The inverse of `pack`."""
    return msgpack.unpackb(blob, raw=False)


def connect(
    path: Path, synchronous: str, busy_ms: int, *, read_only: bool = False
) -> sqlite3.Connection:
    """An autocommit connection (transactions are explicit) with our pragmas."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    return conn


def init_schema(conn: sqlite3.Connection) -> None:
    """Switch to WAL and create the tables (idempotent)."""
    if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
        raise BackendUnavailable("SQLite could not switch to WAL mode")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise BackendError(f"database schema {version} is newer than {SCHEMA_VERSION}")
    upgrade = "ALTER TABLE events ADD COLUMN extra TEXT;" if version == 1 else ""
    conn.executescript(f"BEGIN; {SCHEMA} {upgrade} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
    add_missing_desks(conn)


def add_missing_desks(conn: sqlite3.Connection) -> None:
    """Give each event stored before desk logs existed its desk (an empty log, a new epoch)."""
    missing = conn.execute(
        "SELECT event_id FROM events WHERE ? || event_id NOT IN (SELECT code FROM rooms)",
        (desk_code(""),),
    ).fetchall()
    conn.executemany(  # autocommit: each desk on its own; a repeat is ignored
        "INSERT OR IGNORE INTO rooms (code, title, event_id, epoch) VALUES (?, '', ?, ?)",
        [(desk_code(event_id), event_id, new_epoch()) for (event_id,) in missing],
    )


def load_catalogue(conn: sqlite3.Connection) -> tuple[dict[str, EventInfo], dict[str, Position]]:
    """Every event (in creation order) and every room's head."""
    rooms: dict[str, list[RoomInfo]] = {}
    heads: dict[str, Position] = {}
    for code, title, event_id, epoch, last_seq in conn.execute(
        "SELECT code, title, event_id, epoch, last_seq FROM rooms ORDER BY rowid"
    ):
        heads[code] = Position(last_seq, epoch)
        if desk_event(code) is None:  # a desk log has a head but is not a room
            rooms.setdefault(event_id, []).append(RoomInfo(code, title, event_id))
    events: dict[str, EventInfo] = {}
    for event_id, title, tzs, langs, created, extra in conn.execute(
        "SELECT event_id, title, timezones, languages, created, extra FROM events ORDER BY rowid"
    ):
        event = EventInfo(
            event_id,
            title,
            tuple(json.loads(tzs)),
            tuple(json.loads(langs)),
            tuple(rooms.get(event_id, ())),
            created,
        )
        events[event_id] = with_extra(event, json.loads(extra) if extra else None)
    return events, heads


def read_records(
    conn: sqlite3.Connection, room: str, first: int, last: int, limit: int
) -> list[Record]:
    """Records `first..last` of the room, ascending, at most `limit`."""
    rows = conn.execute(
        "SELECT seq, ts, type, data, actor, cid FROM log"
        " WHERE room = ? AND seq BETWEEN ? AND ? ORDER BY seq LIMIT ?",
        (room, first, last, limit),
    ).fetchall()
    # One batch names few actors and repeats small payloads (a vote is `{qid, up}`), so
    # each distinct small blob is decoded once per read and its value shared by the
    # records that hold it (records are values nobody mutates: live subscribers already
    # share one). Issue 17: this halves the decoding of a 100k-event export.
    decoded: dict[bytes, Any] = {}

    def value(blob: bytes) -> Any:
        if len(blob) > SHARED_BLOB:
            return unpack(blob)
        found = decoded.get(blob)
        if found is None:
            found = decoded[blob] = unpack(blob)
        return found

    return [
        Record(seq, ts, type_, value(data), None if actor is None else value(actor), cid)
        for seq, ts, type_, data, actor, cid in rows
    ]


def stored_head(conn: sqlite3.Connection, room: str) -> Position | None:
    """The room's last committed seq and epoch as the file holds them (another process
    may have written since this one last looked), or None for an unknown room."""
    row = conn.execute("SELECT last_seq, epoch FROM rooms WHERE code = ?", (room,)).fetchone()
    return None if row is None else Position(int(row[0]), str(row[1]))


def read_snapshot(conn: sqlite3.Connection, room: str) -> tuple[int, bytes] | None:
    """The room's stored `(seq, blob)`, or None."""
    row = conn.execute("SELECT seq, blob FROM snapshots WHERE room = ?", (room,)).fetchone()
    return None if row is None else (int(row[0]), bytes(row[1]))
