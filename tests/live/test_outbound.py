"""One socket's send side without a socket: direct writes, the queue while behind, the
stall rule, the owed close frame (server/live/outbound.py).

The ASGI `send` is a fake that records what it is given and can be held shut (a socket
that takes nothing); the direct line is a fake that can refuse (a transport that is
behind); the clock is one the test moves. No test sleeps for a stall or times anything:
the timers' tests shorten `STALL_SECONDS` and the drop grace and poll for their effect.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from protocol.codes import CloseCode
from server.live import outbound
from server.live.outbound import HARD_QUEUE_FACTOR, STALL_SECONDS, Outbound
from tests.backends.support import eventually

WAIT = 20.0  # seconds a timer's effect may take to show on a busy machine


class Socket:
    """A fake ASGI `send`: keeps every message; while `gate` is clear it takes nothing."""

    def __init__(self, *, fails: bool = False) -> None:
        self.frames: list[bytes] = []
        self.closed: int | None = None
        self.gate = asyncio.Event()
        self.gate.set()
        self.fails = fails

    async def __call__(self, message: dict[str, Any]) -> None:
        await self.gate.wait()
        if self.fails:
            raise OSError("the peer is gone")
        assert self.closed is None, "a message after the close frame"
        if message["type"] == "websocket.send":
            self.frames.append(message["bytes"])
        else:
            assert message["type"] == "websocket.close"
            self.closed = message["code"]


class Line:
    """A fake direct line: takes frames while `open`, refuses them (behind) otherwise."""

    def __init__(self) -> None:
        self.open = True
        self.frames: list[bytes] = []
        self.dropped = 0

    def write(self, payload: bytes) -> bool:
        if self.open:
            self.frames.append(payload)
        return self.open

    def drop(self) -> None:
        self.dropped += 1


class Owner:
    """Counts what the stall timer tells it."""

    def __init__(self) -> None:
        self.fell = 0

    def fell_behind(self) -> None:
        self.fell += 1


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def frames(n: int, start: int = 0) -> list[bytes]:
    return [f"frame {i}".encode() for i in range(start, start + n)]


async def settled() -> None:
    """Let the writer task run until it waits on the socket or ends."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_frames_go_straight_onto_the_line_with_nothing_held() -> None:
    socket, line = Socket(), Line()
    out = Outbound(socket, line, limit=4)
    for frame in frames(10):
        assert out.send(frame) is False
    assert line.frames == frames(10)
    assert out.idle and out.queued == 0 and out.free == 4
    assert socket.frames == []  # the ASGI path was never used


async def test_behind_it_queues_then_drains_in_order_and_goes_idle() -> None:
    socket, line = Socket(), Line()
    out = Outbound(socket, line, limit=100)
    for frame in frames(3):
        out.send(frame)
    line.open = False  # the transport is behind
    for frame in frames(5, start=3):
        out.send(frame)
    assert not out.idle and out.queued == 5 and out.free == 95
    line.open = True  # ...and can take frames again: the queued ones still go first
    for frame in frames(2, start=8):
        out.send(frame)
    assert line.frames == frames(3)
    await settled()
    assert socket.frames == frames(7, start=3)  # through the ASGI send, in order
    assert out.idle  # no task, no deque
    out.send(b"after")
    assert line.frames[-1] == b"after" and socket.frames[-1] == b"frame 9"


async def test_without_a_line_every_frame_takes_the_asgi_send() -> None:
    socket = Socket()
    out = Outbound(socket, None, limit=100)
    for frame in frames(4):
        out.send(frame)
    await settled()
    assert socket.frames == frames(4) and out.idle and out.line is None


async def test_a_burst_over_the_limit_is_fine_while_the_writer_makes_progress() -> None:
    socket, clock = Socket(), Clock()
    socket.gate.clear()
    out = Outbound(socket, None, limit=4, clock=clock)
    for frame in frames(4 * HARD_QUEUE_FACTOR - 1):
        assert out.send(frame) is False  # one loop step: the writer has not run yet
    assert out.close_code is None
    socket.gate.set()
    await settled()
    assert socket.frames == frames(4 * HARD_QUEUE_FACTOR - 1) and out.idle


async def test_a_full_queue_with_no_progress_for_stall_seconds_closes_with_4008() -> None:
    socket, clock = Socket(), Clock()
    socket.gate.clear()  # the socket takes nothing
    out = Outbound(socket, None, limit=4, clock=clock)
    for frame in frames(4):
        out.send(frame)
    await settled()  # the writer took frame 0 and waits on the socket with it
    clock.now += STALL_SECONDS  # not yet past the stall time: a full queue is kept
    assert out.send(b"just in time") is False and out.close_code is None
    clock.now += 0.001
    assert out.send(b"too late") is True  # this frame closed it: the owner leaves its room
    assert out.close_code == CloseCode.TOO_SLOW and out.queued == 0
    assert out.send(b"after the close") is False  # dropped, and not a second close
    socket.gate.set()
    await settled()
    assert socket.frames == [b"frame 0"]  # the one already handed over, then the close
    assert socket.closed == CloseCode.TOO_SLOW and out.idle


async def test_progress_restarts_the_stall_clock() -> None:
    socket, clock = Socket(), Clock()
    socket.gate.clear()
    out = Outbound(socket, None, limit=2, clock=clock)
    for frame in frames(3):
        out.send(frame)
    await settled()
    clock.now += STALL_SECONDS + 1
    socket.gate.set()  # the socket takes a frame now: progress, at the clock's new time
    await asyncio.sleep(0)
    socket.gate.clear()
    await settled()
    assert socket.frames  # it moved
    for frame in frames(2, start=3):
        assert out.send(frame) is False  # at the limit, but not stalled
    assert out.close_code is None


async def test_a_queue_far_over_the_limit_closes_at_once() -> None:
    socket, clock = Socket(), Clock()
    socket.gate.clear()
    out = Outbound(socket, None, limit=2, clock=clock)  # the clock never moves
    for frame in frames(2 * HARD_QUEUE_FACTOR):
        assert out.send(frame) is False
    assert out.send(b"one too many") is True
    assert out.close_code == CloseCode.TOO_SLOW
    socket.gate.set()
    await settled()
    # All in one loop step: the writer had taken nothing yet, so nothing but the close.
    assert socket.closed == CloseCode.TOO_SLOW and socket.frames == []


async def test_the_close_frame_follows_the_queued_frames() -> None:
    socket, line = Socket(), Line()
    socket.gate.clear()
    line.open = False
    out = Outbound(socket, line, limit=100)
    for frame in frames(5):
        out.send(frame)
    assert out.close(CloseCode.SERVER_ERROR) is True
    assert out.close(CloseCode.FLOODING) is False  # the first close stands
    socket.gate.set()
    await settled()
    assert socket.frames == frames(5) and socket.closed == CloseCode.SERVER_ERROR
    assert out.idle and out.close_code == CloseCode.SERVER_ERROR


async def test_a_close_while_idle_starts_a_writer_for_the_close_frame_alone() -> None:
    socket, line = Socket(), Line()
    out = Outbound(socket, line, limit=100)
    out.send(b"direct")
    assert out.close(CloseCode.UNSUPPORTED_DATA) is True
    assert not out.idle
    out.send(b"dropped")
    await settled()
    assert line.frames == [b"direct"] and socket.frames == []
    assert socket.closed == CloseCode.UNSUPPORTED_DATA and out.idle


async def test_finish_waits_for_an_owed_close_frame() -> None:
    """Even one the writer is already handing to a socket that is slow to take it."""
    socket = Socket()
    socket.gate.clear()
    out = Outbound(socket, None, limit=100)
    out.close(CloseCode.SERVER_ERROR)
    finishing = asyncio.create_task(out.finish())
    await settled()
    assert not finishing.done()  # still giving the close frame its moment
    socket.gate.set()
    await finishing
    assert socket.closed == CloseCode.SERVER_ERROR and out.idle


async def test_finish_gives_up_on_a_socket_that_takes_nothing() -> None:
    socket = Socket()
    socket.gate.clear()
    out = Outbound(socket, None, limit=100)
    out.send(b"stuck")
    out.close(CloseCode.SERVER_ERROR)
    await out.finish(grace=0.01)
    await settled()
    assert out.idle and socket.closed is None  # the writer was stopped, not left behind


async def test_finish_with_nothing_owed_returns_at_once() -> None:
    out = Outbound(Socket(), Line(), limit=100)
    await out.finish(grace=60)  # no writer: nothing to wait for
    assert out.idle


async def test_disconnected_drops_the_queue_and_everything_after() -> None:
    socket, line = Socket(), Line()
    socket.gate.clear()
    line.open = False
    out = Outbound(socket, line, limit=100)
    for frame in frames(5):
        out.send(frame)
    await settled()  # frame 0 is in the socket's hands
    out.disconnected()
    assert out.close_code == CloseCode.GOING_AWAY and out.queued == 0
    line.open = True
    assert out.send(b"late") is False
    socket.gate.set()
    await settled()
    assert socket.frames == [b"frame 0"] and socket.closed is None  # no close owed
    assert line.frames == [] and out.idle


async def test_a_socket_that_fails_ends_the_writer() -> None:
    socket = Socket(fails=True)
    out = Outbound(socket, None, limit=100)
    for frame in frames(3):
        out.send(frame)
    await settled()
    assert out.idle and socket.frames == []


@pytest.mark.parametrize("code", [CloseCode.TOO_SLOW, CloseCode.FLOODING])
async def test_disconnected_keeps_an_earlier_close_code(code: CloseCode) -> None:
    out = Outbound(Socket(), None, limit=100)
    out.close(code)
    out.disconnected()
    assert out.close_code == code
    await out.finish()


# -- bytes (issue 12, item 10) ------------------------------------------------------------


async def test_bytes_are_counted_while_queued_and_drained() -> None:
    socket, line = Socket(), Line()
    socket.gate.clear()
    line.open = False
    out = Outbound(socket, line, limit=100, byte_limit=1000)
    for frame in (b"x" * 10, b"y" * 20, b"z" * 30):
        out.send(frame)
    assert out.queued_bytes == 60 and out.free_bytes == 940
    await settled()  # the writer holds the first frame: it is no longer queued
    assert out.queued_bytes == 50
    socket.gate.set()
    await settled()
    assert out.idle and out.queued_bytes == 0 and out.free_bytes == 1000


async def test_a_queue_at_its_byte_limit_with_no_progress_closes_with_4008() -> None:
    """Far below the frame limit: the bytes alone make it too slow."""
    socket, clock = Socket(), Clock()
    socket.gate.clear()
    out = Outbound(socket, None, limit=1000, byte_limit=100, clock=clock)
    for frame in frames(4, start=10):  # 8 bytes each
        out.send(frame + b"-" * 32)  # 40 bytes each
    await settled()  # the writer took one: 120 bytes queued, over 100
    assert out.queued == 3 and out.queued_bytes == 120
    clock.now += STALL_SECONDS
    assert out.send(b"just in time") is False and out.close_code is None
    clock.now += 0.001
    assert out.send(b"too late") is True
    assert out.close_code == CloseCode.TOO_SLOW and out.queued_bytes == 0


async def test_a_queue_far_over_its_byte_limit_closes_at_once() -> None:
    socket, clock = Socket(), Clock()
    socket.gate.clear()
    out = Outbound(socket, None, limit=1000, byte_limit=100, clock=clock)  # no time passes
    for _ in range(2 * HARD_QUEUE_FACTOR):
        assert out.send(b"b" * 50) is False  # a burst: queued, however far over
    assert out.queued_bytes == 100 * HARD_QUEUE_FACTOR
    assert out.send(b"one too many") is True
    assert out.close_code == CloseCode.TOO_SLOW


# -- the timers (issue 12, item 10) -------------------------------------------------------


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stall timer short enough to wait for: 50 ms."""
    monkeypatch.setattr(outbound, "STALL_SECONDS", 0.05)


async def test_no_timer_for_a_socket_that_keeps_up() -> None:
    socket, line = Socket(), Line()
    out = Outbound(socket, line, limit=10, byte_limit=1000, send_timeout=60)
    for frame in frames(20):
        out.send(frame)
    assert out.idle and not out.watched  # the fast path: no queue, no task, no timer
    socket.gate.clear()
    line.open = False
    out.send(b"behind")
    assert out.watched  # a queue: the timer waits `send_timeout` (60 s) for it
    socket.gate.set()
    await settled()
    assert out.idle and not out.watched


async def test_without_send_timeout_only_a_queue_at_its_limit_holds_a_timer(quick: None) -> None:
    socket, line = Socket(), Line()
    out = Outbound(socket, line, limit=10, byte_limit=1000)  # send_timeout: never
    for frame in frames(20):
        out.send(frame)
    assert out.idle and not out.watched
    socket.gate.clear()
    line.open = False
    for frame in frames(9):
        out.send(frame)
    assert not out.idle and not out.watched  # queued, below both limits
    out.send(b"the tenth")
    assert out.watched  # at the frame limit: the stall timer is armed
    socket.gate.set()
    await settled()
    assert out.idle and not out.watched  # drained: the timer went with the queue


async def test_a_full_queue_in_a_quiet_room_is_closed_by_the_timer(quick: None) -> None:
    """No frame comes after the burst to check the stall rule; the timer does."""
    socket, owner = Socket(), Owner()
    socket.gate.clear()  # the reader stopped
    out = Outbound(socket, None, limit=4, owner=owner)
    for frame in frames(6):
        out.send(frame)
    await eventually(lambda: out.close_code is not None, within=WAIT)
    assert out.close_code == CloseCode.TOO_SLOW and out.queued == 0
    assert owner.fell == 1  # told once, to leave its room
    assert not out.watched  # no line to drop: the server's pings see to the rest
    socket.gate.set()
    await settled()
    assert socket.frames == [b"frame 0"] and socket.closed == CloseCode.TOO_SLOW


async def test_the_timer_waits_while_the_writer_moves(quick: None) -> None:
    socket, clock, owner = Socket(), Clock(), Owner()
    socket.gate.clear()
    out = Outbound(socket, None, limit=2, owner=owner, clock=clock)
    for frame in frames(4):
        out.send(frame)
    await settled()
    # The clock this outbound reads stands still: the writer took a frame just now, for
    # it, however often the (real) timer fires.
    await asyncio.sleep(0.3)
    assert out.close_code is None and out.watched and owner.fell == 0
    clock.now += 0.051  # past the (shortened) stall time
    await eventually(lambda: out.close_code is not None, within=WAIT)
    assert out.close_code == CloseCode.TOO_SLOW and owner.fell == 1


async def test_a_short_queue_that_takes_nothing_for_send_timeout_is_closed() -> None:
    """Below its limits, even one frame stuck in the writer's hands, for `send_timeout`:
    a reader that takes nothing cannot follow the room."""
    socket, owner = Socket(), Owner()
    socket.gate.clear()
    out = Outbound(socket, None, limit=100, owner=owner, send_timeout=0.05)
    out.send(b"the only frame")
    assert out.watched  # a queue, below its limits: the timer waits `send_timeout`
    await eventually(lambda: out.close_code is not None, within=WAIT)
    assert out.close_code == CloseCode.TOO_SLOW and owner.fell == 1


async def test_send_timeout_waits_while_the_writer_moves() -> None:
    socket, clock = Socket(), Clock()
    socket.gate.clear()
    out = Outbound(socket, None, limit=100, send_timeout=0.05, clock=clock)
    for frame in frames(3):
        out.send(frame)
    await asyncio.sleep(0.3)  # the (real) timer fires; this outbound's clock stands still
    assert out.close_code is None and out.watched
    socket.gate.set()
    await settled()
    assert out.idle and not out.watched  # drained: the timer went with the queue


async def test_a_socket_closed_as_too_slow_is_dropped_if_it_lingers(quick: None) -> None:
    socket, line, owner = Socket(), Line(), Owner()
    socket.gate.clear()  # not even the close frame gets out
    line.open = False
    out = Outbound(socket, line, limit=2, owner=owner, drop_grace=0.05)
    for frame in frames(3):
        out.send(frame)
    await eventually(lambda: line.dropped == 1, within=WAIT)
    assert out.close_code == CloseCode.TOO_SLOW and owner.fell == 1
    assert not out.watched


async def test_no_drop_once_the_socket_is_gone(quick: None) -> None:
    socket, line, clock = Socket(), Line(), Clock()
    socket.gate.clear()
    line.open = False
    out = Outbound(socket, line, limit=2, drop_grace=0.05, clock=clock)
    for frame in frames(3):
        out.send(frame)
    await settled()
    clock.now += 1
    assert out.send(b"too late") is True  # closed by a send this time
    assert out.watched  # the drop timer
    out.disconnected()  # ...but the socket went first
    assert not out.watched
    await asyncio.sleep(0.2)
    assert line.dropped == 0
