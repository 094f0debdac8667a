"""Frames go straight onto the transport while a socket keeps up, and through its queue
and a writer task while it does not, never reordered or lost (server/live/wire.py).

The server here is real uvicorn with the app and options `workshop serve` uses, run in
the test's own event loop so that the test can look at each connection's `Connection`:
whether it holds a queue or a writer task at a given moment is the thing under test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode

from client.room_client import RoomClient
from server.live import wire
from server.live.wire import DirectLine, Framer, frame_binary
from tests.backends.support import eventually

from .helpers import assert_gapless, ev_frames, joined, pack, stalled_reader, unpack
from .inprocess import InProcess, serve

TEXT = "避難所の運営について質問します。" * 31  # ~1.5 KB a frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65_535, 65_536, 70_000])
def test_frames_are_the_ones_websockets_would_send(size: int) -> None:
    payload = bytes(i % 251 for i in range(size))
    expected = WsFrame(Opcode.BINARY, payload).serialize(mask=False, extensions=[])
    assert frame_binary(payload) == expected


def test_a_payload_is_framed_once_per_run() -> None:
    framer = Framer()
    first, second = b"\x81\xa1t\xa2ev", b"\x81\xa1t\xa2ok"
    framed = framer(first)
    assert framer(first) is framed  # the same payload object: the same frame bytes
    assert framer(second) == frame_binary(second)
    assert framer(first) == framed and framer(first) is not framed  # framed anew


@pytest.fixture
async def inproc(tmp_path: Path) -> AsyncIterator[InProcess]:
    async for running in serve(tmp_path):
        yield running


async def test_another_websocket_implementation_takes_the_queue(tmp_path: Path) -> None:
    """Without uvicorn's sans-I/O protocol there is no direct line: every frame goes
    through the queue and the ASGI `send`, and the room works the same. (uvicorn's
    `websockets` protocol is the deprecated legacy one; `wsproto` stands for the rest.)"""
    async for running in serve(tmp_path, ws="wsproto"):
        key = running.links["moderator_key"]
        publisher = RoomClient(running.url, "SUB-PLAN", name="Pub", key=key)
        await publisher.connect()
        reader, _ = await joined(running.url, name="Reader")
        try:
            await reader.sync()
            assert running.session_of("Reader")._out.line is None
            seqs = [(await publisher.ask(f"質問 {n}"))["seq"] for n in range(20)]
            evs = ev_frames(await reader.events_until(seqs[-1]))
            assert [f["seq"] for f in evs] == seqs
        finally:
            await asyncio.gather(publisher.close(), reader.close())


async def test_an_unknown_uvicorn_version_takes_the_queue(
    inproc: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sans-I/O protocol, but of a uvicorn release the adapter was not checked
    against (as the version check at import would see 0.99): no direct line, and the
    room's events still arrive, every one, in order."""
    monkeypatch.setattr(wire, "PROTOCOL", wire.sans_io_protocol("0.99.0"))
    key = inproc.links["moderator_key"]
    publisher = RoomClient(inproc.url, "SUB-PLAN", name="Pub", key=key)
    await publisher.connect()
    reader, _ = await joined(inproc.url, name="Reader")
    try:
        await reader.sync()
        assert inproc.session_of("Reader")._out.line is None
        replies = await asyncio.gather(*(publisher.ask(f"質問 {n}") for n in range(40)))
        seqs = sorted(r["seq"] for r in replies)
        evs = ev_frames(await reader.events_until(seqs[-1]))
        assert [f["seq"] for f in evs] == seqs
    finally:
        await asyncio.gather(publisher.close(), reader.close())


async def test_an_idle_connection_has_no_queue_and_no_task(inproc: InProcess) -> None:
    raw, _ = await joined(inproc.url, name="Idle")
    try:
        await raw.sync()
        out = inproc.session_of("Idle")._out
        assert out.line is not None  # uvicorn's sans-I/O protocol, no compression
        assert out.idle  # no queue, no writer task
    finally:
        await raw.close()


async def test_frames_of_one_loop_step_are_written_together(inproc: InProcess) -> None:
    raw, _ = await joined(inproc.url, name="Burst")
    try:
        await raw.sync()
        session = inproc.session_of("Burst")
        line = session._out.line
        assert isinstance(line, DirectLine)
        burst = [pack({"t": "pong", "re": n}) for n in range(1, 6)]
        for payload in burst:  # one loop step: no await in between
            session.send(payload)
        # The first went out at once; the rest wait for the end of this loop step.
        assert line._pending == [frame_binary(p) for p in burst[1:]]
        got = [unpack(await asyncio.wait_for(raw.ws.recv(), 20)) for _ in burst]
        assert [f["re"] for f in got] == [1, 2, 3, 4, 5]  # all of them, in order
        assert line._pending is None
    finally:
        await raw.close()


async def test_a_backed_up_socket_queues_then_goes_direct_again_in_order(
    inproc: InProcess,
) -> None:
    key = inproc.links["moderator_key"]
    publisher = RoomClient(inproc.url, "SUB-PLAN", name="Pub", key=key, inbox=100_000)
    slow = await stalled_reader(inproc.port)
    try:
        await publisher.connect()
        out = inproc.session_of("Sleepy")._out
        assert out.idle

        # The slow client reads nothing now. Ask until its transport backs up and its
        # frames wait in the session's queue (the kernel takes a few MB first; the
        # queue stays well below its 1,024-frame limit).
        last = 0
        async with asyncio.timeout(60):
            while out.queued < 50:
                assert last < 8000, "the slow socket never backed up"
                replies = await asyncio.gather(*(publisher.ask(TEXT) for _ in range(10)))
                last = max(last, *(r["seq"] for r in replies))
        assert not out.idle and out.close_code is None

        # Reading again, it gets every event in order, and its writer drains and stops.
        evs = ev_frames(await slow.events_until(last, wait=60))
        assert_gapless(evs, 1, last)
        await eventually(lambda: out.idle, within=20)

        # Back on the direct path, later events follow on without a gap.
        for _ in range(5):
            assert (await publisher.ask("その後の質問"))["seq"] > last
        evs = ev_frames(await slow.events_until(last + 5))
        assert_gapless(evs, last + 1, last + 5)
        assert out.idle and out.close_code is None
    finally:
        await asyncio.gather(publisher.close(), slow.close())
