"""Frames that follow from a room but are not in its log: the moderation queue's counts
and poll results, each coalesced so a busy room does not flood anyone (PROTOCOL.md: poll
results within 250 ms of a change and at most 4 times a second per poll). Presence, which
also crosses processes, is `server/live/presence.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from protocol.frames import PollResults, Queue
from server.rooms import RoomState, Viewer
from server.tallies import FANOUT

QUEUE_SENT, RESULTS_SENT = FANOUT["queue"], FANOUT["results"]  # GET /metrics


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
        members: Mapping[Any, Viewer],
        state: Callable[[], RoomState],
    ) -> None:
        self.code = code
        self._members = members
        self._state = state
        self._queue = Coalesced(1.0, self._send_queue)
        self._queue_counts = state().queue()
        self._results: dict[str, Coalesced] = {}

    def close(self) -> None:
        self._queue.cancel()
        for coalesced in self._results.values():
            coalesced.cancel()

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
        QUEUE_SENT.frames += len(self._members)
        QUEUE_SENT.bytes += len(data) * len(self._members)

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
        # Decided once per frame, not per member: this loop runs for every member.
        everyone = poll.results_audience_everyone()
        voters = poll.votes if poll.results_shown_to_voters() else None
        sent = 0
        for member, viewer in self._members.items():
            if everyone or viewer.staff or (voters is not None and viewer.pid in voters):
                member.send(data)
                sent += 1
        RESULTS_SENT.frames += sent
        RESULTS_SENT.bytes += len(data) * sent
