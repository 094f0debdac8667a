"""The Redis backend: many server processes, one Redis (DESIGN.md §3, issue 3).

Same interface and guarantees as `embedded` (base.py); how each is kept here:

- **Order, idempotency**: one Lua script per append (`lua/append.lua`, called by SHA):
  dedupe on `(pid, cid)`, next seq, `XADD` with ID `<seq>-0`, `PUBLISH`, atomically;
  concurrent appends are pipelined (`redis_append`). `ts` is Redis's clock (`TIME`).
- **Durability**: an append is acknowledged once Redis ran the script; with AOF and
  `appendfsync always` that means on disk, with `everysec` within a second of it
  (docs/scaling.md). An unreachable Redis raises BackendUnavailable within the socket
  timeout. A timeout after the script was sent may hide a record that did land: the
  caller is told "unavailable", never a false ok; a retry with the same `(pid, cid)`
  learns its seq.
- **Live tail**: `redis_listener` keeps one pub/sub connection per process; each room's
  `redis_feed` fills gaps from the stream and catches up after every reconnect, so each
  subscriber gets each record once, in order (guarantees 4-6); messages without the
  HMAC the appender signs them with are dropped (`forged`), and a position check reads
  every tailed room's head each `position_check` seconds.
- **Epoch**: made with the room's log. A log whose epoch key is gone (Redis lost its
  data) gets a new life with a new epoch, the first time anyone touches it.
- **Import** (`redis_import`): staged in a stream of the room, made the log by a script.
- **Catalogue** (`redis_catalogue`): in Redis, and remembered by every process that saw
  it; if Redis lost it, a process puts back the entries it knows.
- **Presence** (`redis_presence`): a key per process and room, with a TTL; a change is
  announced on the room's presence channel.
- **Redis Cluster** (`redis+cluster://`, `redis_cluster`): the same, each room on its
  slot's primary; fan-out by sharded pub/sub (`redis_shards`).

`redis` is imported only here and in the `redis_*` helpers, which only this imports."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, cast

from redis.exceptions import RedisError

from .base import (
    Backend,
    BackendUnavailable,
    EventInfo,
    LiveCallback,
    LogNotEmpty,
    Position,
    Record,
    RoomInfo,
    SavedSnapshot,
    UnknownRoom,
    desk_code,
    desk_event,
    new_epoch,
)
from .redis_append import Appender
from .redis_catalogue import RedisCatalogue
from .redis_connect import link
from .redis_import import commit, stage
from .redis_keys import (
    decode_entry,
    encode_body,
    live_key,
    read_heads,
    redis_errors,
    room_keys,
    run_script,
    sign_live,
    text,
)
from .redis_listener import Listener
from .redis_presence import RedisPresence

__all__ = ["RedisBackend"]

log = logging.getLogger(__name__)

Entries = list[tuple[bytes, dict[bytes, bytes]]]  # XRANGE's reply (decode_responses is off)


class RedisBackend(Backend):
    """Room logs, live tail, snapshots, dedupe, presence and catalogue in one Redis.

    `secret` is the signing secret every process shares (WORKSHOP_SECRET); live messages
    MAC'd with a `retired` one (WORKSHOP_RETIRED_SECRETS, during a rotation's rolling
    restart, server/secret_rotation.py) are accepted too. Commands
    time out after `socket_timeout` seconds and are never retried by the client, so a
    Redis that is down shows as BackendUnavailable quickly. `stats` counts what the
    live tail did (`garbage`, `pubsub_reconnects`, `gaps`, `caught_up`, ...);
    `config_warnings` lists the Redis settings found unsafe at start.
    """

    subscribe_timeout = 5.0  # seconds append/head/read wait for a new room feed to start

    def __init__(
        self,
        url: str,
        *,
        secret: bytes,
        retired: tuple[bytes, ...] = (),
        socket_timeout: float = 2.0,
        connect_timeout: float = 1.0,
        batch: int = 100,
        pipelines: int = 2,
        max_pending: int = 10_000,
        ping_every: float = 5.0,
        position_check: float = 5.0,
    ) -> None:
        if len(secret) < 32:
            raise ValueError("the secret must be at least 32 bytes")
        self.url = url
        self._secret = secret
        self._live_key = live_key(secret)
        self._link = link(url, socket_timeout, connect_timeout)  # one server, or a cluster
        self._redis = self._link.redis
        self._batch, self._pipelines, self._max_pending = batch, pipelines, max_pending
        self.stats: Counter[str] = Counter()
        self.config_warnings: list[str] = []
        self._listener = Listener(
            self._link.connect_pubsub,
            self,
            self.stats,
            ping_every=ping_every,
            position_check=position_check,
            heads=functools.partial(read_heads, self._redis),
            live_keys=(self._live_key, *(live_key(old) for old in retired)),
        )
        self._appender: Appender | None = None
        self._making: dict[str, asyncio.Future[Position]] = {}
        self._state = "new"  # new -> running -> closed
        self._catalogue = RedisCatalogue(self._redis, self._script, self.stats)
        self._presence = RedisPresence(
            self._redis, lambda: self.presence_ttl, self._listener, self._link.publish
        )

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Reach Redis, load the scripts, check its settings, start the live tail."""
        if self._state != "new":
            raise RuntimeError("a RedisBackend starts once")
        self._state = "running"
        try:
            with redis_errors("start"):
                for script in self._link.scripts.values():
                    await self._redis.script_load(script.source)
            self.config_warnings = await self._link.check_config()
            self._appender = self._link.appender(
                self._redis,
                self._link.scripts["append"],
                self.stats,
                batch=self._batch,
                pipelines=self._pipelines,
                max_pending=self._max_pending,
            )
            self._listener.start()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Send the appends already queued, then close every connection."""
        if self._state == "closed":
            return
        self._state = "closed"
        if self._appender is not None:
            await self._appender.close()
        await self._listener.close()
        await self._link.close()

    async def ready(self) -> bool:
        """A PING answered, and the appender and the pub/sub supervisor running."""
        if self._state != "running" or self._appender is None or not self._appender.alive():
            return False
        if not self._listener.alive():
            return False
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    def feed_lags(self) -> list[tuple[int, float]]:
        """Each tailed room's lag now, `(records, seconds)` (`RoomFeed.lag`; GET /metrics)."""
        now = time.monotonic()
        return [feed.lag(now) for feed in list(self._listener.feeds.values())]

    # -- the log -----------------------------------------------------------------------

    async def append(
        self,
        room: str,
        type: str,
        data: dict[str, Any],
        actor: dict[str, Any] | None,
        cid: str | None,
    ) -> Position:
        """See `RoomLog.append`; one pipelined EVALSHA of `lua/append.lua`."""
        self._check_running()
        body = encode_body(type, data, actor, cid)  # TypeError stays the caller's
        keys = room_keys(room)
        pid = actor.get("pid") if actor is not None else None
        names = [keys.seq, keys.epoch, keys.log]
        if pid is not None and cid is not None:
            names.append(keys.dedupe(str(pid), cid))
        nonce, mac = sign_live(self._live_key, keys.channel, body)
        args = [body, max(1, int(self.dedupe_ttl * 1000)), keys.channel, nonce, mac]
        await self._listener.wait_ready(room, self.subscribe_timeout)
        assert self._appender is not None
        for _ in range(2):
            reply = await self._appender.call(names, args, lane=pid)
            if reply != -1:
                seq, epoch, _duplicate = reply
                return Position(int(seq), text(epoch))
            await asyncio.shield(self._log_made(room))  # UnknownRoom, or a new life
        raise BackendUnavailable(f"room {room}: its log could not be made")

    async def head(self, room: str) -> Position:
        """See `RoomLog.head`."""
        self._check_running()
        await self._listener.wait_ready(room, self.subscribe_timeout)
        return await self.head_now(room)

    async def head_now(self, room: str) -> Position:
        """The head without waiting for the room's feed; a lost log gets a new life."""
        self._check_running()
        reply = await self._script("head", room_keys(room).head_keys, [""])
        if reply is None:
            return await self._ensure_log(room)
        return Position(int(reply[0]), text(reply[1]))

    async def read(
        self, room: str, first: int, last: int | None = None, limit: int = 1000
    ) -> list[Record]:
        """See `RoomLog.read`; one XRANGE."""
        self._check_running()
        await self._listener.wait_ready(room, self.subscribe_timeout)
        await self._catalogue.room(room)  # UnknownRoom
        first = max(first, 1)
        if limit < 1 or (last is not None and first > last):
            return []
        end = "+" if last is None else f"{last}-0"
        with redis_errors("read"):
            entries = await self._redis.xrange(room_keys(room).log, f"{first}-0", end, limit)
        return [decode_entry(entry_id, fields) for entry_id, fields in cast(Entries, entries)]

    async def read_with_epoch(
        self, room: str, first: int, last: int, limit: int
    ) -> tuple[str | None, list[Record]]:
        """The epoch and records `first..last`, in one MULTI so they belong together."""
        self._check_running()
        keys = room_keys(room)
        with redis_errors("read"):
            pipe = self._redis.pipeline(transaction=True)
            pipe.get(keys.epoch)
            pipe.xrange(keys.log, f"{first}-0", f"{last}-0", limit)
            epoch, entries = await pipe.execute()
        records = [decode_entry(entry_id, fields) for entry_id, fields in entries]
        return (None if epoch is None else text(epoch)), records

    async def fence(self, room: str, epoch: str) -> str:
        """The log lost records it had: a new epoch (see `lua/fence.lua`)."""
        keys = room_keys(room)
        return text(await self._script("fence", [keys.epoch, keys.snapshot], [epoch, new_epoch()]))

    async def import_log(self, room: str, records: Iterable[Record]) -> Position:
        """See `RoomLog.import_log`: staged in a stream of the room, then made the log by
        `lua/import.lua` if the log is still empty (`redis_import`)."""
        self._check_running()
        await self._listener.wait_ready(room, self.subscribe_timeout)
        head = await self.head_now(room)  # UnknownRoom; a lost log gets a new life
        if head.seq:
            raise LogNotEmpty(f"room {room} has {head.seq} records")
        keys = room_keys(room)
        staged = await stage(self._redis, keys, records, self.dedupe_ttl)
        if not staged.count:
            return head
        ttl = max(1, int(self.dedupe_ttl * 1000))
        ensure = functools.partial(self._ensure_log, room)
        return await commit(self._redis, self._script, ensure, keys, staged, ttl)

    def subscribe(self, room: str, callback: LiveCallback) -> None:
        """See `RoomLog.subscribe`; the first subscriber of a room subscribes its channel."""
        self._listener.subscribe(room, callback)

    def unsubscribe(self, room: str, callback: LiveCallback) -> None:
        """See `RoomLog.unsubscribe`; the last one leaving unsubscribes the channel."""
        self._listener.unsubscribe(room, callback)

    def watch_life(self, room: str, callback: Callable[[str], None]) -> None:
        """See `RoomLog.watch_life`: told by the room's feed, which the position check
        (every `position_check` s) makes find a lost log without any traffic."""
        self._listener.watch_life(room, callback)

    def unwatch_life(self, room: str, callback: Callable[[str], None]) -> None:
        """See `RoomLog.unwatch_life`."""
        self._listener.unwatch_life(room, callback)

    async def save_snapshot(self, room: str, seq: int, blob: bytes) -> None:
        """See `RoomLog.save_snapshot`. Stored with the epoch it was folded from (the
        room feed's, when this process tails the room), so a snapshot of a lost log life
        is never loaded as the new one's."""
        self._check_running()
        keys = room_keys(room)
        folded_from = self._listener.epoch_of(room) or ""
        for _ in range(2):
            reply = await self._script(
                "snapshot", [keys.snapshot, keys.epoch], [seq, bytes(blob), folded_from]
            )
            if reply != -1:
                return
            await self._ensure_log(room)

    async def load_snapshot(self, room: str) -> SavedSnapshot | None:
        """See `RoomLog.load_snapshot`; only a snapshot of the log's current epoch."""
        self._check_running()
        keys = room_keys(room)
        with redis_errors("load snapshot"):
            pipe = self._redis.pipeline(transaction=True)
            pipe.hmget(keys.snapshot, ["seq", "epoch", "blob"])
            pipe.get(keys.epoch)
            (seq, epoch, blob), current = await pipe.execute()
        if seq is None or blob is None or current is None or epoch != current:
            return None
        return SavedSnapshot(int(seq), bytes(blob))

    def _log_made(self, room: str) -> asyncio.Future[Position]:
        """One `_ensure_log` for the appends that found the log missing: they resume, and
        are sent again, in their order."""
        making = self._making.get(room)
        if making is None:
            making = asyncio.ensure_future(self._ensure_log(room))
            self._making[room] = making
            making.add_done_callback(lambda _: self._making.pop(room, None))
        return making

    async def _ensure_log(self, room: str) -> Position:
        """The room has no log: UnknownRoom if it is not in the catalogue (Redis's or
        this process's memory); otherwise its catalogue entry is made whole again and its
        log starts a new life with a new epoch (once, whichever process comes first)."""
        await self._catalogue.restore_room(room)
        reply = await self._script("head", room_keys(room).head_keys, [new_epoch()])
        at, created = Position(int(reply[0]), text(reply[1])), bool(reply[2])
        if created and desk_event(room) is not None and at.seq == 0:
            # An event stored before desk logs existed gets its desk on first touch (or
            # Redis lost it: then the staff book starts over, as a room's log would).
            log.info("desk log %s made; epoch %s", room, at.epoch)
        elif created:
            self.stats["new_logs"] += 1
            log.warning("room %s had no log in Redis (lost data?); new epoch %s", room, at.epoch)
        return at

    # -- presence (redis_presence) ---------------------------------------------------------

    async def set_presence(self, room: str, process_id: str, members: dict[str, str]) -> None:
        """See `PresenceBoard.set_presence`: a key per process with a TTL, indexed by a set."""
        self._check_running()
        await self._presence.set(room, process_id, members)

    async def get_presence(self, room: str) -> dict[str, str]:
        """See `PresenceBoard.get_presence`; sets whose TTL ran out are gone."""
        self._check_running()
        return await self._presence.get(room)

    def watch_presence(self, room: str, callback: Callable[[str], None]) -> None:
        """See `PresenceBoard.watch_presence`: hints on the room's presence channel."""
        self._presence.watch(room, callback)

    def unwatch_presence(self, room: str, callback: Callable[[str], None]) -> None:
        """See `PresenceBoard.unwatch_presence`."""
        self._presence.unwatch(room, callback)

    # -- catalogue (redis_catalogue) ----------------------------------------------------

    async def create_event(self, event: EventInfo) -> None:
        """See `Catalogue.create_event`: one script adds the event and its rooms (or
        nothing), then each room's log is made with a fresh epoch."""
        self._check_running()
        self.check_event(event)
        await self._catalogue.create(event)
        for code in [*(room.code for room in event.rooms), desk_code(event.event_id)]:
            await self._script("head", room_keys(code).head_keys, [new_epoch()])

    async def change_event(
        self, event_id: str, change: Callable[[EventInfo], EventInfo]
    ) -> EventInfo:
        """See `Catalogue.change_event`: compare and set on the catalogue, then each
        added room's log is made with a fresh epoch."""
        self._check_running()
        event, added = await self._catalogue.change(event_id, change)
        for room in added:
            await self._script("head", room_keys(room.code).head_keys, [new_epoch()])
        return event

    async def get_event(self, event_id: str) -> EventInfo | None:
        """See `Catalogue.get_event`."""
        self._check_running()
        return await self._catalogue.event(event_id)

    async def list_events(self) -> list[EventInfo]:
        """See `Catalogue.list_events`. While Redis is unreachable, the events this
        process knows; events Redis lost but this process knows are put back."""
        self._check_running()
        return await self._catalogue.all_events()

    async def get_room(self, code: str) -> RoomInfo | None:
        """See `Catalogue.get_room`; a known room is answered from memory (an organiser's
        change reaches it through the desk log, server/staff/desk.py)."""
        self._check_running()
        if desk_event(code) is not None:
            return None  # a desk log is not a room
        try:
            return await self._catalogue.room(code)
        except UnknownRoom:
            return None

    async def list_rooms(self) -> list[RoomInfo]:
        """See `Catalogue.list_rooms`."""
        return [room for event in await self.list_events() for room in event.rooms]

    async def get_secret(self) -> bytes:
        """WORKSHOP_SECRET, as given: every process must share it (docs/scaling.md)."""
        return self._secret

    # -- plumbing ------------------------------------------------------------------------

    def _check_running(self) -> None:
        if self._state != "running":
            raise BackendUnavailable(f"Redis backend is {self._state}")

    async def _script(self, name: str, keys: list[str], args: list[Any]) -> Any:
        """EVALSHA one of our scripts (`redis_keys.run_script`)."""
        return await run_script(self._redis, name, keys, args, self.stats, self._link.scripts)
