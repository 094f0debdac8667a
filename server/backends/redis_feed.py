"""The Redis backend's live tail: one pub/sub connection per process, one feed per room.

Pub/sub is at-most-once; the room's stream is the truth (issue 3). So each feed keeps
the last seq it handed to its subscribers (`delivered`) and the epoch it came from:

- a live message with `seq == delivered + 1` of the same epoch is delivered at once;
- anything else (a gap, a new epoch, a message while the feed is not live) is kept
  aside, and the feed *syncs*: it reads the head, reads `delivered+1 .. head` from the
  stream (with the epoch, atomically), delivers, then delivers what was kept aside;
- after the connection drops, the listener reconnects with backoff, forever,
  re-subscribes every room, and each room syncs (its `subscribe` confirmation asks for it).

So every subscriber gets every record exactly once, in seq order. A feed's first sync
fixes its baseline (the head when it started): the backend makes `append`, `head` and
`read` of the room wait for it, so "from now on" means the same thing everywhere.

Messages that do not decode are dropped and counted (`stats["garbage"]`); a subscriber
that raises is logged and ignored. The listener never ends on its own: a supervisor loop
catches everything, logs, counts (`stats["pubsub_reconnects"]`) and starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.exceptions import RedisError

from .base import BackendUnavailable, LiveCallback, Record, UnknownRoom
from .redis_keys import decode_live, room_keys

log = logging.getLogger(__name__)

MAX_BUFFER = 10_000  # messages kept aside per room while it syncs; past it, the stream is read
GARBAGE_LOG_EVERY = 100  # log the first undecodable message, then one in this many
SYNC_CONCURRENCY = 16  # rooms syncing at once after a reconnect (bounds Redis connections)


class LogSource(Protocol):
    """What a feed reads from: the backend, without waiting for feeds."""

    async def head_now(self, room: str) -> tuple[int, str]:
        """`(seq, epoch)`, starting a new log life if the log is gone; UnknownRoom."""
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
    """One room's subscribers and how far they have been served."""

    def __init__(self, room: str) -> None:
        self.room = room
        self.channel = room_keys(room).channel
        self.callbacks: dict[LiveCallback, None] = {}
        self.epoch: str | None = None
        self.delivered = -1  # last seq handed to the callbacks; -1 until the baseline
        self.synced_to = -1  # last seq a sync took from the stream (its pub/sub copy may follow)
        self.subscribed = False  # Redis confirmed the channel on the current connection
        self.live = False  # messages may be delivered straight from pub/sub
        self.ready = asyncio.Event()  # the baseline is known (or the feed is gone)
        self.kept: list[tuple[int, int, str, Record]] = []  # (tick, seq, epoch, record)
        self.tick = 0
        self.retired: set[str] = set()  # epochs of lost log lives
        self.sync_task: asyncio.Task[None] | None = None
        self.again = False  # another sync round is wanted
        self.closed = False


class Listener:
    """The pub/sub connection, its supervisor, and the rooms' feeds."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[Any]],
        source: LogSource,
        stats: Counter[str],
        *,
        ping_every: float = 5.0,
        max_backoff: float = 5.0,
    ) -> None:
        self.feeds: dict[str, RoomFeed] = {}
        self._by_channel: dict[bytes, RoomFeed] = {}
        self._connect = connect
        self._source = source
        self.stats = stats
        self.ping_every = ping_every
        self.max_backoff = max_backoff
        self.connected = asyncio.Event()
        self._conn: Any = None
        self._send_lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(SYNC_CONCURRENCY)
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = False

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the supervised listener task."""
        self._task = asyncio.get_running_loop().create_task(
            self._supervise(), name="workshop-redis-pubsub"
        )
        self._task.add_done_callback(self._ended)

    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    async def close(self) -> None:
        self._closing = True
        for feed in self.feeds.values():
            self._drop(feed)
        self.feeds.clear()
        self._by_channel.clear()
        # Cancel until done: on Python 3.11 a cancellation that lands as an inner
        # wait_for completes is swallowed (redis-py's connect uses wait_for).
        pending = {t for t in (self._task, *self._tasks) if t is not None and not t.done()}
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=0.1)
        await self._disconnect()

    def _ended(self, task: asyncio.Task[None]) -> None:
        """Belt and braces: the supervisor loop catches everything, but should it ever
        end while the backend runs, say so loudly and start it again."""
        if self._closing or task.cancelled():
            return
        log.error("the Redis pub/sub listener ended (%r); restarting it", task.exception())
        self.stats["listener_restarts"] += 1
        self.start()

    # -- subscriptions -----------------------------------------------------------------

    def subscribe(self, room: str, callback: LiveCallback) -> None:
        feed = self.feeds.get(room)
        if feed is None:
            feed = RoomFeed(room)
            self.feeds[room] = feed
            self._by_channel[feed.channel] = feed
            self._spawn(self._send("SUBSCRIBE", feed.channel))
            self._request_sync(feed)  # the baseline need not wait for the confirmation
        feed.callbacks[callback] = None

    def unsubscribe(self, room: str, callback: LiveCallback) -> None:
        feed = self.feeds.get(room)
        if feed is None:
            return
        feed.callbacks.pop(callback, None)
        if not feed.callbacks:
            del self.feeds[room]
            del self._by_channel[feed.channel]
            self._drop(feed)
            self._spawn(self._send("UNSUBSCRIBE", feed.channel))

    async def wait_ready(self, room: str, within: float) -> None:
        """Wait until the room's feed (if any) knows where it starts."""
        feed = self.feeds.get(room)
        if feed is None or feed.ready.is_set():
            return
        try:
            async with asyncio.timeout(within):
                await feed.ready.wait()
        except TimeoutError:
            raise BackendUnavailable(f"the live feed of room {room} could not start") from None

    def _drop(self, feed: RoomFeed) -> None:
        feed.closed = True
        feed.ready.set()  # nobody waits for a feed that is gone
        if feed.sync_task is not None:
            feed.sync_task.cancel()

    # -- the connection ------------------------------------------------------------------

    async def _supervise(self) -> None:
        """Keep one pub/sub connection up, forever, with jittered backoff between tries."""
        failures = 0
        had_connection = False
        while not self._closing:
            try:
                conn = await self._connect()
                if self._closing:
                    await conn.disconnect()
                    return
                self._conn = conn
                if had_connection:
                    self.stats["pubsub_reconnects"] += 1
                    log.warning("Redis pub/sub reconnected; catching every room up")
                had_connection, failures = True, 0
                await self._listen(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection errors, and bugs: never die silently
                failures += 1
                self.stats["pubsub_errors"] += 1
                if failures == 1:
                    log.warning("Redis pub/sub connection lost (%s); reconnecting", exc)
                elif failures % 20 == 0:
                    log.warning("Redis pub/sub still unreachable after %d tries: %s", failures, exc)
                if not isinstance(exc, RedisError | OSError):
                    log.exception("unexpected error in the Redis pub/sub listener")
            finally:
                await self._disconnect()
            if self._closing:
                return
            ceiling = min(self.max_backoff, 0.05 * 2 ** min(failures, 10))
            await asyncio.sleep(ceiling / 2 + random.random() * ceiling / 2)

    async def _listen(self, conn: Any) -> None:
        """Subscribe every room, then read until the connection fails."""
        channels = [feed.channel for feed in self.feeds.values()]
        for i in range(0, len(channels), 500):
            await self._send("SUBSCRIBE", *channels[i : i + 500], raising=True)
        if not channels:
            await self._send("PING", raising=True)
        self.connected.set()
        waiting_pong = False
        while True:
            message = await conn.read_response(timeout=self.ping_every)
            if message is None:  # quiet for ping_every: is the server still there?
                if waiting_pong:
                    raise TimeoutError("no answer to PING on the pub/sub connection")
                await self._send("PING", raising=True)
                waiting_pong = True
                continue
            waiting_pong = False
            self._handle(message)

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        self.connected.clear()
        for feed in self.feeds.values():
            feed.subscribed = feed.live = False
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.disconnect()

    async def _send(self, *args: Any, raising: bool = False) -> None:
        """Send one command on the pub/sub connection (in call order); replies are read
        by `_listen`. Without a connection there is nothing to do: the next connection
        subscribes every room anyway."""
        conn = self._conn
        if conn is None:
            return
        async with self._send_lock:
            if conn is not self._conn:
                return
            try:
                await conn.send_command(*args, check_health=False)
            except Exception:
                if raising:
                    raise
                log.debug("pub/sub %s not sent; the listener reconnects", args[0])

    def _handle(self, message: Any) -> None:
        if not isinstance(message, list) or len(message) < 2:
            return  # PONG outside subscribed mode
        kind = message[0]
        if kind == b"message" and len(message) == 3:
            feed = self._by_channel.get(message[1])
            if feed is not None:
                self._on_message(feed, message[2])
        elif kind == b"subscribe":
            feed = self._by_channel.get(message[1])
            if feed is not None:
                feed.subscribed = True
                self._request_sync(feed)  # catch up what was published before this

    # -- delivery ----------------------------------------------------------------------

    def _on_message(self, feed: RoomFeed, payload: Any) -> None:
        try:
            seq, epoch, record = decode_live(payload)
        except ValueError as exc:
            self._garbage(feed.room, str(exc))
            return
        if feed.live and epoch == feed.epoch:
            if seq == feed.delivered + 1:
                self._deliver(feed, record, epoch)
                return
            if seq <= feed.delivered:
                # The late pub/sub copy of a record a sync read from the stream, or, past
                # that, a seq given twice: the log was rewound (a failover, an old copy
                # restored). A sync finds out.
                self.stats["duplicates"] += 1
                if seq > feed.synced_to:
                    self._request_sync(feed)
                return
        if epoch in feed.retired:
            return
        if seq > feed.delivered + 1 and feed.live:
            self.stats["gaps"] += 1
        feed.kept.append((feed.tick, seq, epoch, record))
        feed.tick += 1
        if len(feed.kept) > MAX_BUFFER:
            feed.kept.clear()  # the stream has them all; the sync reads them from there
            self.stats["overflows"] += 1
        feed.live = False
        if feed.sync_task is None or feed.sync_task.done():
            self._request_sync(feed)  # a running sync drains what is kept when it ends

    def _garbage(self, room: str, why: str) -> None:
        self.stats["garbage"] += 1
        if self.stats["garbage"] % GARBAGE_LOG_EVERY == 1:
            log.warning(
                "dropped an undecodable message on room %s's channel (%s); %d so far",
                room,
                why,
                self.stats["garbage"],
            )

    def _deliver(self, feed: RoomFeed, record: Record, epoch: str) -> None:
        feed.delivered = record.seq
        self.stats["delivered"] += 1
        for callback in tuple(feed.callbacks):
            try:
                callback(record, epoch)
            except Exception:
                log.exception("a live subscriber of room %s failed", feed.room)

    # -- syncing from the stream ---------------------------------------------------------

    def _request_sync(self, feed: RoomFeed) -> None:
        if feed.closed:
            return
        if feed.sync_task is not None and not feed.sync_task.done():
            feed.again = True
            return
        feed.sync_task = self._spawn(self._sync(feed))

    async def _sync(self, feed: RoomFeed) -> None:
        """Rounds of fill-then-drain until the feed is contiguous and live."""
        delay, warned = 0.05, False
        while not feed.closed:
            feed.again = False
            try:
                async with self._slots:
                    await self._fill(feed)
            except asyncio.CancelledError:
                raise
            except UnknownRoom:
                # No such room (yet): start from nothing, so a room made later is served
                # from its first record (its epoch will differ from None).
                if feed.delivered < 0:
                    feed.delivered = 0
                feed.ready.set()
                return
            except Exception as exc:
                self.stats["sync_errors"] += 1
                if delay >= 1.0 and not warned:
                    log.warning("room %s: catching up failed (%s); retrying", feed.room, exc)
                    warned = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            if self._drain(feed) and not feed.again:
                feed.live = feed.subscribed
                return

    async def _fill(self, feed: RoomFeed) -> None:
        """Read the head, then deliver `delivered+1 .. head` from the stream."""
        mark = feed.tick
        head, epoch = await self._source.head_now(feed.room)
        if feed.closed:
            return
        if epoch == feed.epoch and head < feed.delivered:
            log.warning(
                "room %s: the log went back from seq %d to %d (failover or restore);"
                " starting a new epoch",
                feed.room,
                feed.delivered,
                head,
            )
            self.stats["rewinds"] += 1
            epoch = await self._source.fence(feed.room, epoch)
            if feed.closed:
                return
        if feed.delivered < 0:
            feed.epoch, feed.delivered = epoch, head
            feed.synced_to = head
            feed.ready.set()
        elif epoch != feed.epoch:
            if feed.epoch is not None:
                log.warning(
                    "room %s: log epoch changed %s -> %s (Redis lost data)",
                    feed.room,
                    feed.epoch,
                    epoch,
                )
                feed.retired.add(feed.epoch)
                self.stats["epoch_changes"] += 1
            feed.epoch, feed.delivered, feed.synced_to = epoch, 0, 0
        # Kept messages received before the head was read are at most the head, or they
        # never came from this log: drop those.
        kept = []
        for item in feed.kept:
            tick, seq, msg_epoch, _ = item
            if tick < mark and msg_epoch == epoch and seq > head:
                self._garbage(feed.room, f"seq {seq} is past the head {head}")
            elif tick < mark and msg_epoch != epoch:
                self.stats["stale"] += 1
            else:
                kept.append(item)
        feed.kept = kept
        while feed.delivered < head and not feed.closed:
            first = feed.delivered + 1
            read_epoch, records = await self._source.read_with_epoch(feed.room, first, head, 1000)
            if feed.closed:
                return
            if read_epoch != feed.epoch:
                feed.again = True  # the log changed life meanwhile: go round
                return
            if not records:
                log.error("room %s: the stream lacks seqs %d..%d", feed.room, first, head)
                feed.delivered = head
                return
            self.stats["caught_up"] += len(records)
            for record in records:
                if feed.closed:
                    return
                if record.seq <= feed.delivered:
                    continue
                if record.seq > feed.delivered + 1:
                    log.error("room %s: the stream lacks seq %d", feed.room, feed.delivered + 1)
                self._deliver(feed, record, read_epoch)
                feed.synced_to = record.seq

    def _drain(self, feed: RoomFeed) -> bool:
        """Deliver the kept messages that follow on; True when nothing is left waiting."""
        if not feed.kept:
            return True
        waiting = []
        for item in sorted(feed.kept, key=lambda item: item[1]):
            _, seq, epoch, record = item
            if epoch in feed.retired or (epoch == feed.epoch and seq <= feed.delivered):
                continue
            if epoch == feed.epoch and seq == feed.delivered + 1:
                self._deliver(feed, record, epoch)
            else:
                waiting.append(item)
        feed.kept = waiting
        return not waiting

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
