"""Hostile clients: floods of refused frames, sockets that never join, foreign Host names,
slow handshakes. Each test talks to a real server over real sockets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import Workshop, running, start_workshop

from .helpers import Raw, pack


async def test_a_flood_of_refused_frames_closes_with_4029(workshop: Workshop) -> None:
    """Undecodable, unknown and malformed frames are metered like commands (default limits)."""
    raw = await Raw.open(workshop.server.ws_url)
    kinds = [
        b"\xc1 not msgpack",
        pack({"t": "warp", "id": 1}),
        pack({"t": "ask", "id": 2, "text": "no cid"}),
    ]
    try:
        for i in range(3000):
            with contextlib.suppress(ConnectionClosed):
                await raw.ws.send(kinds[i % len(kinds)])
        assert await raw.closed() == 4029
        codes = [f.get("code") for f in raw.inbox if f.get("t") == "err"]
        # Within the rate each frame gets its own named error; past it, rate_limited.
        assert {"bad_frame", "unknown_type", "bad_request"} <= set(codes[:3])
        assert "rate_limited" in codes
        assert len(codes) < 1000  # cut off, not answered frame after frame
    finally:
        await raw.close()
    after = await Raw.open(workshop.server.ws_url)  # the server serves the next one
    try:
        assert (await after.ping())["t"] == "pong"
    finally:
        await after.close()


@pytest.fixture
def hasty(tmp_path: Path) -> Iterator[Workshop]:
    """A server that gives a socket one second to join."""
    yield from running(start_workshop(tmp_path, "--join-timeout", "1"))


async def test_a_socket_that_never_joins_is_closed_with_1008(hasty: Workshop) -> None:
    member = await Raw.open(hasty.server.ws_url)  # armed first, and joined
    lonely: Raw | None = None
    try:
        assert (await member.join())["t"] == "ok"
        lonely = await Raw.open(hasty.server.ws_url)
        assert (await lonely.ping())["t"] == "pong"  # pings do not count as joining
        refused = await lonely.request({"t": "join", "room": "NOPE", "name": "x"})
        assert refused["code"] == "not_found"  # nor does a refused join
        assert await lonely.closed() == 1008
        # The member's deadline was armed before the lonely one's: it has passed too.
        assert (await member.ping())["t"] == "pong"
    finally:
        await member.close()
        if lonely is not None:
            await lonely.close()


async def status_of(port: int, host: str, path: str = "/ws", origin: str | None = None) -> int:
    """The HTTP status of a request (a WebSocket handshake for /ws) naming `host`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}"]
    if path == "/ws":
        lines += [
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Protocol: workshop.v1",
        ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        status = await asyncio.wait_for(reader.readline(), 20)
        return int(status.split()[1])
    finally:
        writer.close()


async def test_a_foreign_host_name_is_refused_with_400(workshop: Workshop) -> None:
    """DNS rebinding: a page on evil.example that resolves to this server is refused,
    though its Origin matches its Host."""
    port = workshop.server.port
    evil = f"evil.example:{port}"
    assert await status_of(port, evil, origin=f"http://{evil}") == 400
    assert await status_of(port, evil) == 400
    for path in ("/", "/healthz", "/api/rooms", "/r/SUB-PLAN", "/static/app.js"):
        assert await status_of(port, evil, path) == 400, path
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{workshop.server.url}/healthz", headers={"Host": evil})
    assert response.status_code == 400
    # The loopback names, as `make run` and the tests use them, with or without the port.
    for own in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"):
        assert await status_of(port, own, origin=f"http://{own}") == 101, own
        assert await status_of(port, own, "/healthz") == 200, own


@pytest.fixture
def published(tmp_path: Path) -> Iterator[Workshop]:
    """A server behind a public name, with one more allowed host."""
    flags = ("--public-url", "https://workshop.example.org/", "--allowed-hosts", "alias.example")
    yield from running(start_workshop(tmp_path, *flags))


async def test_public_url_and_allowed_hosts_are_answered(published: Workshop) -> None:
    port = published.server.port
    for own in ("workshop.example.org", "alias.example", f"ALIAS.example:{port}"):
        assert await status_of(port, own, "/healthz") == 200, own
        assert await status_of(port, own, origin=f"https://{own}") == 101, own
    assert await status_of(port, "127.0.0.1", "/healthz") == 200  # loopback stays allowed
    assert await status_of(port, "evil.example", "/healthz") == 400


@pytest.fixture
def impatient(tmp_path: Path) -> Iterator[Workshop]:
    """A server that gives a request's head (or a handshake) one second."""
    yield from running(start_workshop(tmp_path, "--request-timeout", "1"))


async def dribble(port: int, head: bytes, whole: bytes = b"", wait: float = 20.0) -> bytes:
    """Send `whole` at once, then `head` a byte every 0.2 s, then more header bytes, until
    the server hangs up (within `wait`); return what it sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(whole)
    got = b""
    try:
        async with asyncio.timeout(wait):
            for byte in [head[i : i + 1] for i in range(len(head))] + [b"X"] * 10**6:
                writer.write(byte)
                with contextlib.suppress(TimeoutError):
                    chunk = await asyncio.wait_for(reader.read(4096), 0.2)
                    if not chunk:
                        return got  # EOF: the server closed it
                    got += chunk
    except ConnectionError:
        return got
    finally:
        writer.close()
    raise AssertionError("unreachable")


async def test_slow_requests_and_handshakes_are_cut_off(impatient: Workshop) -> None:
    port = impatient.server.port
    member = await Raw.open(impatient.server.ws_url)  # an upgraded socket is left alone
    try:
        assert (await member.join())["t"] == "ok"
        http = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        ws = (
            b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nX-Slow: "
        )
        # Many at once, as a slowloris would: every one is hung up on, without an answer.
        answers = await asyncio.gather(*(dribble(port, h) for h in [http, ws] * 10))
        assert answers == [b""] * 20
        # A keep-alive connection gets a deadline per request: the second one, dribbled
        # after a complete first, is cut off too.
        first = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        answered = await dribble(port, b"GET /healthz HTTP/1.1\r\nX-Slow: ", whole=first)
        assert answered.startswith(b"HTTP/1.1 200") and answered.count(b"HTTP/1.1") == 1
        assert (await member.ping())["t"] == "pong"
    finally:
        await member.close()
    async with httpx.AsyncClient(timeout=10) as client:  # a prompt request is served
        assert (await client.get(f"{impatient.server.url}/healthz")).status_code == 200


async def send_head(port: int, size: int) -> bytes:
    """Send a request head of about `size` bytes; return what the server answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [b"GET /healthz HTTP/1.1", b"Host: 127.0.0.1"]
    lines += [b"X-Pad-%d: %s" % (i, b"a" * 1000) for i in range(size // 1010)]
    got = b""
    try:
        with contextlib.suppress(ConnectionError):
            writer.write(b"\r\n".join(lines) + b"\r\n\r\n")
            await writer.drain()
        async with asyncio.timeout(20):
            with contextlib.suppress(ConnectionError):
                while chunk := await reader.read(65536):
                    got += chunk
                    if b"\r\n\r\n" in got:
                        break
    finally:
        writer.close()
    return got


async def test_an_oversized_request_head_is_refused(workshop: Workshop) -> None:
    """httptools keeps a head of any size: 4 MB of header lines were answered with 200."""
    port = workshop.server.port
    assert (await send_head(port, 60 * 1024)).startswith(b"HTTP/1.1 200")
    refused = await send_head(port, 4 * 1024 * 1024)
    assert refused == b"" or refused.startswith(b"HTTP/1.1 400"), refused[:100]
