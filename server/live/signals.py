"""Frames that follow from a room but are not in its log: presence, the moderation
queue's counts and poll results, each coalesced so a busy room does not flood anyone
(PROTOCOL.md: presence at most once a second; poll results within 250 ms of a change
and at most 4 times a second per poll)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgpack

from server.rooms import Viewer

if TYPE_CHECKING:
    from server.live.room import LiveRoom

log = logging.getLogger("workshop.room")


def _pack(frame: dict[str, Any]) -> bytes:
    return msgpack.packb(frame, use_bin_type=True)


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
    """The side frames of one live room."""

    def __init__(self, room: LiveRoom) -> None:
        self.room = room
        self.last_presence: dict[str, Any] = {"t": "presence", "count": 0, "by_org": {}}
        self._presence = Coalesced(1.0, self._send_presence)
        self._queue = Coalesced(1.0, self._send_queue)
        self._queue_counts = room.state.queue()
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
        return [_pack(self.last_presence)] if self.last_presence["count"] else []

    def _send_presence(self) -> None:
        self.room.spawn(self.publish_presence())

    async def heartbeat(self) -> None:
        """Refresh this process's presence before the backend lets it expire, and pick up
        other processes' changes (their members vanish when their process dies)."""
        while True:
            await asyncio.sleep(self.room.backend.presence_ttl / 3)
            if self.room.members or self.last_presence["count"]:
                await self.publish_presence(only_if_changed=True)

    async def publish_presence(self, *, only_if_changed: bool = False) -> None:
        room = self.room
        local = {member.viewer.pid: member.org for member in room.members}
        try:
            await room.backend.set_presence(room.code, room.process_id, local)
            everyone = await room.backend.get_presence(room.code)
        except Exception:
            log.warning("room %s: presence not updated (backend unavailable)", room.code)
            return
        by_org: dict[str, int] = {}
        for org in everyone.values():
            by_org[org] = by_org.get(org, 0) + 1
        frame = {"t": "presence", "count": len(everyone), "by_org": by_org}
        if only_if_changed and frame == self.last_presence:
            return
        self.last_presence = frame
        data = _pack(frame)
        for member in room.members:
            member.send(data)

    # -- the moderation queue's counts ---------------------------------------------------

    def state_changed(self) -> None:
        """After a fold: send the queue counts if they moved."""
        counts = self.room.state.queue()
        if counts != self._queue_counts:
            self._queue_counts = counts
            self._queue.touch()

    def reset(self) -> None:
        self._queue_counts = self.room.state.queue()

    def _send_queue(self) -> None:
        data = _pack({"t": "queue", **self._queue_counts})
        for member in self.room.members:
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
            _pack({"t": "poll.results", "poll_id": poll.poll_id, **poll.results()})
            for poll in self.room.state.polls.values()
            if poll.status == "open" and (viewer.staff or poll.results_audience_everyone())
        ]

    def _send_results(self, poll_id: str) -> None:
        room = self.room
        poll = room.state.polls.get(poll_id)
        if poll is None or not room.members:
            return
        data = _pack({"t": "poll.results", "poll_id": poll_id, **poll.results()})
        everyone = poll.results_audience_everyone()
        for member in room.members:
            if everyone or member.viewer.staff:
                member.send(data)
