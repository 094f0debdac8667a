"""One socket's send side: direct writes, a bounded queue only while behind, the stall rule.

Issue 7's profile: a queue and a writer task per socket, woken for every frame, cost
twice the CPU of `websockets.broadcast()` and put 200 ms in the p99. So a frame goes
straight onto the transport whenever the socket can take it (`server/live/wire.py`'s
`DirectLine`, written in the room's own fan-out loop, never awaited). Only when it
cannot (a paused transport, another WebSocket implementation) does this socket get a
deque and a writer task, which drains it through the ASGI `send` and then goes away: an
idle socket holds neither (memory per idle connection is measured, issue 7).

A socket that falls behind is closed with 4008 (it resumes from its seq) instead of
slowing its room (DESIGN.md §4), by one rule: a queue at its limit that has taken no
frame for `STALL_SECONDS`, or one `HARD_QUEUE_FACTOR` times over it. A burst queued in one
go (a group commit, a resume's replay) may pass the limit while the writer drains it.

The owner (`server/live/connection.py`) learns of a close from the return values of
`send` and `close`, not from a callback: a bound method kept per connection would be one
more object per idle socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from protocol.codes import CloseCode

log = logging.getLogger("workshop.outbound")

AsgiSend = Callable[[dict[str, Any]], Awaitable[None]]

STALL_SECONDS = 2.0  # a full queue that took no frame for this long is closed with 4008
HARD_QUEUE_FACTOR = 4  # ...and one this many times over the limit is closed at once
FINISH_GRACE = 1.0  # seconds `finish` gives an owed close frame (1011, 1003...)


class Line(Protocol):
    """A synchronous way onto the socket (`wire.DirectLine`)."""

    def write(self, payload: bytes) -> bool:
        """Send `payload` now (or at the end of this loop step); False if the socket
        cannot take it at once, and the frame was not sent."""
        ...


class Outbound:
    """What one socket is owed: frames, in order, then perhaps a close frame."""

    # Slots, and no object made until one is needed: thousands of these live at once.
    __slots__ = (
        "_asgi_send",
        "_clock",
        "_close_code",
        "_close_due",
        "_limit",
        "_line",
        "_progress",
        "_queue",
        "_writer",
    )

    def __init__(
        self,
        send: AsgiSend,
        line: Line | None,
        limit: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`send` is the connection's ASGI send, `line` the direct way onto its transport
        (None where there is none: every frame then goes through `send`), `limit` the
        queue's length past which a stalled socket is closed (`settings.send_queue`)."""
        self._asgi_send = send
        self._line = line
        self._limit = limit
        self._clock = clock
        self._queue: deque[bytes] | None = None  # frames waiting, while a writer runs
        self._writer: asyncio.Task[None] | None = None  # only while frames wait
        self._close_code: int | None = None
        self._close_due = False  # a close frame is owed to the client
        # When the writer last took a frame; set when a writer starts. 0.0 rather than the
        # clock's reading: a shared constant, not a float object per idle connection.
        self._progress = 0.0

    # -- what the owner asks -----------------------------------------------------------

    @property
    def close_code(self) -> int | None:
        """The code this socket is closing with, or None while it is open."""
        return self._close_code

    @property
    def queued(self) -> int:
        """How many frames wait for the writer (0 while the socket keeps up)."""
        queue = self._queue
        return 0 if queue is None else len(queue)

    @property
    def free(self) -> int:
        """Queue slots left before the limit (a resume's replay must fit in them)."""
        return self._limit - self.queued

    @property
    def idle(self) -> bool:
        """Neither a queue nor a writer task: the state of a socket that keeps up."""
        return self._queue is None and self._writer is None

    @property
    def line(self) -> Line | None:
        """The direct way onto the transport, if this connection has one."""
        return self._line

    # -- sending -----------------------------------------------------------------------

    def send(self, frame: bytes) -> bool:
        """Write a frame now if the socket can take it, else queue it for the writer.

        True only if this frame found the socket too slow and closed it with 4008 (the
        owner then leaves its room); frames after a close are dropped."""
        if self._close_code is not None:
            return False
        queue = self._queue
        if queue is None:
            line = self._line
            if line is not None and line.write(frame):
                return False
            self._progress = self._clock()  # the writer starts for this one
            self._start_writer(deque((frame,)))
            return False
        if len(queue) >= self._limit and self._stalled(queue):
            self.close(CloseCode.TOO_SLOW, drop_queued=True)
            return True
        queue.append(frame)
        return False

    def _stalled(self, queue: deque[bytes]) -> bool:
        """Over the queue limit: a burst the writer is still draining is fine (a batch of
        records is queued in one go, before the writer runs); a socket that has taken no
        frame for `STALL_SECONDS`, or is far over the limit, is too slow."""
        return (
            len(queue) >= self._limit * HARD_QUEUE_FACTOR
            or self._clock() - self._progress > STALL_SECONDS
        )

    def close(self, code: int, *, drop_queued: bool = False) -> bool:
        """Owe the client a close frame with `code`, after the queued frames (or at once,
        dropping them). True if this call began the close; False if it had begun."""
        if self._close_code is not None:
            return False
        self._close_code = code
        self._close_due = True
        if self._queue is None:
            self._start_writer(deque())
        elif drop_queued:
            self._queue.clear()
        return True

    def _start_writer(self, queue: deque[bytes]) -> None:
        self._queue = queue
        self._writer = asyncio.get_running_loop().create_task(self._write_queued(queue))

    async def _write_queued(self, queue: deque[bytes]) -> None:
        """Drain the queue through the ASGI `send` (which waits while the transport is
        paused), then send the close frame if one is due; then stop, so that an idle
        socket has neither task nor queue and later frames are written directly again."""
        send = self._asgi_send
        try:
            while queue:
                await send({"type": "websocket.send", "bytes": queue.popleft()})
                self._progress = self._clock()
            if self._close_due:
                # Owed until it is sent: `finish` waits for a close frame still on its way.
                await send({"type": "websocket.close", "code": self._close_code})
                self._close_due = False
        except (OSError, RuntimeError, asyncio.CancelledError):
            queue.clear()
        except Exception as exc:  # uvicorn's ClientDisconnected and the like
            log.debug("writer ended: %r", exc)
            queue.clear()
        finally:
            self._writer = None
            self._queue = None

    # -- the end -----------------------------------------------------------------------

    def disconnected(self) -> None:
        """The socket is gone: nothing more is sent, and what was queued is dropped."""
        if self._close_code is None:
            self._close_code = CloseCode.GOING_AWAY
        if self._queue is not None:
            self._queue.clear()

    async def finish(self, grace: float = FINISH_GRACE) -> None:
        """The socket is gone or closing: give an owed close frame `grace` seconds, then
        stop the writer."""
        writer = self._writer
        if writer is not None and self._close_due:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(writer), grace)
        writer = self._writer
        if writer is not None:
            writer.cancel()
