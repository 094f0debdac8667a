"""The Redis backend's presence board: one key per process and room, with a time to live.

Each process writes its own members of a room to `ws:{room:CODE}:presence:PROCESS`
(msgpack `pid -> org`) with a TTL, and lists itself in the room's set of processes. A
process that dies stops counting when its key expires; readers prune the set of the
processes whose keys are gone.
"""

from __future__ import annotations

from collections.abc import Callable

import msgpack
from redis.asyncio import Redis

from .redis_keys import redis_errors, room_keys, text

__all__ = ["RedisPresence"]


class RedisPresence:
    """`set_presence` / `get_presence` of `PresenceBoard`, with `ttl()` read at each call
    (the backend's `presence_ttl`, which settings and tests change after start)."""

    def __init__(self, redis: Redis, ttl: Callable[[], float]) -> None:
        self._redis = redis
        self._ttl = ttl

    async def set(self, room: str, process_id: str, members: dict[str, str]) -> None:
        """Replace the process's members of the room; an empty map removes them."""
        keys = room_keys(room)
        ttl = max(1, int(self._ttl() * 1000))
        with redis_errors("presence"):
            pipe = self._redis.pipeline(transaction=True)
            if members:
                pipe.set(keys.presence_of(process_id), msgpack.packb(members), px=ttl)
                pipe.sadd(keys.presence, process_id)
                pipe.pexpire(keys.presence, ttl)
            else:
                pipe.delete(keys.presence_of(process_id))
                pipe.srem(keys.presence, process_id)
            await pipe.execute()

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
