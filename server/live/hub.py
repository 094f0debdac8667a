"""The rooms that are hot on this process, and the rate limits of their participants
and of their addresses."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field

from server.backends.base import Backend, BackendUnavailable
from server.limits import AddressLimits, Bucket
from server.live.room import LiveRoom
from server.live.wire import Cork
from server.settings import Settings
from server.staff.access import StaffAccess
from server.staff.desk import Desks
from server.staff.keys import StaffKeys

log = logging.getLogger("workshop.hub")


class RoomUnavailable(Exception):
    """The room's log cannot be reached to load it; the client may retry."""


@dataclass(slots=True)
class ParticipantRates:
    """Per-participant buckets, shared by all of one participant's connections."""

    ask: Bucket
    vote: Bucket
    seen: float = field(default_factory=time.monotonic)


class Hub:
    """Loads rooms on first use and keeps them hot while this process serves them.

    A room with no members and no command awaiting its outcome for
    `settings.room_idle_grace` seconds is unloaded (unsubscribed), so a process tails
    only the rooms it has members in (issue 3). The grace outlasts a command's wait for
    its outcome (room.OUTCOME_TIMEOUT) and spares a room its reload on a quick rejoin.
    """

    def __init__(self, backend: Backend, settings: Settings, keys: StaffKeys | None = None) -> None:
        self.backend = backend
        self.settings = settings
        self.process_id = uuid.uuid4().hex[:12]
        self.rooms: dict[str, LiveRoom] = {}
        self._loading: dict[str, asyncio.Task[LiveRoom | None]] = {}
        self._rates: dict[str, ParticipantRates] = {}
        self.addresses = AddressLimits(settings)  # shared by every connection of this process
        self._idle_since: dict[str, float] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self.cork = Cork()  # direct writes of one loop step, per socket (server/live/wire.py)
        # Staff keys and the events' books (server/staff/).
        self.staff = StaffAccess(keys, Desks(backend, self.process_id))
        self.staff.desks.replanned.append(self._replanned)
        self._rereading: set[asyncio.Task[None]] = set()

    async def room(self, code: str) -> LiveRoom | None:
        """The hot room for `code`, loading it if needed; None if no such room exists."""
        room = self.rooms.get(code)
        if room is not None:
            return room
        task = self._loading.get(code)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._load(code))
            self._loading[code] = task
        try:
            return await asyncio.shield(task)
        except BackendUnavailable as exc:
            raise RoomUnavailable(code) from exc
        finally:
            if task.done():
                self._loading.pop(code, None)

    async def _load(self, code: str) -> LiveRoom | None:
        info = await self.backend.get_room(code)
        if info is None:
            return None
        event = await self.backend.get_event(info.event_id)
        if event is None:
            return None
        # The event's desk, tailed while this process serves any room of it: revocations
        # and the organiser's changes reach this process live (server/staff/desk.py).
        await self.staff.desks.desk(event)
        room = LiveRoom(
            info,
            event,
            self.backend,
            replay_limit=self.settings.replay_limit,
            snapshot_every=self.settings.snapshot_every,
            process_id=self.process_id,
        )
        try:
            await room.load()
        except BaseException:
            await room.close()
            raise
        self.rooms[code] = room
        log.info("room %s loaded", code, extra={"event": "room.loaded", "room": code})
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._unload_idle())
        return room

    async def _unload_idle(self) -> None:
        """Every few seconds, close the rooms idle for the whole grace period."""
        grace = self.settings.room_idle_grace
        while self.rooms:
            await asyncio.sleep(min(max(grace / 4, 0.05), 5.0))
            now = time.monotonic()
            for code, room in list(self.rooms.items()):
                if not room.idle:
                    self._idle_since.pop(code, None)
                    continue
                since = self._idle_since.setdefault(code, now)
                if now - since >= grace and self.rooms.get(code) is room:
                    del self.rooms[code]
                    del self._idle_since[code]
                    await room.close()
                    log.info(
                        "room %s unloaded", code, extra={"event": "room.unloaded", "room": code}
                    )

    def _replanned(self, event_id: str) -> None:
        """An organiser changed the event (its desk log says so): read it again."""
        task = asyncio.get_running_loop().create_task(self.reread(event_id))
        self._rereading.add(task)
        task.add_done_callback(self._rereading.discard)

    async def reread(self, event_id: str) -> None:
        """Take the event as the catalogue now holds it, in this process's catalogue copy
        and in its hot rooms (titles, slots and registry in the join replies to come)."""
        try:
            event = await self.backend.get_event(event_id)
        except BackendUnavailable as exc:  # the next change, or a reload, brings it
            log.warning("event %s not read again after a change: %s", event_id, exc)
            return
        if event is None:
            return
        for info in event.rooms:
            room = self.rooms.get(info.code)
            if room is not None:
                room.info, room.event = info, event

    def rates(self, pid: str) -> ParticipantRates:
        rates = self._rates.get(pid)
        now = time.monotonic()
        if rates is None:
            if len(self._rates) > 50_000:
                self._prune(now)
            s = self.settings
            rates = ParticipantRates(
                Bucket(s.ask_rate, s.ask_burst), Bucket(s.vote_rate, s.vote_burst)
            )
            self._rates[pid] = rates
        rates.seen = now
        return rates

    def _prune(self, now: float) -> None:
        for pid in [p for p, r in self._rates.items() if now - r.seen > 600]:
            del self._rates[pid]

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for room in list(self.rooms.values()):
            await room.close()
        self.rooms.clear()
        await self.staff.desks.close()
