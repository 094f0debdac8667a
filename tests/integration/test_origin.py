"""Cross-site WebSocket hijacking: a browser's Origin is checked before the upgrade."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from tests.conftest import Workshop, start_workshop

from .helpers import Raw


@pytest.fixture
def allow_example(tmp_path: Path) -> Iterator[Workshop]:
    w = start_workshop(tmp_path, "--allowed-origins", "https://example.org")
    try:
        yield w
    finally:
        w.server.stop()


async def joins(url: str, origin: str | None) -> bool:
    """True when a handshake with `origin` is accepted and the join works."""
    raw = await Raw.open(url, origin=origin)
    try:
        return bool((await raw.join())["t"] == "ok")
    finally:
        await raw.close()


async def refused_status(url: str, origin: str) -> int:
    with pytest.raises(InvalidStatus) as refused:
        await Raw.open(url, origin=origin)
    return refused.value.response.status_code


async def test_other_sites_are_refused_with_403(shared: Workshop) -> None:
    url = shared.server.ws_url
    port = shared.server.port
    for origin in (
        "https://evil.example",
        "http://127.0.0.1.evil.example",
        f"http://127.0.0.1:{port + 1}",  # same host, another port: another origin
        "null",  # sandboxed iframes and file:// pages
        "https://example.org",  # not on this server's allow-list
    ):
        assert await refused_status(url, origin) == 403, origin


async def test_same_origin_and_no_origin_are_accepted(shared: Workshop) -> None:
    url = shared.server.ws_url
    assert await joins(url, f"http://127.0.0.1:{shared.server.port}")
    assert await joins(url, None)  # a non-browser client: rights come from tokens and keys


async def test_allowed_origins_flag(allow_example: Workshop) -> None:
    url = allow_example.server.ws_url
    assert await joins(url, "https://example.org")
    assert await joins(url, f"http://127.0.0.1:{allow_example.server.port}")
    assert await refused_status(url, "https://evil.example") == 403
    assert await refused_status(url, "https://example.org.evil.example") == 403
