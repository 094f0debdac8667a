"""A reader that stops is closed in a quiet room too, and is bounded in bytes (issue 12,
item 10).

A real uvicorn server with `workshop serve`'s app, run in the test's loop
(`tests/integration/inprocess.py`) so the test can see the stalled connection's queue and
stop its burst the moment the queue reaches its limit: what happens next, with no more
frames to send, is the thing under test. The clients are real WebSocket clients; the
stalled one has a tiny receive buffer and reads nothing (`helpers.stalled_reader`).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from client.room_client import RoomClient
from protocol.codes import CloseCode
from tests.backends.support import eventually
from tests.support.tcp import established

from .helpers import Frame, stalled_reader, wait_for_frame
from .inprocess import serve

running = contextlib.asynccontextmanager(serve)

TEXT = "避難所の運営について質問します。" * 31  # 496 characters, ~1.5 KB a frame
MAX_QUESTIONS = 20_000  # give up (fail) past this: the stalled socket never backed up
WAIT = 30.0  # seconds: far past the stall time (2 s) plus the drop grace (1 s here)


def asleep_gone(frame: Frame) -> bool:
    return frame.get("t") == "presence" and frame["by_org"].get("Asleep", 0) == 0


async def test_a_stalled_reader_is_closed_when_the_room_goes_quiet(tmp_path: Path) -> None:
    """After a burst the room is silent: no frame comes to check the stall rule. The
    stall timer closes the socket with 4008, it leaves the room, and its connection is
    dropped once the drop grace is over. Before, it stayed open, holding its queue.
    (A long `send_timeout`: the rule at the limit, 2 s, is the one under test.)"""
    changes = {"send_queue": 50, "drop_grace": 1.0, "send_timeout": 600.0}
    async with running(tmp_path, changes) as server:
        slow = await stalled_reader(server.port, org="Asleep")
        publisher = RoomClient(server.url, "SUB-PLAN", name="Publisher", inbox=100_000)
        try:
            await publisher.connect()  # after the stalled one: its presence counts it
            session = server.session_of("Sleepy")
            out = session._out
            asked = 0
            while out.queued < 50:  # the burst: until the stalled queue is at its limit
                assert asked < MAX_QUESTIONS, "the stalled socket never backed up"
                await asyncio.gather(*(publisher.ask(TEXT) for _ in range(10)))
                asked += 10
            # The room goes quiet here, with the queue full and nothing more to send.
            assert out.close_code is None and out.watched  # only the timer can act now
            await wait_for_frame(publisher, asleep_gone, wait=WAIT)
            assert out.close_code == CloseCode.TOO_SLOW and out.queued == 0
            assert session.room is not None and session not in session.room.members
            # The connection itself is gone: the server forgot it, and the reader's own
            # kernel saw the reset.
            await eventually(lambda: session not in server.sessions(), within=WAIT)
            sock = slow.ws.transport.get_extra_info("socket")
            await eventually(lambda: not established(sock), within=WAIT)
            assert publisher.reconnects == 0
        finally:
            await asyncio.gather(publisher.close(), slow.close())


async def test_a_stalled_reader_below_its_limits_is_closed_after_the_send_timeout(
    tmp_path: Path,
) -> None:
    """A few frames queued, far below the limits (after a burst the kernel and the
    transport take all but a few hundred frames), and a reader that takes nothing. Before,
    no rule applied: it stayed in the room for good (uvicorn's close after a ping timeout
    waits for the buffer to drain). Now a queue that took no frame for `send_timeout` is
    closed with 4008 and dropped like any other."""
    changes = {"send_timeout": 3.0, "drop_grace": 1.0}
    async with running(tmp_path, changes) as server:
        slow = await stalled_reader(server.port, org="Asleep")
        publisher = RoomClient(server.url, "SUB-PLAN", name="Publisher", inbox=100_000)
        try:
            await publisher.connect()
            session = server.session_of("Sleepy")
            out = session._out
            asked = 0
            while out.queued < 5:  # backed up, a few frames queued: far below 1,024
                assert asked < MAX_QUESTIONS, "the stalled socket never backed up"
                await asyncio.gather(*(publisher.ask(TEXT) for _ in range(5)))
                asked += 5
            assert out.close_code is None and out.queued < 1024 // 4
            await wait_for_frame(publisher, asleep_gone, wait=WAIT)
            assert out.close_code == CloseCode.TOO_SLOW
            await eventually(lambda: session not in server.sessions(), within=WAIT)
            sock = slow.ws.transport.get_extra_info("socket")
            await eventually(lambda: not established(sock), within=WAIT)
        finally:
            await asyncio.gather(publisher.close(), slow.close())


async def test_the_byte_limit_drops_a_slow_reader_before_the_frame_limit(
    tmp_path: Path,
) -> None:
    """1,024 frames of long questions are 1.5 MB; `send_queue_bytes` of 64 KiB stops the
    queue far below that many frames, and it never holds more than its hard ceiling."""
    byte_limit = 64 * 1024
    async with running(tmp_path, {"send_queue_bytes": byte_limit}) as server:
        slow = await stalled_reader(server.port, org="Asleep")
        publisher = RoomClient(server.url, "SUB-PLAN", name="Publisher", inbox=100_000)
        try:
            await publisher.connect()
            session = server.session_of("Sleepy")
            out = session._out
            assert session.settings.send_queue == 1024  # the frame limit: the default
            most_frames = most_bytes = asked = 0
            while out.close_code is None:
                assert asked < MAX_QUESTIONS, "the stalled client was never dropped"
                await asyncio.gather(*(publisher.ask(TEXT) for _ in range(10)))
                asked += 10
                most_frames = max(most_frames, out.queued)
                most_bytes = max(most_bytes, out.queued_bytes)
            assert out.close_code == CloseCode.TOO_SLOW
            assert 0 < most_frames < 1024 // 4  # closed long before the frame limit
            assert most_bytes <= 4 * byte_limit + 2 * 1600  # the hard ceiling, + a frame
            await wait_for_frame(publisher, asleep_gone, wait=WAIT)
        finally:
            await asyncio.gather(publisher.close(), slow.close())


async def test_a_reader_that_keeps_up_holds_no_timer(tmp_path: Path) -> None:
    """The fast path is unchanged: a socket that keeps up has no queue and no timer."""
    async with running(tmp_path) as server:
        reader = RoomClient(server.url, "SUB-PLAN", name="Reader", keep_raw=True)
        publisher = RoomClient(server.url, "SUB-PLAN", name="Publisher")
        try:
            await reader.connect()
            await publisher.connect()
            for _ in range(20):
                await publisher.ask(TEXT)
            out = server.session_of("Reader")._out
            await eventually(lambda: out.idle, within=WAIT)
            assert not out.watched and out.queued_bytes == 0
        finally:
            await asyncio.gather(reader.close(), publisher.close())
