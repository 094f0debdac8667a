"""Hostile and broken input: named errors on an open connection, or the documented close."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from client.errors import CommandError
from client.room_client import RoomClient
from tests.conftest import Workshop, start_workshop

from .helpers import SUBPROTOCOL, Raw, cid, open_ws, pack, snapshot_state


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[Workshop]:
    """Tiny command and connection limits, to reach them quickly."""
    w = start_workshop(
        tmp_path,
        "--command-rate", "2", "--command-burst", "2", "--flood-limit", "3",
        "--conns-per-ip", "3",
    )  # fmt: skip
    try:
        yield w
    finally:
        w.server.stop()


def healthy(w: Workshop) -> None:
    assert httpx.get(f"{w.server.url}/healthz", timeout=10).status_code == 200
    assert httpx.get(f"{w.server.url}/readyz", timeout=10).status_code == 200
    assert w.server.proc is not None and w.server.proc.poll() is None


async def assert_err(raw: Raw, data: bytes, code: str, re: int | None) -> None:
    """Send `data`; expect `err` with `code` and `re`, then a working `ping`."""
    await raw.ws.send(data)
    reply = await raw.expect(lambda f: f.get("t") == "err")
    assert (reply["code"], reply["re"]) == (code, re), reply
    assert isinstance(reply["msg"], str) and reply["msg"]
    assert (await raw.ping())["t"] == "pong"


async def test_malformed_frames_get_named_errors(workshop: Workshop) -> None:
    raw = await Raw.open(workshop.server.ws_url)
    try:
        before_join: list[tuple[bytes, str, int | None]] = [
            (b"\xc1\xff\x00 not msgpack \x93", "bad_frame", None),
            (b"", "bad_frame", None),
            (pack([1, 2, 3]), "bad_frame", None),
            (pack("just a string"), "bad_frame", None),
            (pack(7), "bad_frame", None),
            (pack({"t": "ping", "id": 1}) + b"\x00", "bad_frame", None),  # two values
            (pack({1: "int key", "t": "ping"}), "bad_frame", None),
            (pack({"t": "ping", "id": 2**60}), "bad_frame", None),  # beyond 2^53
            (pack({"t": "warp", "id": 3}), "unknown_type", 3),
            (pack({"t": 5, "id": 4}), "bad_request", 4),
            (pack({"t": "ask", "id": 5, "cid": cid(), "text": "hi"}), "bad_request", 5),
            (pack({"t": "join", "id": 6, "name": "x"}), "bad_request", 6),
            (pack({"t": "join", "id": 7, "room": "NOPE", "name": "x"}), "not_found", 7),
            (pack({"t": "join", "id": 8, "room": "SUB PLAN!", "name": "x"}), "bad_request", 8),
            (pack({"t": "join", "id": 9, "room": "SUB-PLAN", "name": ""}), "bad_request", 9),
            (
                pack({"t": "join", "id": 10, "room": "SUB-PLAN", "name": "x" * 61}),
                "bad_request",
                10,
            ),
        ]
        for data, code, re in before_join:
            await assert_err(raw, data, code, re)

        assert (await raw.join())["t"] == "ok"
        bad: list[tuple[dict[str, Any], str]] = [
            ({"t": "ask", "cid": cid()}, "bad_request"),  # no text
            ({"t": "ask", "text": "no cid"}, "bad_request"),
            ({"t": "ask", "cid": cid(), "text": 42}, "bad_request"),
            ({"t": "ask", "cid": cid(), "text": "   "}, "bad_request"),
            ({"t": "ask", "cid": cid(), "text": "x" * 501}, "bad_request"),
            ({"t": "ask", "cid": cid(), "text": "ok", "lang": "fr"}, "bad_request"),
            ({"t": "ask", "cid": cid(), "text": "ok", "anon": "yes"}, "bad_request"),
            ({"t": "ask", "cid": cid(), "text": "bell \x07"}, "bad_request"),
            ({"t": "vote", "cid": cid(), "qid": "q1"}, "bad_request"),  # no `up`
            ({"t": "vote", "cid": cid(), "qid": "q999", "up": True}, "not_found"),
            ({"t": "moderate", "cid": cid(), "qid": "q1", "action": "explode"}, "bad_request"),
            ({"t": "settings", "cid": cid()}, "bad_request"),
            ({"t": "nonsense", "cid": cid()}, "unknown_type"),
        ]
        for i, (frame, code) in enumerate(bad, start=100):
            await assert_err(raw, pack({**frame, "id": i}), code, i)
        no_id = {"t": "ask", "id": "seven", "cid": cid(), "text": "x"}
        await assert_err(raw, pack(no_id), "bad_request", None)

        # Only the vote on q999 reached the log (the fold refused it: a `hidden` seq);
        # every other refusal happened before the log. A good command still works.
        good = await raw.ask("finally a real question")
        assert (good["t"], good["seq"]) == ("ok", 2)
    finally:
        await raw.close()
    healthy(workshop)


async def test_text_frame_closes_with_1003(workshop: Workshop) -> None:
    raw = await Raw.open(workshop.server.ws_url)
    try:
        assert (await raw.join())["t"] == "ok"
        await raw.ws.send('{"t": "ping", "id": 1}')
        assert await raw.closed() == 1003
    finally:
        await raw.close()
    healthy(workshop)


async def test_nothing_sent_after_a_text_frame_counts(workshop: Workshop) -> None:
    """The connection is closing (1003): a command right behind the text frame is ignored."""
    raw = await Raw.open(workshop.server.ws_url)
    try:
        assert (await raw.join())["t"] == "ok"
        await raw.ws.send('{"t": "ping"}')
        for _ in range(3):
            with contextlib.suppress(ConnectionClosed):
                await raw.send({"t": "ask", "cid": cid(), "text": "sneaked in after the close"})
        assert await raw.closed() == 1003
        assert not [f for f in raw.inbox if f.get("t") in ("ok", "ev")]
    finally:
        await raw.close()
    async with RoomClient(workshop.server.ws_url, "SUB-PLAN", name="Check") as check:
        assert (await snapshot_state(check))["questions"] == []


async def test_frame_over_64_kib_closes_with_1009(workshop: Workshop) -> None:
    raw = await Raw.open(workshop.server.ws_url)
    try:
        assert (await raw.join())["t"] == "ok"
        just_under = pack({"t": "ping", "id": 1, "pad": b"x" * (60 * 1024)})  # unknown field
        await raw.ws.send(just_under)
        assert (await raw.expect(lambda f: f.get("re") == 1))["t"] == "pong"
        await raw.ws.send(pack({"t": "ping", "id": 2, "pad": b"x" * (64 * 1024)}))
        assert await raw.closed() == 1009
    finally:
        await raw.close()
    healthy(workshop)


async def test_flooding_is_rate_limited_then_closed_with_4029(strict: Workshop) -> None:
    raw = await Raw.open(strict.server.ws_url)
    try:
        assert (await raw.join())["t"] == "ok"
        # Fire commands without waiting; the bucket (2/s, burst 2) runs dry at once.
        for i in range(1, 30):
            with contextlib.suppress(ConnectionClosed):
                await raw.send({"t": "vote", "id": i, "cid": cid(), "qid": "q1", "up": True})
        code = await raw.closed()
        limited = [f for f in raw.inbox if f.get("code") == "rate_limited"]
        assert code == 4029
        assert len(limited) > 3  # more than --flood-limit refusals before the close
        for frame in limited:
            assert frame["t"] == "err" and isinstance(frame["re"], int)
            assert isinstance(frame["retry_after"], int | float) and frame["retry_after"] > 0
    finally:
        await raw.close()
    healthy(strict)


async def test_join_flood_is_rate_limited_too(strict: Workshop) -> None:
    """Every join builds a snapshot: joins count against the connection's command rate."""
    raw = await Raw.open(strict.server.ws_url)
    try:
        for _ in range(30):
            with contextlib.suppress(ConnectionClosed):
                await raw.send({"t": "join", "room": "SUB-PLAN", "name": "Again"})
        assert await raw.closed() == 4029
        replies = [f for f in raw.inbox if f.get("t") in ("ok", "err")]
        assert [f["t"] for f in replies[:2]] == ["ok", "ok"]  # the burst
        assert any(f.get("code") == "rate_limited" for f in replies)
    finally:
        await raw.close()
    healthy(strict)


async def test_rate_limited_reply_then_recovers(strict: Workshop) -> None:
    """Below the flood limit the connection stays open and works again after retry_after."""
    raw = await Raw.open(strict.server.ws_url)
    try:
        assert (await raw.join())["t"] == "ok"
        ids = [await raw.send({"t": "withdraw", "cid": cid(), "qid": "q1"}) for _ in range(3)]
        replies = [await raw.reply(i) for i in ids]
        assert [r["code"] for r in replies].count("rate_limited") >= 1
        wait = max(r.get("retry_after", 0) for r in replies)
        await asyncio.sleep(wait + 0.5)
        again = await raw.request({"t": "withdraw", "cid": cid(), "qid": "q1"})
        assert again["code"] == "not_found"  # past the limiter: the fold's own answer
    finally:
        await raw.close()


async def test_sixth_question_in_a_minute_is_rate_limited(workshop: Workshop) -> None:
    async with RoomClient(workshop.server.ws_url, "SUB-PLAN", name="Eager") as eager:
        for i in range(5):
            await eager.ask(f"question {i}")
        with pytest.raises(CommandError) as refused:
            await eager.ask("question 6")
        assert refused.value.code == "rate_limited"
        assert refused.value.reply["retry_after"] > 0
        # The limit is per participant: another tab of the same pid is limited too.
        async with RoomClient(
            workshop.server.ws_url, "SUB-PLAN", name="Eager", token=eager.token
        ) as tab:
            with pytest.raises(CommandError) as again:
                await tab.ask("question 7")
            assert again.value.code == "rate_limited"
        async with RoomClient(workshop.server.ws_url, "SUB-PLAN", name="Calm") as calm:
            assert (await calm.ask("my first"))["t"] == "ok"


async def test_connections_per_ip_are_capped(strict: Workshop) -> None:
    url = strict.server.ws_url
    first = [await Raw.open(url) for _ in range(3)]
    try:
        for raw in first:
            assert (await raw.join())["t"] == "ok"
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url, subprotocols=[SUBPROTOCOL]):
                pass
        assert refused.value.response.status_code == 429
        for raw in first:  # the earlier ones keep working
            assert (await raw.ping())["t"] == "pong"
    finally:
        await first[0].close()
    try:
        # A slot is free again once the server has seen the close.
        async with asyncio.timeout(20):
            while True:
                try:
                    again = await open_ws(url)
                    break
                except InvalidStatus as exc:
                    assert exc.response.status_code == 429
                    await asyncio.sleep(0.1)
        await again.close()
    finally:
        for raw in first[1:]:
            await raw.close()
    healthy(strict)


async def test_handshake_without_the_subprotocol_is_refused(workshop: Workshop) -> None:
    for offered in (None, [Subprotocol("workshop.v0")], [Subprotocol("chat")]):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(workshop.server.ws_url, subprotocols=offered):
                pass
        assert 400 <= refused.value.response.status_code < 500
    healthy(workshop)
