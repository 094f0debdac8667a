"""The rooms that are hot on this process, and the rate limits of their participants."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

from server.backends.base import Backend
from server.limits import Bucket
from server.live_room import LiveRoom
from server.settings import Settings


@dataclass(slots=True)
class ParticipantRates:
    """Per-participant buckets, shared by all of one participant's connections."""

    ask: Bucket
    vote: Bucket
    seen: float = field(default_factory=time.monotonic)


class Hub:
    """Loads rooms on first use and keeps them hot while this process serves them."""

    def __init__(self, backend: Backend, settings: Settings) -> None:
        self.backend = backend
        self.settings = settings
        self.process_id = uuid.uuid4().hex[:12]
        self.rooms: dict[str, LiveRoom] = {}
        self._loading: dict[str, asyncio.Task[LiveRoom | None]] = {}
        self._rates: dict[str, ParticipantRates] = {}

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
        return room

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
        for room in list(self.rooms.values()):
            await room.close()
        self.rooms.clear()
