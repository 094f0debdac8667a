"""The embedded backend's one writer thread: group commit, dedupe, imports.

ONE writer thread owns the write connection and does GROUP COMMIT: it drains
everything queued, assigns seqs, checks dedupe (also between appends of the same
batch), inserts a run of appends in one transaction and commits once, so one fsync
covers the batch. What each job came to goes back to the loop as a `Completion`,
with `call_soon_threadsafe`, in commit order, so the loop hands new records to
subscribers in seq order. Only this thread writes a room's log, so its cached head
per room is authoritative; a desk log (`base.desk_code`) is the exception: the CLI writes
it beside a running server (`workshop staff`), so its head is read from the file, inside
the transaction, every time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .base import (
    BackendError,
    BackendUnavailable,
    LogNotEmpty,
    Position,
    Record,
    UnknownRoom,
    desk_event,
)
from .sqlite_store import connect, stored_head, unpack

__all__ = ["AppendJob", "CallJob", "Completion", "ImportJob", "Writer"]

log = logging.getLogger(__name__)

MAX_BATCH = 2048  # jobs taken per round; bounds one commit's latency
_STOP = object()


@dataclass(slots=True)
class AppendJob:
    """One append, already encoded on the loop (so encoding errors stay the caller's)."""

    room: str
    type: str
    data: bytes
    actor: bytes | None
    pid: str | None
    cid: str | None
    future: asyncio.Future[Position]


@dataclass(slots=True)
class ImportJob:
    """A whole log for an empty room, encoded and checked (seq 1..n) on the loop.

    `rows` are `log` rows, `dedupe` are `dedupe` rows (first occurrence of each pair
    first), `records` the decoded records to hand to subscribers."""

    room: str
    rows: list[tuple[Any, ...]]
    dedupe: list[tuple[Any, ...]]
    records: tuple[Record, ...]
    future: asyncio.Future[Position]


@dataclass(slots=True)
class CallJob:
    """Run `fn(conn)` on the writer, in its own transaction unless `transaction` is False."""

    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]
    transaction: bool = True


Job = AppendJob | ImportJob | CallJob


class Completion(NamedTuple):
    """What one job came to, handed to the loop in commit order."""

    future: asyncio.Future[Any]
    result: Any  # the job's result, or the exception its caller gets
    room: str = ""
    records: tuple[Record, ...] = ()  # committed records for the room's subscribers
    epoch: str = ""


class Writer:
    """The one writer thread. `deliver(completions)` is called on the loop, in order."""

    def __init__(
        self,
        path: Path,
        synchronous: str,
        busy_ms: int,
        loop: asyncio.AbstractEventLoop,
        deliver: Callable[[list[Completion]], None],
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
        self._heads: dict[str, Position] = {}  # room -> last committed seq, epoch
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

    def put(self, job: Job) -> None:
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
            completions: list[Completion] = []
            run: list[AppendJob] = []
            for job in [*jobs, None]:  # None flushes the last run of appends
                if isinstance(job, AppendJob):
                    run.append(job)
                    continue
                if run:
                    completions += self._append(conn, run)
                    run = []
                if isinstance(job, ImportJob):
                    completions.append(self._import(conn, job))
                elif isinstance(job, CallJob):
                    completions.append(Completion(job.future, self._call(conn, job)))
            if completions:
                with contextlib.suppress(RuntimeError):  # loop closed: nobody waits
                    self._loop.call_soon_threadsafe(self._deliver, completions)
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

    def _append(self, conn: sqlite3.Connection | None, jobs: list[AppendJob]) -> list[Completion]:
        """Append a run of jobs in one transaction (the group commit)."""
        now = time.time()
        oldest = now - self._dedupe_ttl()
        heads: dict[str, Position] = {}  # new heads of this batch
        in_batch: dict[tuple[str, str, str], int] = {}
        rows: list[tuple[Any, ...]] = []
        dedupe_rows: list[tuple[Any, ...]] = []
        completions: list[Completion] = []
        try:
            if conn is None:
                raise sqlite3.OperationalError(f"cannot open {self._path}")
            conn.execute("BEGIN IMMEDIATE")
            for job in jobs:
                head = heads.get(job.room)
                if head is None and desk_event(job.room) is None:
                    head = self._heads.get(job.room)
                head = head or stored_head(conn, job.room)
                if head is None:
                    completions.append(Completion(job.future, UnknownRoom(job.room), job.room))
                    continue
                key = None
                if job.pid is not None and job.cid is not None:
                    key = (job.room, job.pid, job.cid)
                    seq = in_batch.get(key) or _deduped(conn, key, oldest)
                    if seq is not None:  # a repeat: its first record's position
                        first = Position(seq, head.epoch)
                        completions.append(Completion(job.future, first, job.room))
                        continue
                at = Position(head.seq + 1, head.epoch)
                heads[job.room] = at
                rows.append((job.room, at.seq, now, job.type, job.data, job.actor, job.cid))
                if key is not None:
                    in_batch[key] = at.seq
                    dedupe_rows.append((*key, at.seq, now))
                # Decode what was stored so live records equal records read back.
                actor = None if job.actor is None else unpack(job.actor)
                record = Record(at.seq, now, job.type, unpack(job.data), actor, job.cid)
                completions.append(Completion(job.future, at, job.room, (record,), at.epoch))
            conn.executemany("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            conn.executemany("INSERT OR REPLACE INTO dedupe VALUES (?, ?, ?, ?, ?)", dedupe_rows)
            conn.executemany(
                "UPDATE rooms SET last_seq = ? WHERE code = ?",
                [(at.seq, room) for room, at in heads.items()],
            )
            conn.execute("COMMIT")
        except Exception as exc:
            # Nothing of this batch is acknowledged. Forget the cached heads: after
            # a failure we cannot see into, the database is the truth.
            log.error("append batch of %d failed: %s", len(jobs), exc)
            if conn is not None:
                _rollback(conn)
            self._heads.clear()
            failed = _unavailable("append", exc)
            return [Completion(job.future, failed, job.room) for job in jobs]
        self._heads.update(heads)
        return completions

    def _import(self, conn: sqlite3.Connection | None, job: ImportJob) -> Completion:
        """Write a whole log into an empty room, in one transaction."""
        try:
            if conn is None:
                raise sqlite3.OperationalError(f"cannot open {self._path}")
            conn.execute("BEGIN IMMEDIATE")
            head = stored_head(conn, job.room)
            if head is None:
                _rollback(conn)
                return Completion(job.future, UnknownRoom(job.room), job.room)
            found = conn.execute("SELECT 1 FROM log WHERE room = ? LIMIT 1", (job.room,))
            if head.seq or found.fetchone() is not None:
                _rollback(conn)
                return Completion(job.future, LogNotEmpty(f"room {job.room} has a log"), job.room)
            conn.executemany("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?)", job.rows)
            # An empty log has no dedupe rows (they commit with their records); of a
            # pair the import holds twice, the first stays, as with appends.
            conn.executemany("INSERT OR IGNORE INTO dedupe VALUES (?, ?, ?, ?, ?)", job.dedupe)
            at = Position(len(job.rows), head.epoch)
            conn.execute("UPDATE rooms SET last_seq = ? WHERE code = ?", (at.seq, job.room))
            conn.execute("COMMIT")
        except Exception as exc:
            log.error("import of %d records into %s failed: %s", len(job.rows), job.room, exc)
            if conn is not None:
                _rollback(conn)
            self._heads.pop(job.room, None)
            return Completion(job.future, _unavailable("import", exc), job.room)
        self._heads[job.room] = at
        return Completion(job.future, at, job.room, job.records, at.epoch)

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


def _deduped(conn: sqlite3.Connection, key: tuple[str, str, str], oldest: float) -> int | None:
    row = conn.execute(
        "SELECT seq, ts FROM dedupe WHERE room = ? AND pid = ? AND cid = ?", key
    ).fetchone()
    return int(row[0]) if row is not None and row[1] >= oldest else None


def _unavailable(what: str, exc: BaseException) -> BackendUnavailable:
    error = BackendUnavailable(f"{what} not persisted: {exc}")
    error.__cause__ = exc
    return error


def _rollback(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):  # no transaction open, or already rolled back
        conn.execute("ROLLBACK")
