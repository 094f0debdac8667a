"""The adapter onto uvicorn (server/live/wire.py's `DirectLine`) against real uvicorn.

uvicorn runs in the test's own event loop with a five-line ASGI app that accepts, opens
a line and an `Outbound`, and hands them to the test; the client is the websockets
library. These are the tests to run on a new uvicorn release before widening
`KNOWN_UVICORN` and pyproject.toml's pin: each one leans on a private attribute of
uvicorn's sans-I/O protocol that the adapter reads.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from protocol.codes import CloseCode
from server.live import wire
from server.live.lean import Gate, Inbox
from server.live.outbound import AsgiSend, Outbound
from server.live.wire import Cork, DirectLine, known_uvicorn, sans_io_protocol
from tests.backends.support import eventually
from tests.support.server import free_port
from tests.support.tcp import established

WAIT = 20.0  # seconds any one expected frame may take before the test fails


@dataclass
class Accepted:
    """One socket as the server side holds it."""

    send: AsgiSend
    line: DirectLine | None
    out: Outbound
    gone: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def protocol(self) -> Any:
        """uvicorn's protocol object behind the ASGI `send`."""
        return getattr(self.send, "__self__", None)


class App:
    """Accept, open a line and an outbound, and keep the socket until it goes."""

    def __init__(self) -> None:
        self.cork = Cork()
        self.accepted: asyncio.Queue[Accepted] = asyncio.Queue()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        line = DirectLine.open(send, self.cork)
        socket = Accepted(send, line, Outbound(send, line, limit=100_000))
        self.accepted.put_nowait(socket)
        while (await receive())["type"] != "websocket.disconnect":
            pass
        socket.out.disconnected()
        await socket.out.finish()
        socket.gone.set()


@dataclass
class Served:
    app: App
    port: int

    async def connect(self, **options: Any) -> tuple[ClientConnection, Accepted]:
        """A client socket and the server's side of it."""
        options = {"compression": None, "ping_interval": None, "open_timeout": WAIT} | options
        client = await connect(f"ws://127.0.0.1:{self.port}/", **options)
        accepted = await asyncio.wait_for(self.app.accepted.get(), WAIT)
        return client, accepted


async def serve(**overrides: Any) -> AsyncIterator[Served]:
    """uvicorn with the WebSocket options `workshop serve` uses, and `overrides`."""
    app, port = App(), free_port()
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "interface": "asgi3",
        "ws": "websockets-sansio",
        "ws_per_message_deflate": False,
        "lifespan": "off",
        "log_level": "warning",
    } | overrides
    server = uvicorn.Server(uvicorn.Config(app, **options))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, within=WAIT)
    try:
        yield Served(app, port)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    async for running in serve():
        yield running


async def received(client: ClientConnection, n: int) -> list[bytes]:
    got = []
    for _ in range(n):
        data = await asyncio.wait_for(client.recv(), WAIT)
        assert isinstance(data, bytes)
        got.append(data)
    return got


def payloads(n: int) -> list[bytes]:
    return [f"frame {i:05}".encode() for i in range(n)]


# -- which uvicorn -----------------------------------------------------------------------


def test_the_installed_uvicorn_is_one_the_adapter_knows() -> None:
    """If this fails, uvicorn moved past the pin: read its sans-I/O protocol, run this
    file on it, then widen `KNOWN_UVICORN` and pyproject.toml together."""
    assert known_uvicorn(uvicorn.__version__)
    assert wire.PROTOCOL is not None


@pytest.mark.parametrize(
    ("version", "known"),
    [
        ("0.54.0", True),
        ("0.54.7", True),
        ("0.54.1.dev3", True),
        ("0.53.9", False),
        ("0.55.0", False),
        ("1.0.0", False),
        ("0.x", False),
        ("1", False),
        ("", False),
    ],
)
def test_known_versions(version: str, known: bool) -> None:
    assert known_uvicorn(version) is known
    assert (sans_io_protocol(version) is not None) is known


async def test_an_unknown_uvicorn_takes_the_asgi_send_and_delivers_in_order(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if uvicorn were 0.99: no line, every frame through the queue and the ASGI
    `send`, all of them, in order."""
    monkeypatch.setattr(wire, "PROTOCOL", sans_io_protocol("0.99.0"))
    client, accepted = await served.connect()
    try:
        assert accepted.line is None
        sent = payloads(500)
        for payload in sent[:250]:  # one loop step: all of these wait in the queue
            accepted.out.send(payload)
        assert accepted.out.queued == 250
        for payload in sent[250:]:
            accepted.out.send(payload)
            await asyncio.sleep(0)  # and these while the writer drains
        assert await received(client, len(sent)) == sent
        await eventually(lambda: accepted.out.idle, within=WAIT)
    finally:
        await client.close()


# -- when a line is opened ----------------------------------------------------------------


async def test_a_line_on_the_sans_io_protocol_writes_directly(served: Served) -> None:
    client, accepted = await served.connect()
    try:
        assert accepted.line is not None
        # The handshake's request and response (about 4 KiB) are not kept past it.
        assert accepted.protocol.request is None and accepted.protocol.response is None
        sent = payloads(5)
        for payload in sent:  # the first at once, the rest at the end of this step
            accepted.out.send(payload)
        assert accepted.out.idle  # nothing queued: all of them went to the line
        assert await received(client, len(sent)) == sent
    finally:
        await client.close()


async def test_no_line_when_compression_is_negotiated() -> None:
    """permessage-deflate frames each socket's bytes differently: frame-once is off."""
    async for running in serve(ws_per_message_deflate=True):
        client, accepted = await running.connect(compression="deflate")
        try:
            assert accepted.line is None
            sent = payloads(20)
            for payload in sent:
                accepted.out.send(payload)
            assert await received(client, len(sent)) == sent
        finally:
            await client.close()


async def test_no_line_on_another_websocket_protocol() -> None:
    async for running in serve(ws="wsproto"):
        client, accepted = await running.connect()
        try:
            assert accepted.line is None
            accepted.out.send(b"through the queue")
            assert await received(client, 1) == [b"through the queue"]
        finally:
            await client.close()


# -- when a line refuses ------------------------------------------------------------------


async def test_the_protocol_is_trimmed_once_the_handshake_is_complete(served: Served) -> None:
    """What uvicorn keeps per socket (issue 17): a lean queue and event, no handshake
    headers, no scope, an instance dict of the size it needs; the socket still receives."""
    client, accepted = await served.connect()
    protocol = accepted.protocol
    assert isinstance(protocol.queue, Inbox)
    assert isinstance(protocol.writable, Gate) and protocol.writable.is_set()
    assert protocol.scope == {}
    # websockets' parser generator still holds the request: its headers are gone.
    assert not protocol.conn.parser.gi_frame.f_locals["request"].headers
    assert sys.getsizeof(protocol.__dict__) <= sys.getsizeof(dict(vars(protocol)))
    for payload in payloads(20):
        await client.send(payload)
    await eventually(protocol.queue.empty, within=WAIT)  # the app read them
    await client.close()
    await asyncio.wait_for(accepted.gone.wait(), WAIT)  # and then the disconnect


async def test_a_paused_transport_refuses_and_the_frames_queue_in_order(
    served: Served,
) -> None:
    client, accepted = await served.connect()
    try:
        assert accepted.line is not None
        accepted.out.send(b"before")
        accepted.protocol.pause_writing()  # what asyncio does at the high-water mark
        assert accepted.line.write(b"refused") is False
        sent = payloads(10)
        for payload in sent:
            accepted.out.send(payload)
        await asyncio.sleep(0)
        assert accepted.out.queued >= 9  # the writer waits in uvicorn's `send`
        accepted.protocol.resume_writing()
        assert await received(client, 11) == [b"before", *sent]
        await eventually(lambda: accepted.out.idle, within=WAIT)
        assert accepted.line.write(b"direct again") is True
        assert await received(client, 1) == [b"direct again"]
    finally:
        await client.close()


async def test_no_frame_after_a_close_frame(served: Served) -> None:
    """A frame held for the end of the step is dropped if the socket closes first."""
    client, accepted = await served.connect()
    try:
        line = accepted.line
        assert line is not None
        assert line.write(b"first") is True  # out at once
        assert line.write(b"held") is True  # held for the end of this loop step
        # uvicorn's `send` does not yield while the transport is writable: this step.
        await accepted.send({"type": "websocket.close", "code": CloseCode.TOO_SLOW})
        assert line.write(b"after the close") is False
        assert await received(client, 1) == [b"first"]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(client.recv(), WAIT)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == CloseCode.TOO_SLOW
    finally:
        await client.close()


async def test_a_gone_socket_refuses(served: Served) -> None:
    client, accepted = await served.connect()
    line = accepted.line
    assert line is not None
    client.transport.abort()  # no close frame: the TCP connection just ends
    await asyncio.wait_for(accepted.gone.wait(), WAIT)
    assert line.write(b"to nobody") is False
    assert accepted.out.send(b"to nobody") is False and accepted.out.idle


async def test_drop_resets_a_connection_whose_peer_reads_nothing(served: Served) -> None:
    """Issue 12, item 10: a close frame waits behind what the transport holds, and a
    transport's close waits for a peer that reads nothing; a drop ends it now."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", served.port))
    client, accepted = await served.connect(sock=sock, max_queue=1)
    try:
        line = accepted.line
        assert line is not None
        big = b"x" * 16384
        sent = 0
        while accepted.protocol.writable.is_set():  # until the transport backs up
            assert sent < 10_000, "the transport never backed up"
            accepted.out.send(big)
            sent += 1
            await asyncio.sleep(0)
        accepted.out.close(CloseCode.TOO_SLOW, drop_queued=True)
        await asyncio.sleep(0.1)
        assert not accepted.gone.is_set()  # the close frame cannot get out
        line.drop()
        await asyncio.wait_for(accepted.gone.wait(), WAIT)  # uvicorn saw it lost
        await eventually(lambda: not established(sock), within=WAIT)  # a reset, at once
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(client.recv(), WAIT)
        assert closed.value.rcvd is None  # no close frame: it was dropped
        line.drop()  # a second drop, of a gone socket, does nothing
    finally:
        await client.close()
