"""Hostile clients: floods of refused frames, sockets that never join, foreign Host names,
slow handshakes. Each test talks to a real server over real sockets."""

from __future__ import annotations

import contextlib

from websockets.exceptions import ConnectionClosed

from tests.conftest import Workshop

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
