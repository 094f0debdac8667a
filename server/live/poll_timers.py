"""Poll timers: the server closes a poll when its time is up (issue 13).

A poll created with `seconds` gets `closes_ts` (the record's time plus `seconds`) each
time it opens; it is in the room's state, so it survives a restart and travels with
snapshots. Every process that holds the room hot keeps one timer per open timed poll
and, when it fires, appends an ordinary `poll.close` under the timer's own actor. The
command's cid names the poll and its deadline, so the processes that fire together
append it once (a retried `(pid, cid)` is applied at most once), and a poll a moderator
closed first makes the timer's close a refused no-op.

A room is not unloaded while one of its timers runs (`LiveRoom.idle`); a room loaded
after its deadline passed (a restart) closes the poll at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from protocol.codes import ErrorCode
from protocol.frames import Err, Ok
from protocol.messages import PollClose
from server.rooms.polls import OPEN, Poll

log = logging.getLogger("workshop.polls")

RETRY_AFTER = 1.0  # seconds between attempts while the room's log is unreachable
ATTEMPTS = 60
EARLY_MARGIN = 0.005  # seconds added when a timer fired before its wall-clock deadline

Close = Callable[[PollClose], Awaitable[Ok | Err]]
Spawn = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]


class PollTimers:
    """One room's running poll timers, kept in step with its state."""

    def __init__(self, polls: Callable[[], dict[str, Poll]], close: Close, spawn: Spawn) -> None:
        self._polls = polls
        self._close = close
        self._spawn = spawn
        self._running: dict[str, tuple[float, asyncio.TimerHandle]] = {}

    @property
    def pending(self) -> bool:
        """Whether a timer is running (the room must stay loaded to fire it)."""
        return bool(self._running)

    def changed(self, poll_id: str) -> None:
        """After a fold that touched this poll: start, move or stop its timer."""
        poll = self._polls().get(poll_id)
        deadline = poll.closes_ts if poll is not None and poll.status == OPEN else None
        running = self._running.get(poll_id)
        if running is not None and running[0] == deadline:
            return
        if running is not None:
            running[1].cancel()
            del self._running[poll_id]
        if deadline is not None:
            delay = max(0.0, deadline - time.time())
            handle = asyncio.get_running_loop().call_later(delay, self._fire, poll_id, deadline)
            self._running[poll_id] = (deadline, handle)

    def reset(self) -> None:
        """After the state was rebuilt (a load, a new log life): timers for what it holds."""
        self.close()
        for poll_id in list(self._polls()):
            self.changed(poll_id)

    def close(self) -> None:
        for _, handle in self._running.values():
            handle.cancel()
        self._running.clear()

    def _fire(self, poll_id: str, deadline: float) -> None:
        early = deadline - time.time()
        if early > 0:  # the loop's clock may run a little ahead of the wall clock
            handle = asyncio.get_running_loop().call_later(
                early + EARLY_MARGIN, self._fire, poll_id, deadline
            )
            self._running[poll_id] = (deadline, handle)
            return
        self._running.pop(poll_id, None)
        self._spawn(self._close_poll(poll_id, deadline))

    async def _close_poll(self, poll_id: str, deadline: float) -> None:
        command = PollClose(id=0, cid=f"timer-{poll_id}-{round(deadline * 1000)}", poll_id=poll_id)
        for _ in range(ATTEMPTS):
            reply = await self._close(command)
            if not (isinstance(reply, Err) and reply.code == ErrorCode.UNAVAILABLE):
                return
            await asyncio.sleep(RETRY_AFTER)
        log.warning("poll %s: could not close it when its time was up", poll_id)
