"""One socket's send side: direct writes, a bounded queue only while behind, the stall rule.

Issue 7's profile: a queue and a writer task per socket, woken for every frame, cost
twice the CPU of `websockets.broadcast()` and put 200 ms in the p99. So a frame goes
straight onto the transport whenever the socket can take it (`server/live/wire.py`'s
`DirectLine`, written in the room's own fan-out loop, never awaited). Only when it
cannot (a paused transport, another WebSocket implementation) does this socket get a
deque and a writer task, which drains it through the ASGI `send` and then goes away: an
idle socket holds neither (memory per idle connection is measured, issue 7).

A socket that falls behind is closed with 4008 (it resumes from its seq) instead of
slowing its room (DESIGN.md §4), by one rule: a queue at its limit, in frames
(`settings.send_queue`) or in bytes (`settings.send_queue_bytes`), that has taken no
frame for `STALL_SECONDS`, or one `HARD_QUEUE_FACTOR` times over either. A burst queued in
one go (a group commit, a resume's replay) may pass the limit while the writer drains it.
Bytes as well as frames (issue 12, item 10): 1,024 frames of long questions held 13 MB
for one slow reader, and frames may be 64 KiB each.

The rule is checked when a frame is queued, and on a timer: a socket with a queue holds
one loop timer (`call_later`, no task), set for the moment its queue would be too slow,
so a reader that stops after a burst is closed even if the room goes quiet and no frame
comes to check it (issue 12, item 10: one was still open 12 s later). Below its limits a
queue is too slow once it has taken no frame for `send_timeout` (`settings.send_timeout`,
5 s): a queue exists only while the transport is paused, so the writer can hand over its
next frame only after the peer has taken the 48 KiB between the transport's high- and
low-water marks; one that took less than that in 5 s (under 10 KB/s) cannot follow a
live room, and resumes instead. After a 2,000-event burst the kernel and the transport
took all but a few hundred frames, so a limit alone never fired there; and uvicorn's close
after a ping timeout waits for the buffer to drain, so such a reader was never let go.
A socket that keeps up holds no timer. The close drops the queue at once; the close frame
waits behind what the transport still holds, and a socket that has not finished closing
`drop_grace` seconds later (`settings.drop_grace`, 5) is dropped: its transport aborted,
with a TCP reset (`wire.DirectLine.drop`), since a peer that reads nothing would
otherwise hold it and its buffers forever. Without a direct line there is nothing to
abort: such a socket is left to the server's own timeouts.

The owner (`server/live/connection.py`) learns of a close from the return values of
`send` and `close`, not from a callback: a bound method kept per connection would be one
more object per idle socket. Only the timer's close, which no call returns, is told to the
owner (`Owner.fell_behind`), through a reference the outbound drops when the socket goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from protocol.codes import CloseCode
from server.logs import CONNECTION
from server.metrics import SLOW_CLOSES

log = logging.getLogger("workshop.outbound")
SLOW_LINE = {"event": "connection.slow_closed"}  # server/log_limit.py

AsgiSend = Callable[[dict[str, Any]], Awaitable[None]]

STALL_SECONDS = 2.0  # a full queue that took no frame for this long is closed with 4008
HARD_QUEUE_FACTOR = 4  # ...and one this many times over the limit is closed at once
DROP_SECONDS = 5.0  # a socket closed with 4008 still connected this long after is dropped
# (the default of `settings.drop_grace`)
FINISH_GRACE = 1.0  # seconds `finish` gives an owed close frame (1011, 1003...)
TIMER_SLACK = 0.01  # past the stall time, so the timer never finds it not quite reached


class Line(Protocol):
    """A synchronous way onto the socket (`wire.DirectLine`)."""

    def write(self, payload: bytes) -> bool:
        """Send `payload` now (or at the end of this loop step); False if the socket
        cannot take it at once, and the frame was not sent."""
        ...

    def drop(self) -> None:
        """Drop the connection now, without a close handshake, and what it had buffered."""
        ...

    def write_framed(self, framed: bytes) -> bool:
        """Write frames already framed for the wire, joined; False as for `write`."""
        ...


class Owner(Protocol):
    """Who is told of a close that no call of theirs returned (the stall timer's)."""

    def fell_behind(self) -> None:
        """The socket was closed with 4008 by the stall timer: leave the room."""
        ...


class Outbound:
    """What one socket is owed: frames, in order, then perhaps a close frame."""

    # Slots, and no object made until one is needed: thousands of these live at once.
    __slots__ = (
        "_asgi_send",
        "_byte_limit",
        "_bytes",
        "_clock",
        "_close_code",
        "_close_due",
        "_drop_grace",
        "_limit",
        "_line",
        "_log_id",
        "_owner",
        "_progress",
        "_queue",
        "_send_timeout",
        "_timer",
        "_timer_at_limit",
        "_writer",
    )

    def __init__(
        self,
        send: AsgiSend,
        line: Line | None,
        limit: int,
        *,
        byte_limit: int = sys.maxsize,
        owner: Owner | None = None,
        drop_grace: float = DROP_SECONDS,
        send_timeout: float = math.inf,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`send` is the connection's ASGI send, `line` the direct way onto its transport
        (None where there is none: every frame then goes through `send`), `limit` and
        `byte_limit` the queue's length and size past which a stalled socket is closed
        (`settings.send_queue`, `settings.send_queue_bytes`), `owner` who is told when
        the stall timer closes it, `drop_grace` how long a socket closed as too slow may
        take to finish closing before it is dropped (`settings.drop_grace`), `send_timeout`
        how long a queue of any length may take no frame before it is closed too
        (`settings.send_timeout`; `math.inf`: never)."""
        self._asgi_send = send
        self._line = line
        self._limit = limit
        self._byte_limit = byte_limit
        self._owner = owner
        self._drop_grace = drop_grace
        self._send_timeout = send_timeout
        self._clock = clock
        self._queue: deque[bytes] | None = None  # frames waiting, while a writer runs
        self._writer: asyncio.Task[None] | None = None  # only while frames wait
        self._close_code: int | None = None
        self._log_id = CONNECTION.get()  # a 4008 may be decided in another's task
        self._close_due = False  # a close frame is owed to the client
        # When the writer last took a frame; set when a writer starts. 0.0 rather than the
        # clock's reading: a shared constant, not a float object per idle connection.
        self._progress = 0.0
        self._bytes = 0  # the size of the queued frames
        # The stall timer while the queue is at its limit; after a 4008, the drop timer.
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at_limit = False  # the stall timer is set for the stall time

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
    def queued_bytes(self) -> int:
        """The size of the frames waiting for the writer."""
        return self._bytes

    @property
    def free_bytes(self) -> int:
        """Bytes left before the queue's byte limit (a resume's replay must fit in them)."""
        return self._byte_limit - self._bytes

    @property
    def watched(self) -> bool:
        """A timer is armed: the stall timer (a queue at its limit) or the drop timer."""
        return self._timer is not None

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
            self._bytes = len(frame)
            queue = deque((frame,))
            self._start_writer(queue)
            if self._send_timeout != math.inf:
                self._arm_stall_timer()  # the reader may never take even this one
        else:
            if self._at_limit(queue) and self._stalled(queue):
                self._too_slow()
                return True
            queue.append(frame)
            self._bytes += len(frame)
        if not self._timer_at_limit and self._at_limit(queue):
            self._arm_stall_timer()  # to the stall time, sooner than `send_timeout`
        return False

    def send_batch(self, pairs: list[tuple[bytes, bytes]]) -> bool:
        """Several frames of one loop step, as `(payload, framed)` pairs
        (`server/live/batch_fanout.py`): the framed bytes in one write if the socket can
        take them now, else each payload as `send` would. True as for `send`."""
        if self._close_code is not None:
            return False
        line = self._line
        if self._queue is None and line is not None:
            framed = pairs[0][1] if len(pairs) == 1 else b"".join([f for _, f in pairs])
            if line.write_framed(framed):
                return False
        # Stops at a 4008: the frames after it would be dropped anyway.
        return any(self.send(payload) for payload, _ in pairs)

    def _at_limit(self, queue: deque[bytes]) -> bool:
        return len(queue) >= self._limit or self._bytes >= self._byte_limit

    def _stalled(self, queue: deque[bytes]) -> bool:
        """At the queue's limit: a burst the writer is still draining is fine (a batch of
        records is queued in one go, before the writer runs); a socket that has taken no
        frame for `STALL_SECONDS`, or is far over the limit, is too slow."""
        return (
            len(queue) >= self._limit * HARD_QUEUE_FACTOR
            or self._bytes >= self._byte_limit * HARD_QUEUE_FACTOR
            or self._clock() - self._progress > STALL_SECONDS
        )

    def _too_slow(self) -> None:
        """Close with 4008, dropping the queue; drop the connection if it lingers."""
        SLOW_CLOSES.inc()
        log.info(
            "a socket too far behind was closed (4008)",
            extra=SLOW_LINE | {"connection": self._log_id},
        )
        self.close(CloseCode.TOO_SLOW, drop_queued=True)
        if self._line is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._drop_grace, self._drop)

    # -- the timers: only while there is a queue, or after a 4008 ----------------------

    def _arm_stall_timer(self) -> None:
        """Arm (or move) the stall timer to when the queue would be too slow: the stall
        time if it is at its limit, else `send_timeout` without taking a frame."""
        self._cancel_timer()
        queue = self._queue
        if self._close_code is not None or queue is None:
            return
        at_limit = self._at_limit(queue)
        wait = STALL_SECONDS if at_limit else self._send_timeout
        if wait == math.inf:
            return
        self._timer_at_limit = at_limit
        due = self._progress + wait - self._clock()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(max(due, 0.0) + TIMER_SLACK, self._check_stall)

    def _check_stall(self) -> None:
        """The stall rules, when no frame came to check them."""
        self._timer = None
        self._timer_at_limit = False
        queue = self._queue
        if self._close_code is not None or queue is None:
            return  # closed, or drained: a later queue arms a timer of its own
        if not (self._at_limit(queue) and self._stalled(queue)) and not self._timed_out():
            self._arm_stall_timer()  # the writer moved: the stall time moved with it
            return
        self._too_slow()
        owner = self._owner
        if owner is not None:
            owner.fell_behind()

    def _drop(self) -> None:
        """`drop_grace` seconds after a 4008 the socket is still connected: its peer reads
        nothing, not even the close frame, so drop it (the endpoint then sees it go)."""
        self._timer = None
        line = self._line
        if line is not None:
            log.info("dropped a socket that took no close frame (4008)")
            line.drop()

    def _timed_out(self) -> bool:
        """A writer, with however few frames, that has taken none for `send_timeout`."""
        return self._clock() - self._progress > self._send_timeout

    def _cancel_timer(self) -> None:
        self._timer_at_limit = False
        timer = self._timer
        if timer is not None:
            self._timer = None
            timer.cancel()

    def close(self, code: int, *, drop_queued: bool = False) -> bool:
        """Owe the client a close frame with `code`, after the queued frames (or at once,
        dropping them). True if this call began the close; False if it had begun."""
        if self._close_code is not None:
            return False
        self._cancel_timer()  # open, so it is the stall timer: the rule has done its work
        self._close_code = code
        self._close_due = True
        if self._queue is None:
            self._start_writer(deque())
        elif drop_queued:
            self._queue.clear()
            self._bytes = 0
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
                frame = queue.popleft()
                self._bytes -= len(frame)
                await send({"type": "websocket.send", "bytes": frame})
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
            self._bytes = 0
            if self._close_code is None:
                self._cancel_timer()  # drained while open: no stall to wait for

    # -- the end -----------------------------------------------------------------------

    def disconnected(self) -> None:
        """The socket is gone: nothing more is sent, and what was queued is dropped."""
        if self._close_code is None:
            self._close_code = CloseCode.GOING_AWAY
        self._cancel_timer()
        self._owner = None  # the owner holds this outbound: no cycle left behind
        if self._queue is not None:
            self._queue.clear()
            self._bytes = 0

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
