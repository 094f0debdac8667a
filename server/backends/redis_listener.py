"""The Redis backend's pub/sub connection: one per process, shared by every room's feed.

The listener subscribes the channel of each room this process tails (only those,
DESIGN.md §3) and hands each message to the room's feed (`redis_feed`), which does
the ordering. It never ends on its own: after the connection drops (or is killed:
`CLIENT KILL TYPE pubsub`) it reconnects with jittered backoff, forever, and
re-subscribes every room; each room's feed is not live until Redis confirms its
channel again, and that confirmation makes it catch up from the stream. Plain channels
of hints (`listen`: a room's presence changed) ride on the same connection; their
listeners are told of every (re)subscription too, since hints may have been missed. A supervisor
loop catches everything, logs, counts (`stats["pubsub_reconnects"]`) and starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from redis.exceptions import RedisError

from .base import BackendUnavailable, LiveCallback
from .redis_feed import LogSource, RoomFeed

__all__ = ["SYNC_CONCURRENCY", "Listener"]

log = logging.getLogger(__name__)
UP, DOWN = {"event": "redis.up"}, {"event": "redis.down"}  # server/log_limit.py

SYNC_CONCURRENCY = 16  # rooms syncing at once after a reconnect (bounds Redis connections)
SUBSCRIBE_CHUNK = 500  # channels per SUBSCRIBE after a reconnect


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
        position_check: float = 5.0,
        heads: Callable[[list[str]], Awaitable[list[tuple[str | None, int]]]] | None = None,
        live_keys: tuple[bytes, ...] = (b"",),
    ) -> None:
        self.feeds: dict[str, RoomFeed] = {}
        self._by_channel: dict[bytes, RoomFeed] = {}
        self._hints: dict[bytes, dict[Callable[[bytes], None], None]] = {}
        self._connect = connect
        self._source = source
        self.stats = stats
        self.ping_every = ping_every
        self.max_backoff = max_backoff
        self.position_check = position_check
        self._heads = heads
        self._live_keys = live_keys
        self.connected = asyncio.Event()
        self._conn: Any = None
        self._send_lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(SYNC_CONCURRENCY)
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = False
        self._checker: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the supervised listener task."""
        self._task = asyncio.get_running_loop().create_task(
            self._supervise(), name="workshop-redis-pubsub"
        )
        self._task.add_done_callback(self._ended)
        if self._heads is not None and self.position_check > 0 and self._checker is None:
            self._checker = self._spawn(self._check_positions())

    def alive(self) -> bool:
        """Whether the supervisor runs."""
        return self._task is not None and not self._task.done()

    async def close(self) -> None:
        """Stop every feed and the connection."""
        self._closing = True
        for feed in self.feeds.values():
            feed.close()
        self.feeds.clear()
        self._by_channel.clear()
        self._hints.clear()
        # Cancel until done: on Python 3.11 a cancellation that lands as an inner
        # wait_for completes is swallowed (redis-py's connect uses wait_for).
        pending = {t for t in (self._task, *self._tasks) if t is not None and not t.done()}
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=0.1)
        await self._disconnect()

    def closing(self) -> bool:
        """Whether `close` was called (checked again after every await)."""
        return self._closing

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
        """Add a subscriber; the room's first one subscribes its channel."""
        feed = self.feeds.get(room)
        if feed is None:
            feed = RoomFeed(
                room,
                self._source,
                self.stats,
                self._slots,
                self._spawn,
                self.max_backoff,
                live_keys=self._live_keys,
            )
            self.feeds[room] = feed
            self._by_channel[feed.channel] = feed
            self._spawn(self._send("SUBSCRIBE", feed.channel))
            feed.request_sync()  # the baseline need not wait for the confirmation
        feed.callbacks[callback] = None

    def watch_life(self, room: str, callback: Callable[[str], None]) -> None:
        """Call `callback(epoch)` when the room's feed moves to a new log life, even one
        with no record yet (a wiped log): see `RoomLog.watch_life`."""
        feed = self.feeds.get(room)
        if feed is not None:
            feed.life_watchers[callback] = None

    def unwatch_life(self, room: str, callback: Callable[[str], None]) -> None:
        feed = self.feeds.get(room)
        if feed is not None:
            feed.life_watchers.pop(callback, None)

    def unsubscribe(self, room: str, callback: LiveCallback) -> None:
        """Remove a subscriber; the room's last one unsubscribes its channel."""
        feed = self.feeds.get(room)
        if feed is None:
            return
        feed.callbacks.pop(callback, None)
        if not feed.callbacks:
            del self.feeds[room]
            del self._by_channel[feed.channel]
            feed.close()
            self._spawn(self._send("UNSUBSCRIBE", feed.channel))

    def listen(self, channel: bytes, callback: Callable[[bytes], None]) -> None:
        """Call `callback(message)` for each message on a channel of hints, and
        `callback(b"")` each time Redis confirms its subscription (messages published
        before it, or while the connection was down, were missed). Not a room feed:
        nothing is ordered, checked or caught up."""
        listeners = self._hints.get(channel)
        if listeners is None:
            listeners = self._hints[channel] = {}
            self._spawn(self._send("SUBSCRIBE", channel))
        listeners[callback] = None

    def unlisten(self, channel: bytes, callback: Callable[[bytes], None]) -> None:
        """Remove a listener; the channel's last one unsubscribes it."""
        listeners = self._hints.get(channel)
        if listeners is None:
            return
        listeners.pop(callback, None)
        if not listeners:
            del self._hints[channel]
            self._spawn(self._send("UNSUBSCRIBE", channel))

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

    def epoch_of(self, room: str) -> str | None:
        """The epoch of the records this process hands out for the room, if it tails it."""
        feed = self.feeds.get(room)
        return None if feed is None else feed.epoch

    # -- the position check ------------------------------------------------------------

    async def _check_positions(self) -> None:
        """Every `position_check` seconds, compare each tailed room's head in Redis (one
        pipeline for all of them) with what its feed delivered, so a lost log (Redis
        restarted empty), a rewound one, or a message pub/sub dropped is found without
        waiting for the room's next append (as Centrifugo's position check does)."""
        assert self._heads is not None
        while not self._closing:
            await asyncio.sleep(self.position_check)
            feeds = [feed for feed in self.feeds.values() if feed.ready.is_set()]
            if not feeds:
                continue
            marks = [feed.position_mark() for feed in feeds]  # before the heads are read
            try:
                heads = await self._heads([feed.room for feed in feeds])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis down: the listener's reconnect catches up
                log.debug("position check failed: %s", exc)
                continue
            self.stats["position_checks"] += 1
            for feed, (epoch, seq), mark in zip(feeds, heads, marks, strict=True):
                if not feed.gone() and feed.position_stale(epoch, seq, mark):
                    self.stats["position_resyncs"] += 1
                    feed.request_sync()

    # -- the connection ------------------------------------------------------------------

    async def _supervise(self) -> None:
        """Keep one pub/sub connection up, forever, with jittered backoff between tries."""
        failures = 0
        had_connection = False
        while not self._closing:
            try:
                conn = await self._connect()
                if self.closing():
                    await conn.disconnect()
                    return
                self._conn = conn
                if had_connection:
                    self.stats["pubsub_reconnects"] += 1
                    log.warning("Redis pub/sub reconnected; catching every room up", extra=UP)
                had_connection, failures = True, 0
                await self._listen(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection errors, and bugs: never die silently
                failures += 1
                self.stats["pubsub_errors"] += 1
                if failures == 1:
                    log.warning("Redis pub/sub connection lost (%s); reconnecting", exc, extra=DOWN)
                elif failures % 20 == 0:
                    log.warning("Redis pub/sub still unreachable after %d tries: %s", failures, exc)
                if not isinstance(exc, RedisError | OSError):
                    log.exception("unexpected error in the Redis pub/sub listener")
            finally:
                await self._disconnect()
            if self.closing():
                return
            ceiling = min(self.max_backoff, 0.05 * 2 ** min(failures, 10))
            await asyncio.sleep(ceiling / 2 + random.random() * ceiling / 2)

    async def _listen(self, conn: Any) -> None:
        """Subscribe every room, then read until the connection fails."""
        channels = [feed.channel for feed in self.feeds.values()] + list(self._hints)
        for i in range(0, len(channels), SUBSCRIBE_CHUNK):
            await self._send("SUBSCRIBE", *channels[i : i + SUBSCRIBE_CHUNK], raising=True)
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
            feed.on_unsubscribed()
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
        listeners = self._hints.get(message[1])
        if listeners is not None:
            if message[0] == b"message" and len(message) == 3:
                self._hint(listeners, message[2])
            elif message[0] == b"subscribe":
                self._hint(listeners, b"")
            return
        kind, feed = message[0], self._by_channel.get(message[1])
        if feed is None:
            return
        if kind == b"message" and len(message) == 3:
            feed.on_message(message[2])
        elif kind == b"subscribe":
            feed.on_subscribed()
        elif kind == b"unsubscribe":
            # Replies come in command order: this is the UNSUBSCRIBE of an earlier feed
            # of the same room, and the SUBSCRIBE of this one is confirmed after it.
            feed.on_unsubscribed()

    def _hint(self, listeners: dict[Callable[[bytes], None], None], message: Any) -> None:
        payload = message if isinstance(message, bytes) else b""
        for callback in list(listeners):
            try:
                callback(payload)
            except Exception:  # one listener's bug must not end the pub/sub connection
                log.exception("a pub/sub hint listener failed")

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
