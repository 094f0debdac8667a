"""The embedded backend: one process, one SQLite file, in-process fan-out.

Storage is in `sqlite_store`, the group-committing writer thread in `sqlite_writer`,
the catalogue and the secret in `embedded_catalogue`, presence in `memory_presence`.
This module is the `Backend` on the event loop side, and the room log's guarantees:

- Appends and imports are encoded here (an unencodable value is the caller's
  TypeError), queued to the writer, and resolved by `_deliver` on the loop, which
  first hands each new record to the room's subscribers: the writer commits in seq
  order and its completions reach the loop in commit order, so every subscriber is
  handed every record once, in seq order (guarantee 4). There is no transport in
  between that could drop or repeat one.
- `head` and `read` never go past the last seq already handed to subscribers, so a
  subscriber registered before a `head` or a `read` is handed every record past what
  it saw (guarantee 5); `head` is answered from memory.
- Reads run on their own connection on one reader thread (WAL lets them run while
  the writer commits).
- The epoch is made with the room and never changes.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

from . import sqlite_store as store
from .base import (
    Backend,
    BackendError,
    BackendUnavailable,
    EventInfo,
    LiveCallback,
    LogNotEmpty,
    Position,
    Record,
    RoomInfo,
    SavedSnapshot,
    UnknownRoom,
    checked_import,
    desk_event,
)
from .embedded_catalogue import EmbeddedCatalogue
from .memory_presence import MemoryPresence
from .sqlite_writer import AppendJob, CallJob, Completion, ImportJob, Writer

__all__ = ["EmbeddedBackend"]

log = logging.getLogger(__name__)


class EmbeddedBackend(Backend):
    """Room logs in `data_dir/workshop.db`; the secret in `data_dir/secret`.

    `synchronous` is SQLite's: FULL (default) is durable against power loss,
    NORMAL against process crashes only. `busy_timeout` (seconds) is how long a
    write waits for a lock before it fails as BackendUnavailable. At most
    `max_pending` writes may be queued; more fail fast as BackendUnavailable.
    """

    dedupe_sweep_every = 600.0  # seconds between deletes of expired dedupe rows

    def __init__(
        self,
        data_dir: Path | str,
        *,
        synchronous: str = "FULL",
        busy_timeout: float = 5.0,
        max_pending: int = 10_000,
    ) -> None:
        if synchronous.upper() not in ("EXTRA", "FULL", "NORMAL"):
            raise ValueError("synchronous must be EXTRA, FULL or NORMAL")
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / "workshop.db"
        self._synchronous = synchronous.upper()
        self._busy_ms = int(busy_timeout * 1000)
        self._max_pending = max_pending
        self._state = "new"  # new -> running -> closed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: Writer | None = None
        self._reader: ThreadPoolExecutor | None = None
        self._read_conn: sqlite3.Connection | None = None
        self._pending = 0
        self._heads: dict[str, Position] = {}  # room -> last seq handed to subscribers
        self._subscribers: dict[str, dict[LiveCallback, None]] = {}
        self._presence = MemoryPresence(lambda: self.presence_ttl)
        self._catalogue = EmbeddedCatalogue(
            self.data_dir, self._call, self._load_catalogue, self._heads.__setitem__
        )

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        """Open (or create) the database, start the writer, load the catalogue."""
        if self._state != "new":
            raise RuntimeError("an EmbeddedBackend starts once")
        self._loop = asyncio.get_running_loop()
        self._state = "running"
        try:
            await asyncio.to_thread(self.data_dir.mkdir, mode=0o700, parents=True, exist_ok=True)
            self._writer = Writer(
                self.path,
                self._synchronous,
                self._busy_ms,
                self._loop,
                self._deliver,
                dedupe_ttl=lambda: self.dedupe_ttl,
                sweep_every=lambda: self.dedupe_sweep_every,
            )
            self._writer.start()
            await self._call(store.init_schema, transaction=False)
            self._reader = ThreadPoolExecutor(1, thread_name_prefix="workshop-sqlite-reader")
            self._read_conn = await self._on_reader(
                lambda: store.connect(self.path, self._synchronous, self._busy_ms, read_only=True)
            )
            await self._catalogue.refresh()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Finish every queued write, then close both connections."""
        if self._state == "closed":
            return
        self._state = "closed"
        if self._writer is not None:
            await asyncio.to_thread(self._writer.stop)
        if self._reader is not None:
            if self._read_conn is not None:
                await self._on_reader(self._read_conn.close)
            self._reader.shutdown(wait=False)

    async def ready(self) -> bool:
        """Probe with a real write and commit, so a full or failing disk shows."""
        if self._state != "running" or self._writer is None or not self._writer.alive():
            return False

        def probe(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', ?)", (str(time.time()),)
            )

        try:
            await asyncio.wait_for(self._call(probe), timeout=self._busy_ms / 1000 + 2)
        except (BackendError, TimeoutError):
            return False
        return True

    # -- the log ---------------------------------------------------------------------

    async def append(
        self,
        room: str,
        type: str,
        data: dict[str, Any],
        actor: dict[str, Any] | None,
        cid: str | None,
    ) -> Position:
        """See `RoomLog.append`. Concurrent appends share one commit."""
        self._check_running()
        if not self._catalogue.has_log(room):
            raise UnknownRoom(room)
        pid = actor.get("pid") if actor is not None else None
        job = AppendJob(
            room=room,
            type=type,
            data=store.pack(data),
            actor=None if actor is None else store.pack(actor),
            pid=None if pid is None else str(pid),
            cid=cid,
            future=self._new_future(),
        )
        return cast(Position, await self._submit(job))

    async def head(self, room: str) -> Position:
        """See `RoomLog.head`; answered from memory, but for a desk log, which the CLI
        may write beside this process (`workshop staff`): the file says how far it goes."""
        self._check_running()
        try:
            cached = self._heads[room]
        except KeyError:
            raise UnknownRoom(room) from None
        if desk_event(room) is None:
            return cached
        stored = cast(
            Position | None,
            await self._on_reader(store.stored_head, self._read_conn, room),
        )
        if stored is None or stored.epoch != cached.epoch or stored.seq <= cached.seq:
            return cached
        self._heads[room] = stored  # records another process wrote: readable, not live
        return stored

    async def read(
        self, room: str, first: int, last: int | None = None, limit: int = 1000
    ) -> list[Record]:
        """See `RoomLog.read`; runs on the reader thread."""
        published = (await self.head(room)).seq
        last = published if last is None else min(last, published)
        first = max(first, 1)
        if limit < 1 or first > last:
            return []
        records = await self._on_reader(
            store.read_records, self._read_conn, room, first, last, limit
        )
        return cast(list[Record], records)

    async def import_log(self, room: str, records: Iterable[Record]) -> Position:
        """See `RoomLog.import_log`: the records are encoded here, then written in one
        transaction by the writer (so they are held in memory until then: a workshop's
        log is a few megabytes)."""
        self._check_running()
        head = await self.head(room)  # UnknownRoom
        if head.seq:
            raise LogNotEmpty(f"room {room} has {head.seq} records")
        oldest = time.time() - self.dedupe_ttl
        rows: list[tuple[Any, ...]] = []
        dedupe: list[tuple[Any, ...]] = []
        decoded: list[Record] = []
        for rec in checked_import(records):
            data = store.pack(rec.data)
            actor = None if rec.actor is None else store.pack(rec.actor)
            rows.append((room, rec.seq, rec.ts, rec.type, data, actor, rec.cid))
            pid = rec.actor.get("pid") if rec.actor is not None else None
            if pid is not None and rec.cid is not None and rec.ts >= oldest:
                dedupe.append((room, str(pid), rec.cid, rec.seq, rec.ts))
            # Decoded from what is stored, so live records equal records read back.
            unpacked = None if actor is None else store.unpack(actor)
            decoded.append(Record(rec.seq, rec.ts, rec.type, store.unpack(data), unpacked, rec.cid))
        if not rows:
            return head
        job = ImportJob(room, rows, dedupe, tuple(decoded), self._new_future())
        return cast(Position, await self._submit(job))

    def subscribe(self, room: str, callback: LiveCallback) -> None:
        """See `RoomLog.subscribe`."""
        self._subscribers.setdefault(room, {})[callback] = None

    def unsubscribe(self, room: str, callback: LiveCallback) -> None:
        """See `RoomLog.unsubscribe`."""
        callbacks = self._subscribers.get(room)
        if callbacks is not None:
            callbacks.pop(callback, None)
            if not callbacks:
                del self._subscribers[room]

    def watch_life(self, room: str, callback: Callable[[str], None]) -> None:
        """See `RoomLog.watch_life`: this log never changes epoch, so never called."""

    def unwatch_life(self, room: str, callback: Callable[[str], None]) -> None:
        """See `RoomLog.unwatch_life`."""

    async def save_snapshot(self, room: str, seq: int, blob: bytes) -> None:
        """See `RoomLog.save_snapshot`."""
        self._check_running()
        if not self._catalogue.has_log(room):
            raise UnknownRoom(room)
        sql = (
            "INSERT INTO snapshots (room, seq, blob) VALUES (?, ?, ?) ON CONFLICT (room)"
            " DO UPDATE SET seq = excluded.seq, blob = excluded.blob"
            " WHERE excluded.seq >= snapshots.seq"
        )
        await self._call(lambda conn: conn.execute(sql, (room, seq, bytes(blob))))

    async def load_snapshot(self, room: str) -> SavedSnapshot | None:
        """See `RoomLog.load_snapshot`."""
        self._check_running()
        found = await self._on_reader(store.read_snapshot, self._read_conn, room)
        return None if found is None else SavedSnapshot(*found)

    # -- presence (in memory: one process) ------------------------------------------------

    async def set_presence(self, room: str, process_id: str, members: dict[str, str]) -> None:
        """See `PresenceBoard.set_presence`."""
        self._presence.set(room, process_id, members)

    async def get_presence(self, room: str) -> dict[str, str]:
        """See `PresenceBoard.get_presence`; sets older than `presence_ttl` are dropped."""
        return self._presence.get(room)

    def watch_presence(self, room: str, callback: Callable[[str], None]) -> None:
        """See `PresenceBoard.watch_presence`: one process, so no other changes sets."""

    def unwatch_presence(self, room: str, callback: Callable[[str], None]) -> None:
        """See `PresenceBoard.unwatch_presence`."""

    # -- catalogue (embedded_catalogue) ------------------------------------------------------

    async def create_event(self, event: EventInfo) -> None:
        """See `Catalogue.create_event`; one transaction."""
        await self._catalogue.create(event)

    async def change_event(
        self, event_id: str, change: Callable[[EventInfo], EventInfo]
    ) -> EventInfo:
        """See `Catalogue.change_event`; one transaction."""
        return await self._catalogue.change(event_id, change)

    async def get_event(self, event_id: str) -> EventInfo | None:
        """See `Catalogue.get_event`."""
        return await self._catalogue.event(event_id)

    async def list_events(self) -> list[EventInfo]:
        """See `Catalogue.list_events`."""
        return await self._catalogue.all_events()

    async def get_room(self, code: str) -> RoomInfo | None:
        """See `Catalogue.get_room`."""
        return await self._catalogue.room(code)

    async def list_rooms(self) -> list[RoomInfo]:
        """See `Catalogue.list_rooms`."""
        return [room for event in await self.list_events() for room in event.rooms]

    async def get_secret(self) -> bytes:
        """32 random bytes made once and kept in `data_dir/secret` (mode 0600)."""
        return await self._catalogue.secret()

    # -- plumbing --------------------------------------------------------------------------

    def _check_running(self) -> None:
        if self._state != "running":
            raise BackendUnavailable(f"embedded backend is {self._state}")

    def _new_future(self) -> asyncio.Future[Any]:
        self._check_running()
        if self._pending >= self._max_pending:
            raise BackendUnavailable("too many writes queued")
        assert self._loop is not None
        return self._loop.create_future()

    async def _submit(self, job: AppendJob | ImportJob | CallJob) -> Any:
        assert self._writer is not None
        self._pending += 1
        self._writer.put(job)
        return await job.future

    async def _call(
        self, fn: Callable[[sqlite3.Connection], Any], *, transaction: bool = True
    ) -> Any:
        """Run `fn(conn)` on the writer thread, in its own transaction."""
        return await self._submit(CallJob(fn, self._new_future(), transaction))

    async def _on_reader(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(*args)` on the reader thread; SQLite errors become BackendUnavailable."""
        assert self._loop is not None and self._reader is not None
        try:
            return await self._loop.run_in_executor(self._reader, fn, *args)
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"sqlite read failed: {exc}") from exc

    async def _load_catalogue(self) -> tuple[dict[str, EventInfo], dict[str, Position]] | None:
        """Every event and room head in the file; None once closed (memory answers then)."""
        if self._state != "running":
            return None
        found = await self._on_reader(store.load_catalogue, self._read_conn)
        return cast(tuple[dict[str, EventInfo], dict[str, Position]], found)

    def _deliver(self, completions: list[Completion]) -> None:
        """On the loop: hand new records to subscribers, then resolve futures, in commit
        order. The head moves record by record, so a subscriber that reads from inside
        its callback sees the log up to the record it is handed, and no further."""
        for done in completions:
            self._pending -= 1
            for record in done.records:
                self._heads[done.room] = Position(record.seq, done.epoch)
                for callback in tuple(self._subscribers.get(done.room, ())):
                    try:
                        callback(record, done.epoch)
                    except Exception:
                        log.exception("a live subscriber of room %s failed", done.room)
            if done.future.done():  # the caller was cancelled; the record stands
                continue
            if isinstance(done.result, BaseException):
                done.future.set_exception(done.result)
            else:
                done.future.set_result(done.result)
