"""The backend interface, split by concern: the room log, the presence board, the catalogue.

A backend is where a room's order is decided and kept. The server folds what a
backend hands it; it never decides order itself (DESIGN.md §1-3). Like centrifuge's
broker (STYLE.md), the interface comes in three parts, so a consumer types against
the narrow one it uses:

- `RoomLog`: append, read, tail live, import, snapshots (guarantees 1-7 below);
- `PresenceBoard`: who is in a room, per server process, with a time to live;
- `Catalogue`: workshop events, their rooms, and the server secret;

and `Backend` is the three plus a lifecycle (`start`, `close`, `ready`, `async with`).
Two implementations share it and one contract test suite (`tests/backends/`):
`embedded` (one process, SQLite) and `redis` (many processes).
Consumers import from here: `from server.backends.base import RoomLog, Position`.
"""

from __future__ import annotations

import math
import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple, Self

from .event_info import EventInfo, RoomInfo

__all__ = [
    "DEDUPE_TTL",
    "PRESENCE_TTL",
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "Catalogue",
    "Conflict",
    "EventInfo",
    "LiveCallback",
    "LogNotEmpty",
    "Position",
    "PresenceBoard",
    "Record",
    "RoomInfo",
    "RoomLog",
    "SavedSnapshot",
    "UnknownRoom",
    "checked_import",
    "desk_code",
    "desk_event",
    "new_epoch",
]

DEDUPE_TTL = 24 * 3600.0
"""Seconds a `(pid, cid)` is remembered (docs/protocol.md (Part 2), "The log")."""

PRESENCE_TTL = 20.0
"""Seconds a process's presence set lives unless it is set again: with a read every
`PRESENCE_TTL / 4`, a dead process's members are dropped within 25 s (issue 12: 30 s)."""


DESK_PREFIX = "~"
"""Starts the code of an event's desk log; never the first character of a room code."""


def desk_code(event_id: str) -> str:
    """The code of the event's desk log (issue 15): the staff book and, later, the
    programme's changes, with every guarantee of a room's log (`RoomLog`). It is made with
    the event and is never listed as a room; a client cannot join it (room codes are
    letters, digits and hyphens)."""
    return DESK_PREFIX + event_id


def desk_event(code: str) -> str | None:
    """The event a desk log's code belongs to, or None for a room's code."""
    return code[len(DESK_PREFIX) :] if code.startswith(DESK_PREFIX) else None


def new_epoch() -> str:
    """A fresh random epoch: 16 lowercase hex characters."""
    return secrets.token_hex(8)


# -- values ----------------------------------------------------------------------------


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
class Position:
    """A place in one life of a room's log: `seq` (0 for an empty log) of `epoch`.

    What `head` and `append` return, and what a client resumes from. Seqs of
    different epochs belong to different logs and are never compared.
    """

    seq: int
    epoch: str


class SavedSnapshot(NamedTuple):
    """A room's stored state: `blob` is the fold of records `1..seq`."""

    seq: int
    blob: bytes


# -- errors ------------------------------------------------------------------------------


class BackendError(Exception):
    """Base of every error a backend raises on purpose."""


class BackendUnavailable(BackendError):
    """The backend cannot serve now (disk, database, network, closed); retry.

    Maps to the protocol error code `unavailable`.
    """


class UnknownRoom(BackendError):
    """The room code is not in the catalogue."""


class Conflict(BackendError):
    """What was to be created exists already: an event id, a room code, a log."""


class LogNotEmpty(Conflict):
    """`import_log` needs an empty room log, and this one has records."""


LiveCallback = Callable[[Record, str], None]
"""A live subscriber: called as `callback(record, epoch)` in the event loop thread."""


# -- the room log ----------------------------------------------------------------------------


class RoomLog(ABC):
    """Each room's log: one append-only, totally ordered sequence of records.

    Guarantees every backend gives (the contract suite checks each one):

    1. **Order.** A room's log is gapless and totally ordered: `append` assigns
       `seq = previous + 1`, starting at 1, whatever the concurrency.
    2. **Durability.** `append` returns only once the record is persisted: it is
       in the log and survives the process being killed (`kill -9`). A backend
       that cannot persist raises `BackendUnavailable`, never a false success.
    3. **Idempotency.** `(actor["pid"], cid)` is remembered per room for
       `dedupe_ttl` (24 h): a repeat appends nothing and returns the first
       record's Position. A record whose `cid` or `actor` (or `actor["pid"]`) is
       None is never deduped.
    4. **Live tail.** Every subscriber of a room is called once with each record of
       the room's log appended after it subscribed, in seq order, once persisted, from
       the event loop thread: per epoch never a seq twice, never one skipped, whatever
       the concurrency of appends and (Redis) whatever befalls the pub/sub connection.
       Repeats (3) are not records and are not handed out. A subscriber that raises is
       logged and ignored; it disturbs neither other subscribers nor the backend.
    5. **Subscribe, then read.** A subscriber registered before a `head` call is
       handed every record past the seq that `head` returns; one registered before a
       `read` without `last` (not cut short by `limit`), every record past those the
       read returns. The two may overlap: callers drop seqs they have, per epoch.
    6. **Epoch.** Each room's log carries a random epoch (16 hex characters), made
       with the log and stable across restarts; a client resumes with a `Position`,
       and a different epoch means "not the log you knew". The embedded log never
       changes epoch. A Redis log that was lost (Redis lost its data) or rewound (a
       failover lost records it had served) starts a new life with a new epoch when
       a process first touches it. Its subscribers are then handed that life's log
       FROM SEQ 1, each record with the new epoch (nothing for a wiped log, what
       survived of a rewound one, then new appends), and never again a record of the
       old epoch: to a subscriber, a record whose epoch differs from the previous
       one's is seq 1 of a new log (drop the state folded so far). Records of the old
       life not yet handed out are gone. While the new log is empty no record is
       handed out; `watch_life` (and `head`) tell of the new life at once.
    Each event also has a **desk log**, `desk_code(event_id)`, with all of these
    guarantees: made with the event (for an event stored before desks existed, when a
    process first touches it), read and appended like a room's, never listed as a room.

    7. **Snapshots.** One per room; a save whose seq is lower than the stored one is
       ignored, so the latest state wins. A Redis snapshot belongs to the epoch it
       was folded from and is not loaded in another.

    Cancellation: cancelling a caller of `append` does not take the record back; it
    may still be appended. Retry with the same `cid` to learn its seq.
    Every method must be called from the event loop that started the backend.
    """

    dedupe_ttl: float = DEDUPE_TTL

    @abstractmethod
    async def append(
        self,
        room: str,
        type: str,
        data: dict[str, Any],
        actor: dict[str, Any] | None,
        cid: str | None,
    ) -> Position:
        """Append one record to the room's log (guarantees 1-4): its Position.

        Sets `seq = previous + 1` and `ts` to the time of the append. A repeat of a
        remembered `(pid, cid)` appends nothing and returns the first record's
        Position. Raises UnknownRoom if the room is not in the catalogue,
        BackendUnavailable if the record could not be persisted (then it was not
        appended), TypeError if `data` or `actor` cannot be encoded as msgpack.
        """

    @abstractmethod
    async def head(self, room: str) -> Position:
        """The last seq (0 for an empty log) and the epoch. Raises UnknownRoom."""

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
        async for records in self.read_batches(room, first, batch):
            for record in records:
                yield record

    async def read_batches(
        self, room: str, first: int = 1, batch: int = 1000
    ) -> AsyncIterator[list[Record]]:
        """`read_all` a batch at a time: one await per batch rather than per record, for
        readers that go through the whole log (a transcript export, issue 17)."""
        if batch < 1:
            raise ValueError("batch must be >= 1")
        end = (await self.head(room)).seq
        nxt = max(first, 1)
        while nxt <= end:
            records = await self.read(room, nxt, end, batch)
            if not records:
                return
            yield records
            nxt = records[-1].seq + 1

    @abstractmethod
    async def import_log(self, room: str, records: Iterable[Record]) -> Position:
        """Fill an EMPTY room log with already-numbered records (a transcript), all or
        nothing, keeping each record's seq, ts, type, data, actor and cid, and the
        log's epoch; returns the new head. The records are consumed on the event loop.

        `records` must be seq 1, 2, ... n in order (`checked_import`), else ValueError.
        LogNotEmpty if the log has a record (also when an append lands during the
        import), UnknownRoom, BackendUnavailable, TypeError for what msgpack cannot
        encode; after any error, also one raised by the iterable, nothing is written.
        Imported `(pid, cid)` pairs are remembered as if appended at their `ts` (until
        `ts + dedupe_ttl`). Subscribers are handed imported records like appended ones.
        """

    @abstractmethod
    def subscribe(self, room: str, callback: LiveCallback) -> None:
        """Call `callback(record, epoch)` for every record appended to the room
        from now on (guarantees 4-6). Subscribing the same callback twice has no
        further effect."""

    @abstractmethod
    def unsubscribe(self, room: str, callback: LiveCallback) -> None:
        """Stop calling `callback` for the room. Unknown callbacks are ignored."""

    @abstractmethod
    def watch_life(self, room: str, callback: Callable[[str], None]) -> None:
        """While the room has a subscriber, call `callback(epoch)` as soon as its feed
        moves to a new log life (guarantee 6), before any record of it, and also when
        that life has no record yet (a wiped log nobody wrote to again): a subscriber
        otherwise learns of it only from the next record. The embedded log never
        changes epoch: its watchers are never called."""

    @abstractmethod
    def unwatch_life(self, room: str, callback: Callable[[str], None]) -> None:
        """Stop calling `callback`; unknown callbacks are ignored."""

    @abstractmethod
    async def save_snapshot(self, room: str, seq: int, blob: bytes) -> None:
        """Keep `blob` as the room's state after folding records `1..seq`, unless
        a snapshot with a higher seq is already stored. Raises UnknownRoom."""

    @abstractmethod
    async def load_snapshot(self, room: str) -> SavedSnapshot | None:
        """The latest snapshot, or None (no snapshot or no such room)."""


def checked_import(records: Iterable[Record]) -> Iterator[Record]:
    """`records` as they pass, checked for `import_log`: seq 1, 2, ... in order, finite
    `ts`. Raises ValueError at the first record that breaks the rule."""
    expected = 1
    for record in records:
        if record.seq != expected:
            raise ValueError(f"import: seq {record.seq} where {expected} was expected")
        if not math.isfinite(record.ts):
            raise ValueError(f"import: seq {record.seq} has no finite ts")
        expected += 1
        yield record


# -- presence ------------------------------------------------------------------------------


class PresenceBoard(ABC):
    """Who is in each room: every server process posts its own members of the room.

    Guarantees: `get_presence` is the union of the sets posted by the processes
    that refreshed theirs within `presence_ttl`; a set not refreshed in time may
    expire (a process that died stops counting without saying goodbye). A process
    that watches a room is told soon after another process changed its set there
    (`watch_presence`), so no one has to poll for changes.
    """

    presence_ttl: float = PRESENCE_TTL

    @abstractmethod
    async def set_presence(self, room: str, process_id: str, members: dict[str, str]) -> None:
        """Replace this process's members of the room (`pid -> org`). An empty map
        removes them. A set not refreshed within `presence_ttl` may expire, so a
        process calls this at least every `presence_ttl / 3` seconds. A set that
        differs from the one this process posted last is announced to the room's
        watchers (`watch_presence`)."""

    @abstractmethod
    async def get_presence(self, room: str) -> dict[str, str]:
        """The union of the live processes' members of the room (`pid -> org`)."""

    @abstractmethod
    def watch_presence(self, room: str, callback: Callable[[str], None]) -> None:
        """Call `callback(process_id)` soon after a process changed its set of the room,
        and `callback("")` when changes may have been missed (a reconnect). A hint, not
        data: the watcher reads `get_presence`. Hints can be lost or, on a shared Redis,
        forged, so a watcher still reads now and then. One process (the embedded
        backend) has no one else to hear from."""

    @abstractmethod
    def unwatch_presence(self, room: str, callback: Callable[[str], None]) -> None:
        """Stop calling `callback` for the room."""


# -- the catalogue ------------------------------------------------------------------------------


class Catalogue(ABC):
    """Workshop events and their rooms, and the server's signing secret.

    Guarantees: an event is added with all its rooms or not at all, each room with
    a new empty log and epoch; an event changes only as a whole (`change_event`), and
    its rooms are never removed nor moved to another event; room codes are compared
    exactly; the secret is the same for every process and across restarts.
    """

    @abstractmethod
    async def create_event(self, event: EventInfo) -> None:
        """Add the event and its rooms, each with a new empty log and epoch, all
        or nothing. Raises Conflict if the event id or any room code exists,
        ValueError if a room's event_id is not the event's or codes repeat."""

    @abstractmethod
    async def change_event(
        self, event_id: str, change: Callable[[EventInfo], EventInfo]
    ) -> EventInfo:
        """Replace the event by `change(event)` in one atomic step, and return it: its
        titles, the rooms' titles, slots, order and archived flags; each room `change`
        adds gets a new empty log and epoch (an organiser's programme, issue 15). `change`
        is pure and may run more than once. Raises LookupError if there is no such event,
        Conflict if an added room's code exists, ValueError (`check_change`) if it drops
        a room or changes the event's id."""

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
    def check_change(old: EventInfo, new: EventInfo) -> list[RoomInfo]:
        """The rooms `new` adds to `old`; ValueError if it is not a change of `old` that a
        catalogue keeps: the same event, every room still there (rooms are archived, never
        removed: their logs stay readable), rooms distinct and of this event."""
        Catalogue.check_event(new)
        if new.event_id != old.event_id or new.created != old.created:
            raise ValueError("a change keeps the event's id and creation time")
        codes = {r.code for r in new.rooms}
        if any(r.code not in codes for r in old.rooms):
            raise ValueError("a room cannot be removed, only archived")
        known = {r.code for r in old.rooms}
        return [r for r in new.rooms if r.code not in known]

    @staticmethod
    def check_event(event: EventInfo) -> None:
        """Raise ValueError unless the event's rooms belong to it and are distinct."""
        codes = [r.code for r in event.rooms]
        if len(set(codes)) != len(codes):
            raise ValueError("room codes repeat within the event")
        if any(r.event_id != event.event_id for r in event.rooms):
            raise ValueError("a room's event_id is not the event's")


# -- the whole backend -----------------------------------------------------------------------


class Backend(RoomLog, PresenceBoard, Catalogue):
    """The room log, the presence board and the catalogue of one storage, with a
    lifecycle: `await start()` once, then use, then `await close()` (idempotent);
    `async with backend:` does both. Every method must be called from the event
    loop that ran `start()`.
    """

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

    @abstractmethod
    async def start(self) -> None:
        """Open storage and connections; raise BackendUnavailable if it cannot."""

    @abstractmethod
    async def close(self) -> None:
        """Finish queued writes, then release everything. Safe to call twice."""

    @abstractmethod
    async def ready(self) -> bool:
        """True when the backend can persist an append now (for /readyz)."""
