"""SQLite storage for the embedded backend: schema, connections, and the writer.

SQLite blocks, so it never runs on the event loop. ONE writer thread owns the
write connection and does GROUP COMMIT: it drains everything queued, assigns
seqs, checks dedupe (also between appends of the same batch), inserts a run of
appends in one transaction and commits once, so one fsync covers the batch.
Results go back to the loop with `call_soon_threadsafe`, in commit order. Only
this thread writes, so its cached `last_seq` per room is authoritative.

WAL mode with `synchronous=FULL` makes each commit durable before it is
acknowledged (kill -9 and power loss); `NORMAL` still survives kill -9, but a
power loss may drop the last commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgpack

from .base import (
    Appended,
    BackendError,
    BackendUnavailable,
    EventInfo,
    Record,
    RoomInfo,
    UnknownRoom,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY, title TEXT NOT NULL,
    timezones TEXT NOT NULL, languages TEXT NOT NULL, created REAL NOT NULL);
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
MAX_BATCH = 2048  # jobs taken per round; bounds one commit's latency
_STOP = object()


def pack(value: Any) -> bytes:
    """msgpack with bin type, so `bytes` round-trip as `bytes`."""
    return msgpack.packb(value, use_bin_type=True)


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
    conn.executescript(f"BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")


def load_catalogue(
    conn: sqlite3.Connection,
) -> tuple[dict[str, EventInfo], dict[str, tuple[int, str]]]:
    """Every event (in creation order) and every room's `(last_seq, epoch)`."""
    rooms: dict[str, list[RoomInfo]] = {}
    heads: dict[str, tuple[int, str]] = {}
    for code, title, event_id, epoch, last_seq in conn.execute(
        "SELECT code, title, event_id, epoch, last_seq FROM rooms ORDER BY rowid"
    ):
        rooms.setdefault(event_id, []).append(RoomInfo(code, title, event_id))
        heads[code] = (last_seq, epoch)
    events: dict[str, EventInfo] = {}
    for event_id, title, tzs, langs, created in conn.execute(
        "SELECT event_id, title, timezones, languages, created FROM events ORDER BY rowid"
    ):
        events[event_id] = EventInfo(
            event_id,
            title,
            tuple(json.loads(tzs)),
            tuple(json.loads(langs)),
            tuple(rooms.get(event_id, ())),
            created,
        )
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
    return [
        Record(seq, ts, type_, unpack(data), None if actor is None else unpack(actor), cid)
        for seq, ts, type_, data, actor, cid in rows
    ]


@dataclass(slots=True)
class AppendJob:
    """One append, already encoded on the loop (so encoding errors stay the caller's)."""

    room: str
    type: str
    data: bytes
    actor: bytes | None
    pid: str | None
    cid: str | None
    future: asyncio.Future[Appended]


@dataclass(slots=True)
class CallJob:
    """Run `fn(conn)` on the writer, in its own transaction unless `transaction` is False."""

    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]
    transaction: bool = True


Outcome = tuple[asyncio.Future[Any], Any, Record | None, str, str]
"""(future, result or exception, record to publish or None, room, epoch)."""


class Writer:
    """The one writer thread. `deliver(outcomes)` is called on the loop, in order."""

    def __init__(
        self,
        path: Path,
        synchronous: str,
        busy_ms: int,
        loop: asyncio.AbstractEventLoop,
        deliver: Callable[[list[Outcome]], None],
        dedupe_ttl: Callable[[], float],
        sweep_every: Callable[[], float],
    ) -> None:
        self._connect = lambda: connect(path, synchronous, busy_ms)
        self._path = path
        self._loop = loop
        self._deliver = deliver
        self._dedupe_ttl = dedupe_ttl
        self._sweep_every = sweep_every
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._heads: dict[str, tuple[int, str]] = {}  # room -> (last committed seq, epoch)
        self._last_sweep = 0.0
        self._thread = threading.Thread(
            target=self._run, name="workshop-sqlite-writer", daemon=True
        )

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def alive(self) -> bool:
        """Whether the thread runs."""
        return self._thread.is_alive()

    def put(self, job: AppendJob | CallJob) -> None:
        """Queue a job; its future is resolved on the loop. Thread-safe."""
        self._queue.put(job)

    def stop(self) -> None:
        """Serve everything queued so far, then end. Blocks: call it in a thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        stopping = False
        while not stopping:
            jobs = [self._queue.get()]
            while len(jobs) < MAX_BATCH:
                try:
                    jobs.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in jobs:  # stop() puts it last: everything before it is served
                stopping = True
                jobs = [job for job in jobs if job is not _STOP]
            if conn is None and jobs:
                try:
                    conn = self._connect()
                except sqlite3.Error as exc:
                    log.error("cannot open %s: %s", self._path, exc)
            outcomes: list[Outcome] = []
            run: list[AppendJob] = []
            for job in [*jobs, None]:  # None flushes the last run of appends
                if isinstance(job, AppendJob):
                    run.append(job)
                    continue
                if run:
                    outcomes += self._append(conn, run)
                    run = []
                if job is not None:
                    outcomes.append((job.future, self._call(conn, job), None, "", ""))
            if outcomes:
                with contextlib.suppress(RuntimeError):  # loop closed: nobody waits
                    self._loop.call_soon_threadsafe(self._deliver, outcomes)
            if conn is not None and not stopping:
                self._sweep(conn)
        if conn is not None:
            conn.close()

    def _call(self, conn: sqlite3.Connection | None, job: CallJob) -> Any:
        """Run one call; return its result or the exception to hand back."""
        if conn is None:
            return BackendUnavailable(f"cannot open {self._path}")
        try:
            if not job.transaction:
                return job.fn(conn)
            conn.execute("BEGIN IMMEDIATE")
            result = job.fn(conn)
            conn.execute("COMMIT")
            return result
        except BackendError as exc:
            _rollback(conn)
            return exc
        except sqlite3.Error as exc:
            _rollback(conn)
            return _unavailable("sqlite", exc)
        except Exception as exc:  # a bug in `fn`: the caller sees it; the writer lives on
            _rollback(conn)
            return exc

    def _append(self, conn: sqlite3.Connection | None, jobs: list[AppendJob]) -> list[Outcome]:
        """Append a run of jobs in one transaction (the group commit)."""
        now = time.time()
        oldest = now - self._dedupe_ttl()
        heads: dict[str, tuple[int, str]] = {}  # new heads of this batch
        in_batch: dict[tuple[str, str, str], int] = {}
        rows: list[tuple[Any, ...]] = []
        dedupe_rows: list[tuple[Any, ...]] = []
        outcomes: list[Outcome] = []
        try:
            if conn is None:
                raise sqlite3.OperationalError(f"cannot open {self._path}")
            conn.execute("BEGIN IMMEDIATE")
            for job in jobs:
                head = heads.get(job.room) or self._heads.get(job.room)
                head = head or _room_head(conn, job.room)
                if head is None:
                    outcomes.append((job.future, UnknownRoom(job.room), None, job.room, ""))
                    continue
                last, epoch = head
                key = None
                if job.pid is not None and job.cid is not None:
                    key = (job.room, job.pid, job.cid)
                    seq = in_batch.get(key) or _deduped(conn, key, oldest)
                    if seq is not None:
                        appended = Appended(seq, epoch, duplicate=True)
                        outcomes.append((job.future, appended, None, job.room, epoch))
                        continue
                seq = last + 1
                heads[job.room] = (seq, epoch)
                rows.append((job.room, seq, now, job.type, job.data, job.actor, job.cid))
                if key is not None:
                    in_batch[key] = seq
                    dedupe_rows.append((*key, seq, now))
                # Decode what was stored so live records equal records read back.
                actor = None if job.actor is None else unpack(job.actor)
                record = Record(seq, now, job.type, unpack(job.data), actor, job.cid)
                appended = Appended(seq, epoch, duplicate=False)
                outcomes.append((job.future, appended, record, job.room, epoch))
            conn.executemany("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            conn.executemany("INSERT OR REPLACE INTO dedupe VALUES (?, ?, ?, ?, ?)", dedupe_rows)
            conn.executemany(
                "UPDATE rooms SET last_seq = ? WHERE code = ?",
                [(seq, room) for room, (seq, _) in heads.items()],
            )
            conn.execute("COMMIT")
        except Exception as exc:
            # Nothing of this batch is acknowledged. Forget the cached heads: after
            # a failure we cannot see into, the database is the truth.
            log.error("append batch of %d failed: %s", len(jobs), exc)
            if conn is not None:
                _rollback(conn)
            self._heads.clear()
            return [(job.future, _unavailable("append", exc), None, job.room, "") for job in jobs]
        self._heads.update(heads)
        return outcomes

    def _sweep(self, conn: sqlite3.Connection) -> None:
        """Now and then, delete dedupe rows past their TTL (they are ignored anyway)."""
        now = time.monotonic()
        if now - self._last_sweep < self._sweep_every():
            return
        self._last_sweep = now
        try:
            conn.execute("DELETE FROM dedupe WHERE ts < ?", (time.time() - self._dedupe_ttl(),))
        except sqlite3.Error as exc:
            log.warning("dedupe sweep failed: %s", exc)


def _room_head(conn: sqlite3.Connection, room: str) -> tuple[int, str] | None:
    row = conn.execute("SELECT last_seq, epoch FROM rooms WHERE code = ?", (room,)).fetchone()
    return None if row is None else (row[0], row[1])


def _deduped(conn: sqlite3.Connection, key: tuple[str, str, str], oldest: float) -> int | None:
    row = conn.execute(
        "SELECT seq, ts FROM dedupe WHERE room = ? AND pid = ? AND cid = ?", key
    ).fetchone()
    return row[0] if row is not None and row[1] >= oldest else None


def _unavailable(what: str, exc: BaseException) -> BackendUnavailable:
    error = BackendUnavailable(f"{what} not persisted: {exc}")
    error.__cause__ = exc
    return error


def _rollback(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):  # no transaction open, or already rolled back
        conn.execute("ROLLBACK")
