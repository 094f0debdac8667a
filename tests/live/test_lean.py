"""uvicorn's protocol trimmed after the handshake (server/live/lean.py): the lean queue and
event behave as the asyncio ones did for uvicorn, and a trimmed socket still receives,
sends and pauses on real uvicorn."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect

from server.live.lean import Gate, Inbox
from server.live.wire import Cork, DirectLine
from tests.backends.support import eventually
from tests.support.server import free_port

WAIT = 20.0


async def test_an_inbox_keeps_order_and_holds_nothing_when_empty() -> None:
    inbox = Inbox()
    assert inbox.empty() and inbox._items is None
    for n in range(3):
        inbox.put_nowait(n)
    assert inbox.qsize() == 3
    assert [await inbox.get() for _ in range(3)] == [0, 1, 2]
    assert inbox.empty() and inbox._items is None


async def test_an_inbox_wakes_its_reader() -> None:
    inbox = Inbox()
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    assert not reader.done()
    inbox.put_nowait("a")
    inbox.put_nowait("b")
    assert await asyncio.wait_for(reader, WAIT) == "a"
    assert await inbox.get() == "b"
    assert inbox._waiter is None


async def test_a_cancelled_read_loses_nothing() -> None:
    inbox = Inbox()
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("kept")  # the reader is woken, then cancelled before it runs
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    assert await inbox.get() == "kept"


async def test_an_inbox_has_one_reader() -> None:
    inbox = Inbox()
    first = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        await inbox.get()
    inbox.put_nowait(1)
    assert await asyncio.wait_for(first, WAIT) == 1


async def test_a_gate_lets_waiters_through_when_set() -> None:
    gate = Gate(is_open=True)
    assert gate.is_set() and await gate.wait()
    gate.clear()
    waiters = [asyncio.create_task(gate.wait()) for _ in range(2)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    gate.set()
    gate.clear()  # like asyncio.Event: a waiter woken by `set` returns all the same
    assert await asyncio.wait_for(asyncio.gather(*waiters), WAIT) == [True, True]
    assert gate._waiters is None


async def test_a_cancelled_wait_leaves_the_gate() -> None:
    gate = Gate()
    waiter = asyncio.create_task(gate.wait())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert gate._waiters == []
    gate.set()
    assert gate.is_set()


class Echo:
    """Accept, open a line (which trims the protocol), echo every frame via the ASGI send."""

    def __init__(self) -> None:
        self.protocol: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        assert DirectLine.open(send, Cork()) is not None
        self.protocol = send.__self__
        while (message := await receive())["type"] == "websocket.receive":
            await send({"type": "websocket.send", "bytes": message["bytes"]})


async def test_a_trimmed_socket_still_receives_and_sends_in_order() -> None:
    app, port = Echo(), free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, interface="asgi3",
                            ws="websockets-sansio", ws_per_message_deflate=False,
                            lifespan="off", log_level="warning")  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, within=WAIT)
    try:
        async with connect(f"ws://127.0.0.1:{port}/", compression=None) as client:
            await eventually(lambda: app.protocol is not None, within=WAIT)
            protocol = app.protocol
            assert isinstance(protocol.queue, Inbox)
            assert isinstance(protocol.writable, Gate) and protocol.writable.is_set()
            assert protocol.request is None and protocol.scope == {}
            # Its instance dict is no bigger than a fresh copy of it.
            assert sys.getsizeof(protocol.__dict__) <= sys.getsizeof(dict(vars(protocol)))
            # websockets' parser generator still holds the request: its headers are gone.
            assert not protocol.conn.parser.gi_frame.f_locals["request"].headers
            frames = [f"frame {n}".encode() for n in range(50)]
            for frame in frames:
                await client.send(frame)
            assert [await asyncio.wait_for(client.recv(), WAIT) for _ in frames] == frames
            # A paused transport holds the sender at the gate until it resumes.
            protocol.pause_writing()
            await client.send(b"held")
            await eventually(lambda: bool(protocol.writable._waiters), within=WAIT)
            protocol.resume_writing()
            assert await asyncio.wait_for(client.recv(), WAIT) == b"held"
    finally:
        server.should_exit = True
        await task
