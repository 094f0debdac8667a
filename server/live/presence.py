"""Presence of one live room: who is here, on every process, within a second.

Each process posts its own members of the room to the backend's presence board and
reads the union back. Changes travel as a push, not a poll (issue 12: members who joined
on one process were counted on the other only after 10 s, the old refresh interval):

- a local join or leave posts this process's set at once, then reads the board;
- the backend tells the room's other processes that a set changed (`watch_presence`: a
  hint on the room's presence channel on Redis), and each of them reads the board;
- a read that changes the count sends every local member a `presence` frame, at most one
  a second (PROTOCOL.md), the first one at once.

Posts and reads are coalesced without a delay on a quiet room: one runs at a time, and
requests that arrive meanwhile make exactly one more run after it, at least `SPACING`
after the one before (`Serial`). A burst of joins then costs at most ten posts a second,
each O(members), however fast Redis answers, and a lone join or leave waits for nothing.

A heartbeat every `presence_ttl / 4` posts the set again (its time to live) and reads the
board: the fallback for a hint that was lost (a pub/sub reconnect), and how a process
that died without a word stops counting: its set expires after `presence_ttl` and the
next heartbeat read drops it.

Who counts (issue 13): participants only, each once however many tabs they have open
(by pid). Staff (any role) and projector screens (a `join` with `screen: true`) receive
presence frames but are not counted.

Registry organisations count under their id, free text under its text (PROTOCOL.md
"Join"); the frame also counts participants per `city` of the registry (`by_city`, issue
14's "Sendai 23 · Ulaanbaatar 19" on the projector), derived from the same board read, so
the two can never disagree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Protocol

from protocol.frames import Presence
from server.rooms import Viewer
from server.tallies import FANOUT

PRESENCE_SENT = FANOUT["presence"]  # GET /metrics

__all__ = ["HEARTBEATS_PER_TTL", "PresenceBoard", "RoomPresence", "Serial"]

log = logging.getLogger("workshop.room")

HEARTBEATS_PER_TTL = 4  # posts per `presence_ttl`: three may be missed before a set expires
FRAME_INTERVAL = 1.0  # seconds between two presence frames (PROTOCOL.md: at most one a second)
SPACING = 0.1  # seconds from one post (or read) to the next one in a burst


class PresenceBoard(Protocol):
    """The part of the backend presence uses (`server.backends.base.PresenceBoard`)."""

    presence_ttl: float

    async def set_presence(self, room: str, process_id: str, members: dict[str, str]) -> None: ...

    async def get_presence(self, room: str) -> dict[str, str]: ...

    def watch_presence(self, room: str, callback: Callable[[str], None]) -> None: ...

    def unwatch_presence(self, room: str, callback: Callable[[str], None]) -> None: ...


class Serial:
    """Runs the coroutine `action()` after `request()`, one run at a time and each run
    starting at least `spacing` seconds after the previous one started; requests made
    while a run runs or waits make exactly one more run. A request long enough after
    the last run (or the first one) runs at once."""

    def __init__(
        self,
        action: Callable[[], Awaitable[None]],
        spawn: Callable[[Coroutine[Any, Any, Any]], Any],
        spacing: float = 0.0,
    ) -> None:
        self._action = action
        self._spawn = spawn
        self._spacing = spacing
        self._running = False
        self._again = False
        self._started = -float("inf")  # loop time the last run started

    def request(self) -> None:
        if self._running:
            self._again = True
            return
        self._running = True
        self._spawn(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                wait = self._started + self._spacing - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._again = False
                self._started = loop.time()
                await self._action()
                if not self._again:
                    return
        finally:
            self._running = False


class RoomPresence:
    """The presence of one room on this process: its posts, reads and frames.

    `members` is a live view of the room's members (member -> viewer); a member has an
    `actor` with `org` and `screen`, and a `send(bytes)`."""

    def __init__(
        self,
        code: str,
        process_id: str,
        board: PresenceBoard,
        members: Mapping[Any, Viewer],
        spawn: Callable[[Coroutine[Any, Any, Any]], Any],
        city_of: Mapping[str, str] | None = None,
    ) -> None:
        self.code = code
        self._city_of = dict(city_of or {})  # registry id -> its city (the entries with one)
        self.process_id = process_id
        self._board = board
        self._members = members
        self.last = Presence(0, {})  # the last frame sent
        self._latest = self.last  # the board as last read
        self._posting = Serial(self._post, spawn, SPACING)
        self._reading = Serial(self._read, spawn, SPACING)
        self._timer: asyncio.TimerHandle | None = None
        self._sent_at = -FRAME_INTERVAL
        self._watching = False

    def start(self) -> None:
        """Listen for other processes' changes to this room's presence."""
        if not self._watching:
            self._watching = True
            self._board.watch_presence(self.code, self._hinted)

    def close(self) -> None:
        if self._watching:
            self._watching = False
            self._board.unwatch_presence(self.code, self._hinted)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def changed(self) -> None:
        """A local member joined or left: post this process's set now, then read."""
        self._posting.request()

    def frames(self) -> list[bytes]:
        """The latest presence frame, for a member who just got a snapshot."""
        return [self.last.encode()] if self.last.count else []

    def counted(self) -> dict[str, str]:
        """This process's members who count: `pid -> org` of the participants here."""
        return {
            viewer.pid: member.actor.counted_org
            for member, viewer in self._members.items()
            if not viewer.staff and not member.actor.screen
        }

    async def heartbeat(self) -> None:
        """Post this process's set before its time to live runs out, and read the board:
        the fallback for lost hints, and how a dead process's members are dropped."""
        while True:
            await asyncio.sleep(self._board.presence_ttl / HEARTBEATS_PER_TTL)
            if self._members or self.last.count:
                self._posting.request()

    # -- posting, reading, sending -----------------------------------------------------

    def _hinted(self, process_id: str) -> None:
        """Another process changed its set (or the hints may have been missed: "")."""
        if process_id != self.process_id:
            self._reading.request()

    async def _post(self) -> None:
        try:
            await self._board.set_presence(self.code, self.process_id, self.counted())
        except Exception:
            log.warning("room %s: presence not posted (backend unavailable)", self.code)
        self._reading.request()

    async def _read(self) -> None:
        try:
            everyone = await self._board.get_presence(self.code)
        except Exception:
            log.warning("room %s: presence not read (backend unavailable)", self.code)
            return
        by_org: dict[str, int] = {}
        for org in everyone.values():
            by_org[org] = by_org.get(org, 0) + 1
        by_city: dict[str, int] = {}
        for org, n in sorted(by_org.items()):
            city = self._city_of.get(org)
            if city is not None:
                by_city[city] = by_city.get(city, 0) + n
        self._latest = Presence(len(everyone), by_org, dict(sorted(by_city.items())))
        if self._latest != self.last and self._timer is None:
            loop = asyncio.get_running_loop()
            delay = max(0.0, self._sent_at + FRAME_INTERVAL - loop.time())
            self._timer = loop.call_later(delay, self._send)

    def _send(self) -> None:
        """Send the board as last read, if it differs from the last frame sent."""
        self._timer = None
        if self._latest == self.last:
            return
        self._sent_at = asyncio.get_running_loop().time()
        self.last = self._latest
        data = self.last.encode()
        for member in self._members:
            member.send(data)
        PRESENCE_SENT.frames += len(self._members)
        PRESENCE_SENT.bytes += len(data) * len(self._members)
