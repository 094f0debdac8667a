"""One room's live feed on the Redis backend: exactly once, in order, from pub/sub + stream.

Pub/sub is at-most-once; the room's stream is the truth (issue 3). So each feed keeps
the last seq it handed to its subscribers (`delivered`) and the epoch it came from:

- a live message with `seq == delivered + 1` of the same epoch is delivered at once;
- anything else (a gap, a new epoch, a message while the feed is not live) is kept
  aside, and the feed *syncs*: it reads the head, reads `delivered+1 .. head` from the
  stream (with the epoch, atomically), delivers, then delivers what was kept aside;
- after the connection drops (`redis_listener` reconnects), the feed is not live until
  Redis confirms its channel again, and that confirmation starts a sync.

So every subscriber gets every record exactly once, in seq order (base.py, guarantee 4).
A feed's first sync fixes its baseline (the head when it started): the backend makes
`append`, `head` and `read` of the room wait for it, so "from now on" means the same
thing everywhere (guarantee 5).

A new epoch (a lost or rewound log, guarantee 6): the old epoch is retired (its late
messages are dropped) and the feed starts over at `delivered = 0`, so its subscribers
are handed the new life's log from seq 1.

Messages that do not decode are dropped and counted (`stats["garbage"]`). So are records
without a valid MAC (`redis_keys.live_mac`) or with a nonce seen before: anyone who can
reach Redis can PUBLISH, and only the stream is the log. They are also counted as
`stats["forged"]`, and the feed syncs from the stream instead, so what it hands out is
always what the log holds at that seq. A subscriber that raises is logged and ignored.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from .base import LiveCallback, Position, Record, UnknownRoom
from .redis_keys import Live, decode_live, live_mac, room_keys

log = logging.getLogger(__name__)

MAX_BUFFER = 10_000  # messages kept aside per room while it syncs; past it, the stream is read
GARBAGE_LOG_EVERY = 100  # log the first undecodable message, then one in this many
READ_BATCH = 1000  # records per stream read while catching up
NONCE_MEMORY = 4096  # nonces of authentic messages remembered per room, to refuse replays

Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]


class LogSource(Protocol):
    """What a feed reads from: the backend, without waiting for feeds."""

    async def head_now(self, room: str) -> Position:
        """The head, starting a new log life if the log is gone; UnknownRoom."""
        ...

    async def read_with_epoch(
        self, room: str, first: int, last: int, limit: int
    ) -> tuple[str | None, list[Record]]:
        """The epoch and records `first..last`, read atomically."""
        ...

    async def fence(self, room: str, epoch: str) -> str:
        """Give the log a new epoch unless it has moved on from `epoch`; the epoch now."""
        ...


class RoomFeed:
    """One room's subscribers, how far they have been served, and catching them up.

    `slots` bounds how many feeds sync at once (after a reconnect every room does);
    `spawn` starts a task the listener cancels at close."""

    def __init__(
        self,
        room: str,
        source: LogSource,
        stats: Counter[str],
        slots: asyncio.Semaphore,
        spawn: Spawn,
        max_backoff: float,
        *,
        live_keys: tuple[bytes, ...],
    ) -> None:
        self.room = room
        self._live_keys = live_keys  # the current secret's, then retired ones' (a rotation)
        self._nonces: dict[bytes, None] = {}  # oldest first
        self.channel = room_keys(room).channel
        self.callbacks: dict[LiveCallback, None] = {}
        self.life_watchers: dict[Callable[[str], None], None] = {}  # told of a new epoch
        self.checked_seq = -1  # the head the previous position check saw, in this epoch
        self.epoch: str | None = None
        self.delivered = -1  # last seq handed to the callbacks; -1 until the baseline
        self.synced_to = -1  # last seq a sync took from the stream (its pub/sub copy may follow)
        self.subscribed = False  # Redis confirmed the channel on the current connection
        self.live = False  # messages may be delivered straight from pub/sub
        # How far behind (GET /metrics): the highest seq of this epoch known to be in the
        # log, and since when the feed has not been live (None while it is, or before its
        # first baseline).
        self.head_seen = -1
        self.behind_since: float | None = None
        self.ready = asyncio.Event()  # the baseline is known (or the feed is gone)
        self.kept: list[tuple[int, int, str, Record]] = []  # (tick, seq, epoch, record)
        self.tick = 0
        self.retired: set[str] = set()  # epochs of lost log lives
        self.sync_task: asyncio.Task[None] | None = None
        self.again = False  # another sync round is wanted
        self.closed = False
        self._source = source
        self._stats = stats
        self._slots = slots
        self._spawn = spawn
        self._max_backoff = max_backoff

    # -- what the listener tells the feed ----------------------------------------------

    def on_subscribed(self) -> None:
        """Redis confirmed the channel: catch up what was published before."""
        self.subscribed = True
        self.request_sync()

    def on_unsubscribed(self) -> None:
        """The channel is not subscribed (an UNSUBSCRIBE of an earlier feed of this room
        was confirmed, or the connection dropped): messages may be missed until the next
        confirmation, whose sync fills them in."""
        self.subscribed = self.live = False
        self._fell_behind()

    def on_message(self, payload: Any) -> None:
        """A message on the room's channel."""
        try:
            live = decode_live(payload)
        except ValueError as exc:
            self._garbage(str(exc))
            return
        if live.record is None:  # an import's new head: read it from the stream
            if live.epoch != self.epoch or live.seq > self.delivered:
                self.request_sync()
            return
        if not self._authentic(live):
            return
        seq, epoch, record = live.seq, live.epoch, live.record
        if self.live and epoch == self.epoch:
            if seq == self.delivered + 1:
                self._deliver(record, epoch)
                return
            if seq <= self.delivered:
                # The late pub/sub copy of a record a sync read from the stream, or, past
                # that, a seq given twice: the log was rewound (a failover, an old copy
                # restored). A sync finds out.
                self._stats["duplicates"] += 1
                if seq > self.synced_to:
                    self.request_sync()
                return
        if epoch in self.retired:
            return
        if seq > self.delivered + 1 and self.live:
            self._stats["gaps"] += 1
        if epoch == self.epoch and seq > self.head_seen:
            self.head_seen = seq
        self._fell_behind()
        self.kept.append((self.tick, seq, epoch, record))
        self.tick += 1
        if len(self.kept) > MAX_BUFFER:
            self.kept.clear()  # the stream has them all; the sync reads them from there
            self._stats["overflows"] += 1
        self.live = False
        if self.sync_task is None or self.sync_task.done():
            self.request_sync()  # a running sync drains what is kept when it ends

    def position_mark(self) -> tuple[str | None, int]:
        """The epoch and last delivered seq when the position check asks for the head:
        what `position_stale` judges the head against."""
        return self.epoch, self.delivered

    def position_stale(self, epoch: str | None, seq: int, mark: tuple[str | None, int]) -> bool:
        """Whether the log's head `(epoch, seq)`, read by the position check, says this
        feed is behind: the log has no epoch or another one (lost, or a new life), it went
        back, or it held a seq at the previous check that is still not delivered (pub/sub
        lost it; a seq only just appended may still be on its way, so it gets one round).

        "Went back" is judged against `mark` (`position_mark()`, taken when the head was
        asked for), not against what is delivered now: pub/sub, on its own connection,
        may deliver records appended after the head was read before the head's reply is
        handled (issue 31: a healthy log was taken for a rewound one and fenced)."""
        if self.delivered < 0 or self.epoch is None:
            return False  # no baseline yet: the first sync is running
        if epoch != self.epoch:
            self.checked_seq = -1
            return True
        behind = self.checked_seq > self.delivered
        self.checked_seq = seq
        self.head_seen = max(self.head_seen, seq)
        mark_epoch, mark_delivered = mark
        return behind or (mark_epoch == epoch and seq < mark_delivered)

    def _authentic(self, live: Live) -> bool:
        """Whether a live record was published by a server process, and only once: a
        valid MAC, and a nonce not seen before. Otherwise it is dropped, counted, and
        the feed reads the stream, which is the log, instead."""
        macs = (live_mac(key, self.channel, live.nonce, live.body) for key in self._live_keys)
        if not any(hmac.compare_digest(mac, live.mac) for mac in macs):
            self._forged("no valid MAC")
            return False
        if live.nonce in self._nonces:
            self._forged("a replayed nonce")
            return False
        self._nonces[live.nonce] = None
        if len(self._nonces) > NONCE_MEMORY:
            del self._nonces[next(iter(self._nonces))]
        return True

    def _forged(self, why: str) -> None:
        self._stats["forged"] += 1
        self._stats["garbage"] += 1
        if self._stats["forged"] % GARBAGE_LOG_EVERY == 1:
            log.warning(
                "dropped an unauthenticated record on room %s's channel (%s); %d so far",
                self.room,
                why,
                self._stats["forged"],
            )
        self.request_sync()

    def _fell_behind(self) -> None:
        if self.behind_since is None and self.delivered >= 0:
            self.behind_since = time.monotonic()

    def lag(self, now: float) -> tuple[int, float]:
        """How far behind the feed is now: seqs known to be in the log and not yet
        delivered, and seconds since it was last live (GET /metrics)."""
        records = max(0, self.head_seen - self.delivered) if self.delivered >= 0 else 0
        since = self.behind_since
        return records, (0.0 if since is None else now - since)

    def gone(self) -> bool:
        """Whether the feed was closed (checked again after every await)."""
        return self.closed

    def close(self) -> None:
        """The last subscriber left (or the backend closes): stop, deliver nothing more."""
        self.closed = True
        self.ready.set()  # nobody waits for a feed that is gone
        if self.sync_task is not None:
            self.sync_task.cancel()

    # -- delivery ----------------------------------------------------------------------

    def _deliver(self, record: Record, epoch: str) -> None:
        self.delivered = record.seq
        self._stats["delivered"] += 1
        for callback in tuple(self.callbacks):
            try:
                callback(record, epoch)
            except Exception:
                log.exception("a live subscriber of room %s failed", self.room)

    def _garbage(self, why: str) -> None:
        self._stats["garbage"] += 1
        if self._stats["garbage"] % GARBAGE_LOG_EVERY == 1:
            log.warning(
                "dropped an undecodable message on room %s's channel (%s); %d so far",
                self.room,
                why,
                self._stats["garbage"],
            )

    # -- syncing from the stream ---------------------------------------------------------

    def request_sync(self) -> None:
        """Start a sync, or ask the running one for another round."""
        if self.closed:
            return
        if self.sync_task is not None and not self.sync_task.done():
            self.again = True
            return
        self.sync_task = self._spawn(self._sync())

    async def _sync(self) -> None:
        """Rounds of fill-then-drain until the feed is contiguous and live."""
        delay, warned = 0.05, False
        while not self.gone():
            self.again = False
            try:
                async with self._slots:
                    await self._fill()
            except asyncio.CancelledError:
                raise
            except UnknownRoom:
                # No such room (yet): start from nothing, so a room made later is served
                # from its first record (its epoch will differ from None).
                if self.delivered < 0:
                    self.delivered = 0
                self.ready.set()
                return
            except Exception as exc:
                self._stats["sync_errors"] += 1
                if delay >= 1.0 and not warned:
                    log.warning("room %s: catching up failed (%s); retrying", self.room, exc)
                    warned = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_backoff)
                continue
            if self._drain() and not self.again:
                self.live = self.subscribed
                if self.live:
                    self.behind_since = None
                return

    async def _fill(self) -> None:
        """Read the head, then deliver `delivered+1 .. head` from the stream."""
        mark = self.tick
        # What was delivered before the head is asked for: the head cannot be behind it
        # unless the log went back. Records delivered while the head's reply is on its way
        # (the feed may be live: a position check's sync, a late duplicate's) may be past
        # the head it returns (issue 31: that was taken for a rewind and fenced).
        asked_epoch, asked_delivered = self.epoch, self.delivered
        head = await self._source.head_now(self.room)
        if self.gone():
            return
        epoch = head.epoch
        if epoch == self.epoch == asked_epoch and head.seq < asked_delivered:
            log.warning(
                "room %s: the log went back from seq %d to %d (failover or restore);"
                " starting a new epoch",
                self.room,
                asked_delivered,
                head.seq,
            )
            self._stats["rewinds"] += 1
            epoch = await self._source.fence(self.room, epoch)
            if self.gone():
                return
        if self.delivered < 0:
            self.epoch, self.delivered = epoch, head.seq
            self.synced_to = head.seq
            self.ready.set()
        elif epoch != self.epoch:
            if self.epoch is not None:
                log.warning(
                    "room %s: log epoch changed %s -> %s (Redis lost data)",
                    self.room,
                    self.epoch,
                    epoch,
                )
                self.retired.add(self.epoch)
                self._stats["epoch_changes"] += 1
            self.epoch, self.delivered, self.synced_to = epoch, 0, 0
            for watcher in tuple(self.life_watchers):
                try:
                    watcher(epoch)
                except Exception:
                    log.exception("a new-life watcher of room %s failed", self.room)
        self._drop_stale(mark, epoch, head.seq)
        # The head as read, or a later seq kept since: not a seq a message only claimed.
        later = [seq for _, seq, msg_epoch, _ in self.kept if msg_epoch == epoch]
        self.head_seen = max([head.seq, *later])
        await self._catch_up(head.seq)

    def _drop_stale(self, mark: int, epoch: str, head: int) -> None:
        """Kept messages received before the head was read are at most the head, or they
        never came from this log: drop those."""
        kept = []
        for item in self.kept:
            tick, seq, msg_epoch, _ = item
            if tick < mark and msg_epoch == epoch and seq > head:
                self._garbage(f"seq {seq} is past the head {head}")
            elif tick < mark and msg_epoch != epoch:
                self._stats["stale"] += 1
            else:
                kept.append(item)
        self.kept = kept

    async def _catch_up(self, head: int) -> None:
        """Deliver `delivered+1 .. head` from the stream, if it is still this epoch's."""
        while self.delivered < head and not self.gone():
            first = self.delivered + 1
            read_epoch, records = await self._source.read_with_epoch(
                self.room, first, head, READ_BATCH
            )
            if self.gone():
                return
            if read_epoch is None or read_epoch != self.epoch:
                self.again = True  # the log changed life meanwhile: go round
                return
            if not records:
                log.error("room %s: the stream lacks seqs %d..%d", self.room, first, head)
                self.delivered = head
                return
            self._stats["caught_up"] += len(records)
            for record in records:
                if self.gone():
                    return
                if record.seq <= self.delivered:
                    continue
                if record.seq > self.delivered + 1:
                    log.error("room %s: the stream lacks seq %d", self.room, self.delivered + 1)
                self._deliver(record, read_epoch)
                self.synced_to = record.seq

    def _drain(self) -> bool:
        """Deliver the kept messages that follow on; True when nothing is left waiting."""
        if not self.kept:
            return True
        waiting = []
        for item in sorted(self.kept, key=lambda item: item[1]):
            _, seq, epoch, record = item
            if epoch in self.retired or (epoch == self.epoch and seq <= self.delivered):
                continue
            if epoch == self.epoch and seq == self.delivered + 1:
                self._deliver(record, epoch)
            else:
                waiting.append(item)
        self.kept = waiting
        return not waiting
