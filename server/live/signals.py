"""Frames that follow from a room but are not in its log: presence, the moderation
queue's counts and poll results, each coalesced so a busy room does not flood anyone
(PROTOCOL.md: presence at most once a second; poll results within 250 ms of a change
and at most 4 times a second per poll)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol

from protocol.frames import PollResults, Presence, Queue
from server.rooms import RoomState, Viewer

log = logging.getLogger("workshop.room")


class PresenceBoard(Protocol):
    """The part of the backend presence uses (`server.backends.base`)."""

    presence_ttl: float

    async def set_presence(self, room: str, process_id: str, members: dict[str, str]) -> None: ...

    async def get_presence(self, room: str) -> dict[str, str]: ...


class Coalesced:
    """Runs `action` soon after `touch()`, at most once per `interval` seconds."""

    def __init__(self, interval: float, action: Callable[[], None]) -> None:
        self._interval = interval
        self._action = action
        self._last = 0.0
        self._handle: asyncio.TimerHandle | None = None

    def touch(self) -> None:
        if self._handle is not None:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last + self._interval - loop.time())
        self._handle = loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._last = asyncio.get_running_loop().time()
        self._action()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


class RoomSignals:
    """The side frames of one live room.

    It reads the room's members (a live view of `LiveRoom.members`: member -> viewer) and
    its state through `state()`, since the room replaces its state on a new log life."""

    def __init__(
        self,
        code: str,
        process_id: str,
        presence: PresenceBoard,
        members: Mapping[Any, Viewer],
        state: Callable[[], RoomState],
        spawn: Callable[[Coroutine[Any, Any, Any]], Any],
    ) -> None:
        self.code = code
        self.process_id = process_id
        self._board = presence
        self._members = members
        self._state = state
        self._spawn = spawn
        self.last_presence = Presence(0, {})
        self._presence = Coalesced(1.0, self._send_presence)
        self._queue = Coalesced(1.0, self._send_queue)
        self._queue_counts = state().queue()
        self._results: dict[str, Coalesced] = {}

    def close(self) -> None:
        self._presence.cancel()
        self._queue.cancel()
        for coalesced in self._results.values():
            coalesced.cancel()

    # -- presence ----------------------------------------------------------------------

    def presence_changed(self) -> None:
        self._presence.touch()

    def presence_frames(self) -> list[bytes]:
        """The latest presence frame, for a member who just got a snapshot."""
        return [self.last_presence.encode()] if self.last_presence.count else []

    def _send_presence(self) -> None:
        self._spawn(self.publish_presence())

    async def heartbeat(self) -> None:
        """Refresh this process's presence before the backend lets it expire, and pick up
        other processes' changes (their members vanish when their process dies)."""
        while True:
            await asyncio.sleep(self._board.presence_ttl / 3)
            if self._members or self.last_presence.count:
                await self.publish_presence(only_if_changed=True)

    async def publish_presence(self, *, only_if_changed: bool = False) -> None:
        local = {viewer.pid: member.actor.org for member, viewer in self._members.items()}
        try:
            await self._board.set_presence(self.code, self.process_id, local)
            everyone = await self._board.get_presence(self.code)
        except Exception:
            log.warning("room %s: presence not updated (backend unavailable)", self.code)
            return
        by_org: dict[str, int] = {}
        for org in everyone.values():
            by_org[org] = by_org.get(org, 0) + 1
        frame = Presence(len(everyone), by_org)
        if only_if_changed and frame == self.last_presence:
            return
        self.last_presence = frame
        data = frame.encode()
        for member in self._members:
            member.send(data)

    # -- the moderation queue's counts ---------------------------------------------------

    def state_changed(self) -> None:
        """After a fold: send the queue counts if they moved."""
        counts = self._state().queue()
        if counts != self._queue_counts:
            self._queue_counts = counts
            self._queue.touch()

    def reset(self) -> None:
        self._queue_counts = self._state().queue()

    def _send_queue(self) -> None:
        data = Queue(**self._queue_counts).encode()
        for member in self._members:
            member.send(data)

    # -- poll results ------------------------------------------------------------------

    def results_changed(self, poll_id: str) -> None:
        """Send a poll's results soon, so a thousand votes do not make a thousand frames
        per client."""
        coalesced = self._results.get(poll_id)
        if coalesced is None:
            coalesced = Coalesced(0.25, lambda: self._send_results(poll_id))
            self._results[poll_id] = coalesced
        coalesced.touch()

    def current_results(self, viewer: Viewer) -> list[bytes]:
        """Results of the open polls this viewer may see: a replay carries events, not
        the `poll.results` frames sent meanwhile."""
        return [
            PollResults(poll.poll_id, **poll.results()).encode()
            for poll in self._state().polls.values()
            if poll.status == "open" and poll.results_shown_to(viewer.pid, staff=viewer.staff)
        ]

    def _send_results(self, poll_id: str) -> None:
        poll = self._state().polls.get(poll_id)
        if poll is None or not self._members:
            return
        data = PollResults(poll_id, **poll.results()).encode()
        for member, viewer in self._members.items():
            if poll.results_shown_to(viewer.pid, staff=viewer.staff):
                member.send(data)
