"""Hostile clients: floods of refused frames, sockets that never join, foreign Host names,
slow handshakes. Each test talks to a real server over real sockets."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

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
