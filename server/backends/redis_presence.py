"""The Redis backend's presence board: one key per process and room, with a time to live.

Each process writes its own members of a room to `ws:{room:CODE}:presence:PROCESS`
(msgpack `pid -> org`) with a TTL, and lists itself in the room's set of processes. A
process that dies stops counting when its key expires; readers prune the set of the
processes whose keys are gone.

A set that differs from the one this process posted last is announced in the same
transaction: `PUBLISH ws:{room:CODE}:presence-changed PROCESS` (issue 12: other processes
learnt of joins and leaves only at their next 10 s refresh). Watchers read the board
when told. Anyone who can reach Redis can publish there too; a forged hint costs a read.
"""

from __future__ import annotations

from collections.abc import Callable

import msgpack
from redis.asyncio import Redis

from .redis_keys import redis_errors, room_keys, text
from .redis_listener import Listener

Watcher = Callable[[str], None]

__all__ = ["RedisPresence"]


class RedisPresence:
    """`set_presence` / `get_presence` of `PresenceBoard`, with `ttl()` read at each call
    (the backend's `presence_ttl`, which settings and tests change after start)."""

    def __init__(
        self,
        redis: Redis,
        ttl: Callable[[], float],
        listener: Listener,
        publish: str = "PUBLISH",  # a cluster's SPUBLISH
    ) -> None:
        self._redis = redis
        self._publish = publish
        self._ttl = ttl
        self._listener = listener
        self._posted: dict[tuple[str, str], dict[str, str]] = {}  # the sets last posted
        self._watchers: dict[tuple[str, Watcher], Callable[[bytes], None]] = {}

    async def set(self, room: str, process_id: str, members: dict[str, str]) -> None:
        """Replace the process's members of the room; an empty map removes them."""
        keys = room_keys(room)
        ttl = max(1, int(self._ttl() * 1000))
        posted = (room, process_id)
        changed = self._posted.get(posted, {}) != members
        with redis_errors("presence"):
            pipe = self._redis.pipeline(transaction=True)
            if members:
                pipe.set(keys.presence_of(process_id), msgpack.packb(members), px=ttl)
                pipe.sadd(keys.presence, process_id)
                pipe.pexpire(keys.presence, ttl)
            else:
                pipe.delete(keys.presence_of(process_id))
                pipe.srem(keys.presence, process_id)
            if changed:
                pipe.execute_command(self._publish, keys.presence_channel, process_id)
            await pipe.execute()
        if members:
            self._posted[posted] = dict(members)
        else:
            self._posted.pop(posted, None)

    def watch(self, room: str, callback: Watcher) -> None:
        """Call `callback(process_id)` for each hint on the room's channel, and
        `callback("")` when hints may have been missed (each (re)subscription)."""
        if (room, callback) in self._watchers:
            return

        def hinted(payload: bytes) -> None:
            callback(payload.decode("utf-8", "replace"))

        self._watchers[(room, callback)] = hinted
        self._listener.listen(room_keys(room).presence_channel, hinted)

    def unwatch(self, room: str, callback: Watcher) -> None:
        hinted = self._watchers.pop((room, callback), None)
        if hinted is not None:
            self._listener.unlisten(room_keys(room).presence_channel, hinted)

    async def get(self, room: str) -> dict[str, str]:
        """The union of the live processes' sets; processes whose key expired are pruned."""
        keys = room_keys(room)
        with redis_errors("presence"):
            processes = sorted(await self._redis.smembers(keys.presence))
            if not processes:
                return {}
            blobs = await self._redis.mget([keys.presence_of(text(p)) for p in processes])
            gone = [p for p, blob in zip(processes, blobs, strict=True) if blob is None]
            if gone:
                await self._redis.srem(keys.presence, *gone)
        union: dict[str, str] = {}
        for blob in blobs:
            if blob is not None:
                union.update(msgpack.unpackb(blob, raw=False))
        return union
