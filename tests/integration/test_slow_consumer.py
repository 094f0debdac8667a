"""A client that stops reading is closed with 4008; the room goes on for everyone else."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from client.room_client import RoomClient
from tests.backends.support import eventually
from tests.conftest import Workshop, start_workshop
from tests.support.server import LIFTED
from tests.support.tcp import established

from .helpers import Frame, assert_gapless, ev_frames, stalled_reader, unpack

TEXT = "避難所の運営について質問します。" * 31  # 496 characters, ~1.5 KB a frame
MAX_QUESTIONS = 20_000  # give up (fail) past this: the slow client was never closed


@pytest.fixture
def small_queue(tmp_path: Path) -> Iterator[Workshop]:
    # A long drop grace: the stalled client reads its 4008 at the end, however late.
    w = start_workshop(
        tmp_path, *LIFTED, "--send-queue", "50", "--ws-ping-interval", "600",
        "--sqlite-sync", "NORMAL", "--drop-grace", "600",
    )  # fmt: skip
    try:
        yield w
    finally:
        w.server.stop()


async def test_slow_consumer_is_closed_with_4008(small_queue: Workshop) -> None:
    url, port = small_queue.server.ws_url, small_queue.server.port
    normal = RoomClient(url, "SUB-PLAN", name="Normal", org="Awake", keep_raw=True, inbox=100_000)
    publisher = RoomClient(url, "SUB-PLAN", name="Publisher", org="Awake")
    slow = await stalled_reader(port, org="Asleep")
    try:
        await normal.connect()
        await publisher.connect()

        presence: list[Frame] = []

        async def slow_one_left() -> None:
            while True:
                frame = await normal.frames().get()
                if frame.get("t") == "presence":
                    presence.append(frame)
                    if presence[-1]["by_org"].get("Asleep", 0) == 0:
                        return

        watch = asyncio.create_task(slow_one_left())
        last = 0
        asked = 0
        while not watch.done():
            assert asked < MAX_QUESTIONS, "the stalled client was never dropped"
            # 10 at a time: the publisher's own replies and events stay well within its
            # send queue of 50, so it is never the slow one.
            replies = await asyncio.gather(*(publisher.ask(TEXT) for _ in range(10)))
            asked += len(replies)
            last = max(last, *(r["seq"] for r in replies))
        await watch
        assert publisher.reconnects == 0
        assert presence[-1]["count"] == 2  # the server dropped the stalled socket

        # The normal client got every event, without a gap, while the other one stalled.
        frames: list[Frame] = []
        async with asyncio.timeout(60):
            while not any(f.get("t") == "ev" and f["seq"] >= last for f in frames):
                frames.append(unpack(await normal.recv_raw()))
        assert [f["seq"] for f in frames if f.get("t") == "snapshot"] == [0]
        evs = ev_frames(frames)
        assert_gapless(evs, 1, last)
        assert all(f["type"] == "question.asked" for f in evs)
        assert normal.reconnects == 0

        # When the stalled client reads at last, the close it finds says 4008: resume.
        async with asyncio.timeout(60):
            with contextlib.suppress(ConnectionClosed):
                while True:
                    await slow.ws.recv()
        assert slow.ws.close_code == 4008
    finally:
        await asyncio.gather(normal.close(), publisher.close(), slow.close())


@pytest.fixture
def defaults(tmp_path: Path) -> Iterator[Workshop]:
    w = start_workshop(tmp_path, *LIFTED, "--sqlite-sync", "NORMAL")
    try:
        yield w
    finally:
        w.server.stop()


async def test_after_a_burst_a_stalled_reader_is_closed_in_a_quiet_room(
    defaults: Workshop,
) -> None:
    """Issue 12, item 10, as it was found: every limit at its default, a 2,000-event
    burst, then silence. The stalled reader was still in the room 12 s later; now it is
    closed (4008, `--send-timeout`) and dropped (`--drop-grace`), with no frame after the
    burst to check it."""
    url, port = defaults.server.ws_url, defaults.server.port
    slow = await stalled_reader(port, org="Asleep")
    publisher = RoomClient(url, "SUB-PLAN", name="Publisher", org="Awake", inbox=100_000)
    try:
        await publisher.connect()  # after the stalled one: its presence counts it
        for _ in range(100):
            await asyncio.gather(*(publisher.ask(TEXT) for _ in range(20)))
        # Quiet from here on: the stalled one leaves the room, and its kernel sees the
        # connection reset (generous bounds: 5 s + 5 s by default).
        async with asyncio.timeout(60):
            while True:
                frame = await publisher.frames().get()
                if frame.get("t") == "presence" and frame["by_org"].get("Asleep", 0) == 0:
                    break
        sock = slow.ws.transport.get_extra_info("socket")
        await eventually(lambda: not established(sock), within=60)
        assert publisher.reconnects == 0
    finally:
        await asyncio.gather(publisher.close(), slow.close())
