"""The embedded backend: one process, one SQLite file, in-process fan-out.

Storage and the group-committing writer thread are in `sqlite_store`; this
module is the `Backend` on the event loop side:

- Appends are encoded here (an unencodable value is the caller's TypeError),
  queued to the writer, and resolved by `_deliver` on the loop, which first
  hands each new record to the room's subscribers, in seq order.
- `head` and `read` never go past the last seq already handed to subscribers,
  so a subscriber registered before a read gets exactly the records the read
  does not return; `head` is answered from memory.
- Reads run on their own connection on one reader thread (WAL lets them run
  while the writer commits).
- The catalogue is small and only this process changes it: it is read once at
  start and kept in memory. Presence is in memory too (one process).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import sqlite_store as store
from .base import (
    Appended,
    Backend,
    BackendError,
    BackendUnavailable,
    Conflict,
    EventInfo,
    LiveCallback,
    Record,
    RoomInfo,
    UnknownRoom,
    new_epoch,
)

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
        self._writer: store.Writer | None = None
        self._reader: ThreadPoolExecutor | None = None
        self._read_conn: sqlite3.Connection | None = None
        self._pending = 0
        self._events: dict[str, EventInfo] = {}
        self._rooms: dict[str, RoomInfo] = {}
        self._heads: dict[str, tuple[int, str]] = {}  # room -> (last seq published, epoch)
        self._subscribers: dict[str, dict[LiveCallback, None]] = {}
        self._presence: dict[str, dict[str, tuple[float, dict[str, str]]]] = {}
        self._secret: bytes | None = None

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        """Open (or create) the database, start the writer, load the catalogue."""
        if self._state != "new":
            raise RuntimeError("an EmbeddedBackend starts once")
        self._loop = asyncio.get_running_loop()
        self._state = "running"
        try:
            await asyncio.to_thread(self.data_dir.mkdir, mode=0o700, parents=True, exist_ok=True)
            self._writer = store.Writer(
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
            self._events, self._heads = await self._on_reader(store.load_catalogue, self._read_conn)
            self._rooms = {r.code: r for e in self._events.values() for r in e.rooms}
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
    ) -> Appended:
        """See `Backend.append`. Concurrent appends share one commit."""
        self._check_running()
        if room not in self._rooms:
            raise UnknownRoom(room)
        pid = actor.get("pid") if actor is not None else None
        job = store.AppendJob(
            room=room,
            type=type,
            data=store.pack(data),
            actor=None if actor is None else store.pack(actor),
            pid=None if pid is None else str(pid),
            cid=cid,
            future=self._new_future(),
        )
        return await self._submit(job)

    async def head(self, room: str) -> tuple[int, str]:
        """See `Backend.head`; answered from memory."""
        self._check_running()
        try:
            return self._heads[room]
        except KeyError:
            raise UnknownRoom(room) from None

    async def read(
        self, room: str, first: int, last: int | None = None, limit: int = 1000
    ) -> list[Record]:
        """See `Backend.read`; runs on the reader thread."""
        published, _ = await self.head(room)
        last = published if last is None else min(last, published)
        first = max(first, 1)
        if limit < 1 or first > last:
            return []
        return await self._on_reader(store.read_records, self._read_conn, room, first, last, limit)

    def subscribe(self, room: str, callback: LiveCallback) -> None:
        """See `Backend.subscribe`."""
        self._subscribers.setdefault(room, {})[callback] = None

    def unsubscribe(self, room: str, callback: LiveCallback) -> None:
        """See `Backend.unsubscribe`."""
        callbacks = self._subscribers.get(room)
        if callbacks is not None:
            callbacks.pop(callback, None)
            if not callbacks:
                del self._subscribers[room]

    # -- snapshots ---------------------------------------------------------------------

    async def save_snapshot(self, room: str, seq: int, blob: bytes) -> None:
        """See `Backend.save_snapshot`."""
        self._check_running()
        if room not in self._rooms:
            raise UnknownRoom(room)
        sql = (
            "INSERT INTO snapshots (room, seq, blob) VALUES (?, ?, ?) ON CONFLICT (room)"
            " DO UPDATE SET seq = excluded.seq, blob = excluded.blob"
            " WHERE excluded.seq >= snapshots.seq"
        )
        await self._call(lambda conn: conn.execute(sql, (room, seq, bytes(blob))))

    async def load_snapshot(self, room: str) -> tuple[int, bytes] | None:
        """See `Backend.load_snapshot`."""
        self._check_running()

        def fetch(conn: sqlite3.Connection) -> tuple[int, bytes] | None:
            row = conn.execute("SELECT seq, blob FROM snapshots WHERE room = ?", (room,)).fetchone()
            return None if row is None else (row[0], bytes(row[1]))

        return await self._on_reader(fetch, self._read_conn)

    # -- presence (in memory: one process) ------------------------------------------------

    async def set_presence(self, room: str, process_id: str, members: dict[str, str]) -> None:
        """See `Backend.set_presence`."""
        processes = self._presence.setdefault(room, {})
        if members:
            processes[process_id] = (time.monotonic(), dict(members))
        else:
            processes.pop(process_id, None)
            if not processes:
                del self._presence[room]

    async def get_presence(self, room: str) -> dict[str, str]:
        """See `Backend.get_presence`; sets older than `presence_ttl` are dropped."""
        processes = self._presence.get(room, {})
        oldest = time.monotonic() - self.presence_ttl
        for process_id in [p for p, (at, _) in processes.items() if at < oldest]:
            del processes[process_id]
        union: dict[str, str] = {}
        for _, members in processes.values():
            union.update(members)
        return union

    # -- catalogue -------------------------------------------------------------------------

    async def create_event(self, event: EventInfo) -> None:
        """See `Backend.create_event`; one transaction."""
        self.check_event(event)
        epochs = {room.code: new_epoch() for room in event.rooms}

        def insert(conn: sqlite3.Connection) -> None:
            found = conn.execute("SELECT 1 FROM events WHERE event_id = ?", (event.event_id,))
            if found.fetchone() is not None:
                raise Conflict(f"event {event.event_id!r} exists")
            for room in event.rooms:
                if conn.execute("SELECT 1 FROM rooms WHERE code = ?", (room.code,)).fetchone():
                    raise Conflict(f"room {room.code!r} exists")
            conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                (
                    event.event_id,
                    event.title,
                    json.dumps(event.timezones),
                    json.dumps(event.languages),
                    event.created,
                ),
            )
            conn.executemany(
                "INSERT INTO rooms (code, title, event_id, epoch) VALUES (?, ?, ?, ?)",
                [(r.code, r.title, r.event_id, epochs[r.code]) for r in event.rooms],
            )

        await self._call(insert)
        self._events[event.event_id] = event
        for room in event.rooms:
            self._rooms[room.code] = room
            self._heads[room.code] = (0, epochs[room.code])

    async def get_event(self, event_id: str) -> EventInfo | None:
        """See `Backend.get_event`."""
        if event_id not in self._events:
            await self._refresh_catalogue()
        return self._events.get(event_id)

    async def list_events(self) -> list[EventInfo]:
        """See `Backend.list_events`."""
        await self._refresh_catalogue()
        return sorted(self._events.values(), key=lambda e: e.created)

    async def get_room(self, code: str) -> RoomInfo | None:
        """See `Backend.get_room`."""
        if code not in self._rooms:
            await self._refresh_catalogue()
        return self._rooms.get(code)

    async def _refresh_catalogue(self) -> None:
        """Pick up events that another process (`workshop create-event`) added meanwhile.

        Only new entries are taken: heads of rooms already known stay this process's own.
        """
        if self._state != "running":
            return
        events, heads = await self._on_reader(store.load_catalogue, self._read_conn)
        for event_id, event in events.items():
            if event_id in self._events:
                continue
            self._events[event_id] = event
            for room in event.rooms:
                self._rooms.setdefault(room.code, room)
                self._heads.setdefault(room.code, heads[room.code])

    async def list_rooms(self) -> list[RoomInfo]:
        """See `Backend.list_rooms`."""
        return [room for event in await self.list_events() for room in event.rooms]

    async def get_secret(self) -> bytes:
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

    async def _submit(self, job: store.AppendJob | store.CallJob) -> Any:
        assert self._writer is not None
        self._pending += 1
        self._writer.put(job)
        return await job.future

    async def _call(
        self, fn: Callable[[sqlite3.Connection], Any], *, transaction: bool = True
    ) -> Any:
        """Run `fn(conn)` on the writer thread, in its own transaction."""
        return await self._submit(store.CallJob(fn, self._new_future(), transaction))

    async def _on_reader(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(*args)` on the reader thread; SQLite errors become BackendUnavailable."""
        assert self._loop is not None and self._reader is not None
        try:
            return await self._loop.run_in_executor(self._reader, fn, *args)
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"sqlite read failed: {exc}") from exc

    def _deliver(self, outcomes: list[store.Outcome]) -> None:
        """On the loop: publish new records, then resolve futures, in commit order."""
        for future, result, record, room, epoch in outcomes:
            self._pending -= 1
            if record is not None:
                self._heads[room] = (record.seq, epoch)
                for callback in tuple(self._subscribers.get(room, ())):
                    try:
                        callback(record, epoch)
                    except Exception:
                        log.exception("a live subscriber of room %s failed", room)
            if future.done():  # the caller was cancelled; the record stands
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)
