"""The Redis backend's catalogue: events and their rooms, in Redis and in memory.

The catalogue lives under one hash tag (`ws:{catalogue}:...`): a hash of events and a
hash of room codes, changed only by `lua/catalogue.lua`, all or nothing. Every process
also keeps each entry it has seen; an entry changes only by an organiser's programme
(`change`, compare and set), which the event's desk log announces to every process
(server/staff/desk.py), and each then reads the event again:

- a known room is answered from memory (also while Redis is unreachable);
- if Redis lost the catalogue (restarted without its data), the process puts back
  what it knows, same codes, titles and events (HSETNX: what exists stays); the rooms'
  logs then start new lives with new epochs (docs/scaling.md, "When Redis loses data").
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from .base import Catalogue, Conflict, EventInfo, RoomInfo, UnknownRoom, desk_event
from .redis_keys import (
    CATALOGUE_EVENTS,
    CATALOGUE_ROOMS,
    decode_event,
    encode_event,
    redis_errors,
    text,
)

log = logging.getLogger(__name__)

CHANGE_TRIES = 8  # compare-and-set rounds before `change` gives up (organisers are few)
RunScript = Callable[[str, list[str], list[Any]], Awaitable[Any]]


class RedisCatalogue:
    """Events and rooms: Redis is shared, memory is this process's own copy."""

    def __init__(self, redis: Redis, run_script: RunScript, stats: Counter[str]) -> None:
        self._redis = redis
        self._run_script = run_script
        self._stats = stats
        self.events: dict[str, EventInfo] = {}
        self.rooms: dict[str, RoomInfo] = {}

    async def create(self, event: EventInfo) -> None:
        """Add the event and its rooms, or raise Conflict and add nothing."""
        reply = text(await self._write("create", event))
        if reply == "event":
            raise Conflict(f"event {event.event_id!r} exists")
        if reply.startswith("room:"):
            raise Conflict(f"room {reply[5:]!r} exists")
        self._remember(event)

    async def change(
        self, event_id: str, change: Callable[[EventInfo], EventInfo]
    ) -> tuple[EventInfo, list[RoomInfo]]:
        """`Catalogue.change_event`: read, change, compare and set, again if another
        process changed the entry in between. Returns the event and the rooms it added."""
        for _ in range(CHANGE_TRIES):
            with redis_errors("catalogue"):
                blob = await self._redis.hget(CATALOGUE_EVENTS, event_id)
            if blob is None:
                raise LookupError(f"no event {event_id!r}")
            old = decode_event(cast(bytes, blob))
            new = change(old)
            added = Catalogue.check_change(old, new)
            reply = text(
                await self._run_script(
                    "catalogue",
                    [CATALOGUE_EVENTS, CATALOGUE_ROOMS],
                    ["update", event_id, encode_event(new), blob, *(r.code for r in added)],
                )
            )
            if reply == "ok":
                self._remember(new)
                return new, added
            if reply == "missing":
                raise LookupError(f"no event {event_id!r}")
            if reply.startswith("room:"):
                raise Conflict(f"room {reply[5:]!r} exists")
        raise Conflict(f"event {event_id!r} keeps changing; retry")

    async def event(self, event_id: str) -> EventInfo | None:
        """The event from Redis (put back from memory if Redis lost it), or None."""
        with redis_errors("catalogue"):
            blob = await self._redis.hget(CATALOGUE_EVENTS, event_id)
        if blob is not None:
            event = decode_event(cast(bytes, blob))  # replies are bytes (decode_responses off)
            self._remember(event)
            return event
        known = self.events.get(event_id)
        if known is not None:
            await self.restore(known)
        return known

    async def all_events(self) -> list[EventInfo]:
        """Every event, oldest first; what this process knows while Redis is unreachable."""
        try:
            blobs = await self._redis.hgetall(CATALOGUE_EVENTS)
        except (RedisError, OSError) as exc:
            log.warning("catalogue read failed (%s); listing the events this process knows", exc)
            return _oldest_first(self.events.values())
        found = {}
        for blob in blobs.values():
            event = decode_event(cast(bytes, blob))
            found[event.event_id] = event
            self._remember(event)
        for event_id, event in list(self.events.items()):
            if event_id not in found:
                await self.restore(event)
                found[event_id] = event
        return _oldest_first(found.values())

    async def room(self, code: str) -> RoomInfo:
        """The room from memory or from Redis; UnknownRoom if neither has it. A desk log's
        code (base.desk_code) gives a title-less entry for its event, if the event exists."""
        known = self.rooms.get(code)
        if known is not None:
            return known
        desk_of = desk_event(code)
        if desk_of is not None:
            if desk_of in self.events or await self.event(desk_of) is not None:
                return RoomInfo(code, "", desk_of)
            raise UnknownRoom(code)
        with redis_errors("catalogue"):
            event_id = await self._redis.hget(CATALOGUE_ROOMS, code)
        if event_id is not None:
            event = await self.event(text(event_id))
            for room in event.rooms if event is not None else ():
                if room.code == code:
                    return room
        raise UnknownRoom(code)

    async def restore_room(self, code: str) -> RoomInfo:
        """Make sure Redis lists the room again (its log was found missing); UnknownRoom
        if nobody knows it."""
        info = await self.room(code)
        if desk_event(code) is not None:
            return info  # listed with its event
        with redis_errors("catalogue"):
            listed = await self._redis.hexists(CATALOGUE_ROOMS, code)
        if not listed and info.event_id in self.events:
            await self.restore(self.events[info.event_id])
        return info

    async def restore(self, event: EventInfo) -> None:
        """Put back an event Redis lost."""
        log.warning("Redis lost event %s; putting it back from memory", event.event_id)
        self._stats["catalogue_restores"] += 1
        await self._write("restore", event)

    def _remember(self, event: EventInfo) -> None:
        self.events[event.event_id] = event
        for room in event.rooms:
            self.rooms[room.code] = room

    async def _write(self, mode: str, event: EventInfo) -> Any:
        codes = [room.code for room in event.rooms]
        return await self._run_script(
            "catalogue",
            [CATALOGUE_EVENTS, CATALOGUE_ROOMS],
            [mode, event.event_id, encode_event(event), *codes],
        )


def _oldest_first(events: Any) -> list[EventInfo]:
    return sorted(events, key=lambda e: (e.created, e.event_id))
