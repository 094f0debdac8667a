"""The backend interface: room logs, live tail, snapshots, dedupe, presence, catalogue.

A backend is where a room's order is decided and kept. The server folds what a
backend hands it; it never decides order itself (DESIGN.md §1-3). Two
implementations share this interface and one contract test suite
(`tests/backends/`): `embedded` (one process, SQLite) and `redis` (many processes).

Guarantees every backend gives (the contract suite checks each one):

1. **Order.** A room's log is gapless and totally ordered: `append` assigns
   `seq = previous + 1`, starting at 1, whatever the concurrency.
2. **Durability.** An `Appended` is returned only once the record is persisted:
   it is in the log and survives the process being killed (`kill -9`). A
   backend that cannot persist raises `BackendUnavailable`, never a false success.
3. **Idempotency.** `(actor["pid"], cid)` is remembered per room for
   `dedupe_ttl` (24 h): a repeat appends nothing and returns the first seq with
   `duplicate=True`. A record whose `cid` or `actor` (or `actor["pid"]`) is None
   is never deduped.
4. **Live tail.** After persistence, every subscriber of the room is called
   with the record exactly once, in seq order, from the event loop thread.
   Duplicates are not published. A subscriber that raises is logged and
   ignored; it disturbs neither other subscribers nor the backend.
   A subscriber registered before a `read` receives every record that the read
   does not return (the two may overlap; callers drop seqs they already have).
5. **Epoch.** Each room's log carries a random epoch (16 hex characters),
   created with the log and stable across restarts. A client resumes with
   `(seq, epoch)`; a different epoch means "this is not the log you knew".
6. **Snapshots.** One per room; a save whose seq is lower than the stored
   one is ignored, so the latest state always wins.

Cancellation: cancelling a caller of `append` does not take the record back; it
may still be appended. Retry with the same `cid` to learn its seq.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

__all__ = [
    "DEDUPE_TTL",
    "PRESENCE_TTL",
    "Appended",
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "Conflict",
    "EventInfo",
    "LiveCallback",
    "Record",
    "RoomInfo",
    "UnknownRoom",
    "new_epoch",
]

DEDUPE_TTL = 24 * 3600.0
"""Seconds a `(pid, cid)` is remembered (docs/protocol.md (Part 2), "The log")."""

PRESENCE_TTL = 30.0
"""Seconds a process's presence set lives unless it is set again."""


def new_epoch() -> str:
    """A fresh random epoch: 16 lowercase hex characters."""
    return secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class Record:
    """One entry of a room's log (docs/protocol.md (Part 2), "The log").

    `data` and `actor` are msgpack-compatible maps; `bytes` values round-trip.
    A record read back equals the one handed to live subscribers.
    """

    seq: int
    ts: float
    type: str
    data: dict[str, Any]
    actor: dict[str, Any] | None
    cid: str | None

    def to_wire(self) -> dict[str, Any]:
        """The record as a plain map: `{seq, ts, type, data, actor, cid}`."""
        return {
            "seq": self.seq,
            "ts": self.ts,
            "type": self.type,
            "data": self.data,
            "actor": self.actor,
            "cid": self.cid,
        }

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> Record:
        """The inverse of `to_wire`; raises ValueError on a malformed map."""
        try:
            seq, ts, type_, data = d["seq"], d["ts"], d["type"], d["data"]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a log record: {exc!r}") from None
        actor, cid = d.get("actor"), d.get("cid")
        if not (isinstance(seq, int) and seq >= 1 and isinstance(type_, str)):
            raise ValueError("not a log record: bad seq or type")
        if not (isinstance(data, dict) and (actor is None or isinstance(actor, dict))):
            raise ValueError("not a log record: data and actor must be maps")
        if cid is not None and not isinstance(cid, str):
            raise ValueError("not a log record: cid must be a string")
        return cls(seq=seq, ts=float(ts), type=type_, data=data, actor=actor, cid=cid)


@dataclass(frozen=True, slots=True)
class Appended:
    """What `append` returns: the record's seq, the log's epoch, and whether
    the append was a repeat of an earlier `(pid, cid)` (nothing was appended)."""

    seq: int
    epoch: str
    duplicate: bool


@dataclass(frozen=True, slots=True)
class RoomInfo:
    """A room in the catalogue. Codes are compared exactly; the server upper-cases."""

    code: str
    title: str
    event_id: str


@dataclass(frozen=True, slots=True)
class EventInfo:
    """A workshop event and its rooms, in the order they were given."""

    event_id: str
    title: str
    timezones: tuple[str, ...]
    languages: tuple[str, ...]
    rooms: tuple[RoomInfo, ...]
    created: float


class BackendError(Exception):
    """Base of every error a backend raises on purpose."""


class BackendUnavailable(BackendError):
    """The backend cannot serve now (disk, database, network, closed); retry.

    Maps to the protocol error code `unavailable`.
    """


class UnknownRoom(BackendError):
    """The room code is not in the catalogue."""


class Conflict(BackendError):
    """The event id or a room code already exists."""


LiveCallback = Callable[[Record, str], None]
"""A live subscriber: called as `callback(record, epoch)` in the event loop thread."""


class Backend(ABC):
    """The one interface the server uses for storage, order and fan-out.

    Lifecycle: `await start()` once, then use, then `await close()` (idempotent).
    `async with backend:` does both. Every method must be called from the event
    loop that ran `start()`.
    """

    dedupe_ttl: float = DEDUPE_TTL
    presence_ttl: float = PRESENCE_TTL

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- lifecycle -----------------------------------------------------------

    @abstractmethod
    async def start(self) -> None:
        """Open storage and connections; raise BackendUnavailable if it cannot."""

    @abstractmethod
    async def close(self) -> None:
        """Finish queued writes, then release everything. Safe to call twice."""

    @abstractmethod
    async def ready(self) -> bool:
        """True when the backend can persist an append now (for /readyz)."""

    # -- the log ---------------------------------------------------------------

    @abstractmethod
    async def append(
        self,
        room: str,
        type: str,
        data: dict[str, Any],
        actor: dict[str, Any] | None,
        cid: str | None,
    ) -> Appended:
        """Append one record to the room's log (guarantees 1-4 above).

        Sets `seq = previous + 1` and `ts = time.time()`. Raises UnknownRoom if
        the room is not in the catalogue, BackendUnavailable if the record could
        not be persisted (then it was not appended), TypeError if `data` or
        `actor` cannot be encoded as msgpack.
        """

    @abstractmethod
    async def head(self, room: str) -> tuple[int, str]:
        """`(last seq, or 0 for an empty log; epoch)`. Raises UnknownRoom."""

    @abstractmethod
    async def read(
        self, room: str, first: int, last: int | None = None, limit: int = 1000
    ) -> list[Record]:
        """Records with `first <= seq <= last` (no upper bound when `last` is
        None), ascending, at most `limit`. An empty range gives `[]`.
        Raises UnknownRoom."""

    async def read_all(self, room: str, first: int = 1, batch: int = 1000) -> AsyncIterator[Record]:
        """Stream records `first..head` (head as of the call), in order, reading
        `batch` at a time so memory stays bounded whatever the log's length."""
        if batch < 1:
            raise ValueError("batch must be >= 1")
        end, _ = await self.head(room)
        nxt = max(first, 1)
        while nxt <= end:
            records = await self.read(room, nxt, end, batch)
            if not records:
                return
            for record in records:
                yield record
            nxt = records[-1].seq + 1

    @abstractmethod
    def subscribe(self, room: str, callback: LiveCallback) -> None:
        """Call `callback(record, epoch)` for every record appended to the room
        from now on. Subscribing the same callback twice has no further effect."""

    @abstractmethod
    def unsubscribe(self, room: str, callback: LiveCallback) -> None:
        """Stop calling `callback` for the room. Unknown callbacks are ignored."""

    # -- snapshots ---------------------------------------------------------------

    @abstractmethod
    async def save_snapshot(self, room: str, seq: int, blob: bytes) -> None:
        """Keep `blob` as the room's state after folding records `1..seq`, unless
        a snapshot with a higher seq is already stored. Raises UnknownRoom."""

    @abstractmethod
    async def load_snapshot(self, room: str) -> tuple[int, bytes] | None:
        """The latest `(seq, blob)`, or None (no snapshot or no such room)."""

    # -- presence ------------------------------------------------------------------

    @abstractmethod
    async def set_presence(self, room: str, process_id: str, members: dict[str, str]) -> None:
        """Replace this process's members of the room (`pid -> org`). An empty map
        removes them. A set not refreshed within `presence_ttl` may expire, so a
        process calls this at least every `presence_ttl / 3` seconds."""

    @abstractmethod
    async def get_presence(self, room: str) -> dict[str, str]:
        """The union of the live processes' members of the room (`pid -> org`)."""

    # -- catalogue -----------------------------------------------------------------

    @abstractmethod
    async def create_event(self, event: EventInfo) -> None:
        """Add the event and its rooms, each with a new empty log and epoch, all
        or nothing. Raises Conflict if the event id or any room code exists,
        ValueError if a room's event_id is not the event's or codes repeat."""

    @abstractmethod
    async def get_event(self, event_id: str) -> EventInfo | None:
        """The event, or None."""

    @abstractmethod
    async def list_events(self) -> list[EventInfo]:
        """Every event, oldest first."""

    @abstractmethod
    async def get_room(self, code: str) -> RoomInfo | None:
        """The room, or None."""

    @abstractmethod
    async def list_rooms(self) -> list[RoomInfo]:
        """Every room, by event (oldest first), then in the event's order."""

    @abstractmethod
    async def get_secret(self) -> bytes:
        """The server secret for signing keys and tokens (at least 32 bytes),
        the same for every process and across restarts."""

    @staticmethod
    def check_event(event: EventInfo) -> None:
        """Raise ValueError unless the event's rooms belong to it and are distinct."""
        codes = [r.code for r in event.rooms]
        if len(set(codes)) != len(codes):
            raise ValueError("room codes repeat within the event")
        if any(r.event_id != event.event_id for r in event.rooms):
            raise ValueError("a room's event_id is not the event's")
