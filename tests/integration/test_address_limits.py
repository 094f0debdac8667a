"""Per-person limits are not bypassed with fresh identities: what one address does across
identities is limited, and another address is not touched (issue 12, item 7;
docs/reliability.md, "Limits per address"). Real servers on both backends; the second
address is 127.0.0.2, a real peer address on the loopback network.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Workshop, lifted_on, running, start_workshop

from .helpers import Frame, Raw, cid

ELSEWHERE = ("127.0.0.2", 0)  # another client address: the whole 127/8 is loopback
NEVER = "0.0001"  # a rate that refills nothing within a test


@pytest.fixture(params=["sqlite", "redis"])
def capped(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workshop]:
    """A server whose per-address limits are small (the others lifted): 10 asks, 10
    votes and 12 new identities per address."""
    flags = (
        "--ip-ask-rate", NEVER, "--ip-ask-burst", "10",
        "--ip-vote-rate", NEVER, "--ip-vote-burst", "10",
        "--ip-identity-rate", NEVER, "--ip-identity-burst", "12",
    )  # fmt: skip
    folder = tmp_path_factory.mktemp(f"limits-{request.param}")
    with lifted_on(request.param, folder, *flags) as w:
        yield w


async def elsewhere(url: str) -> Raw:
    """A connection from the other address, joined as a new participant."""
    raw = await Raw.open(url, local_addr=ELSEWHERE)
    reply = await raw.join(name="Elsewhere")
    assert reply["t"] == "ok", reply
    return raw


def codes(replies: list[Frame]) -> list[str]:
    return [r["t"] if r["t"] == "ok" else r["code"] for r in replies]


async def fresh(url: str, n: int, **kwargs: Any) -> list[Raw]:
    """`n` connections, each joined as a new participant (no token)."""
    raws = [await Raw.open(url, **kwargs) for _ in range(n)]
    replies = await asyncio.gather(*(r.join(name=f"Fresh {i}") for i, r in enumerate(raws)))
    assert codes(list(replies)) == ["ok"] * n
    return raws


async def test_fresh_identities_from_one_address_share_its_asks_and_votes(
    capped: Workshop,
) -> None:
    """Ten connections, each a new identity asking once and voting once, are all the
    address gets: each of the others is refused with `rate_limited` and a `retry_after`
    on its first ask (so not by its own per-person limit), and its socket stays open.
    The same commands from another address go through."""
    url = capped.server.ws_url
    raws = await fresh(url, 12)
    other: Raw | None = None
    try:
        asked = await asyncio.gather(*(r.ask(f"Question {i}?") for i, r in enumerate(raws)))
        assert sorted(codes(asked)) == ["ok"] * 10 + ["rate_limited"] * 2
        refused = [a for a in asked if a["t"] == "err"]
        assert all(a["retry_after"] > 0 for a in refused), refused
        qid = next(a["qid"] for a in asked if a["t"] == "ok")
        voted = await asyncio.gather(
            *(r.request({"t": "vote", "cid": cid(), "qid": qid, "up": True}) for r in raws)
        )
        assert sorted(codes(voted)) == ["ok"] * 10 + ["rate_limited"] * 2
        pongs = [await r.ping() for r in raws]
        assert [p["t"] for p in pongs] == ["pong"] * 12  # no socket closed
        other = await elsewhere(url)
        assert (await other.ask("From another address?"))["t"] == "ok"
        vote = {"t": "vote", "cid": cid(), "qid": qid, "up": True}
        assert (await other.request(vote))["t"] == "ok"
    finally:
        await asyncio.gather(*(r.close() for r in raws))
        if other is not None:
            await other.close()


async def test_new_identities_beyond_the_address_limit_are_refused(capped: Workshop) -> None:
    """Twelve new identities are all one address gets: the next join without a token
    is refused with `rate_limited` on a socket that stays open, where a returning
    participant's token still joins; another address still gets new identities."""
    url = capped.server.ws_url
    raws = await fresh(url, 12)
    late = await Raw.open(url)
    other: Raw | None = None
    try:
        refused = await late.join(name="Thirteenth")
        assert refused["t"] == "err" and refused["code"] == "rate_limited", refused
        assert refused["retry_after"] > 0
        assert (await late.ping())["t"] == "pong"  # not crashed, not closed
        token = (await raws[0].join(name="Fresh 0"))["token"]  # a rejoin mints nothing
        back = await late.join(name="Fresh 0 again", token=token)
        assert back["t"] == "ok" and back["token"] == token, back
        other = await elsewhere(url)
    finally:
        await asyncio.gather(*(r.close() for r in [*raws, late]))
        if other is not None:
            await other.close()


@pytest.fixture
def off(tmp_path: Path) -> Iterator[Workshop]:
    """Bursts that would refuse at once, with each rate at 0: the limits are off."""
    flags = (
        "--ip-ask-rate", "0", "--ip-ask-burst", "1",
        "--ip-vote-rate", "0", "--ip-vote-burst", "1",
        "--ip-identity-rate", "0", "--ip-identity-burst", "1",
    )  # fmt: skip
    yield from running(start_workshop(tmp_path, *flags))


async def test_a_rate_of_0_turns_each_address_limit_off(off: Workshop) -> None:
    """Default per-person and per-connection limits, per-address limits at 0: twenty new
    identities from one address each ask and vote, and nothing is refused."""
    raws = await fresh(off.server.ws_url, 20)
    try:
        asked = await asyncio.gather(*(r.ask(f"Question {i}?") for i, r in enumerate(raws)))
        assert codes(asked) == ["ok"] * 20
        qid = asked[0]["qid"]
        voted = await asyncio.gather(
            *(r.request({"t": "vote", "cid": cid(), "qid": qid, "up": True}) for r in raws)
        )
        assert codes(voted) == ["ok"] * 20
    finally:
        await asyncio.gather(*(r.close() for r in raws))


async def test_the_default_limits_cut_a_flood_of_fresh_identities(workshop: Workshop) -> None:
    """The issue's flood with every default: 150 connections from one address, in waves of
    30 (under `--conns-per-ip`), each a new identity asking once. The address's burst of
    100 goes through, then about one a second; before this every one of them did."""
    url = workshop.server.ws_url
    began = time.monotonic()
    asked: list[Frame] = []
    for wave in range(5):
        raws = await fresh(url, 30)
        try:
            asked += await asyncio.gather(
                *(r.ask(f"Flood {wave}.{i}?") for i, r in enumerate(raws))
            )
        finally:
            for r in raws:
                r.abort()  # as a script would: no close handshake behind unread events
    took = time.monotonic() - began
    through = codes(asked).count("ok")
    assert codes(asked).count("rate_limited") == 150 - through
    assert 100 <= through <= 100 + took + 1, (through, took)  # the burst, then 1/s
