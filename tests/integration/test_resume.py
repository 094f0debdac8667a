"""Resuming: a client that rejoins with since/epoch gets exactly what it missed.

The resuming side is a raw connection, so the test sees every frame the server sends
(a RoomClient would hide duplicates and gaps by design).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from client.room_client import RoomClient
from tests.conftest import Workshop, start_workshop
from tests.support.server import LIFTED

from .helpers import Frame, Raw, assert_gapless, snapshot_state, wait_for_frame


@pytest.fixture
def short_replay(tmp_path: Path) -> Iterator[Workshop]:
    """A server that replays at most 20 events on resume."""
    w = start_workshop(tmp_path, *LIFTED, "--replay-limit", "20")
    try:
        yield w
    finally:
        w.server.stop()


async def ask_many(client: RoomClient, n: int, label: str, batch: int = 25) -> list[int]:
    """Ask `n` questions, `batch` at a time; return their seqs.

    Batches keep the asker's own frames (replies and events) within a small send queue.
    """
    seqs: list[int] = []
    for start in range(0, n, batch):
        texts = [f"{label} {i}" for i in range(start, min(n, start + batch))]
        replies = await asyncio.gather(*(client.ask(text) for text in texts))
        seqs += [r["seq"] for r in replies]
    return sorted(seqs)


async def follow(url: str, **join: Any) -> tuple[Raw, int, str, str]:
    """A raw participant that joined fresh: (conn, seq, epoch, token), snapshot consumed."""
    raw = await Raw.open(url)
    reply = await raw.join(**join)
    assert reply["t"] == "ok", reply
    snap = await raw.expect(lambda f: f.get("t") == "snapshot")
    assert snap["seq"] == reply["seq"]
    return raw, reply["seq"], reply["epoch"], reply["token"]


@contextlib.asynccontextmanager
async def resumed(url: str, since: int, epoch: str, token: str) -> AsyncIterator[tuple[Raw, Frame]]:
    """A raw connection that rejoined with since/epoch, with the replay (or the snapshot) in
    its inbox; closed on exit."""
    raw = await Raw.open(url)
    try:
        reply = await raw.join(token=token, since=since, epoch=epoch)
        assert reply["t"] == "ok", reply
        await raw.sync()  # the replay (or snapshot) was queued before the pong
        yield raw, reply
    finally:
        await raw.close()


async def away(
    url: str, asker: RoomClient, before: int, missed: int, gone: str, batch: int = 25
) -> tuple[int, str, str]:
    """`asker` asks `before` questions, a raw participant joins, is gone (a clean `close`
    or an `abort` without a close frame) and misses `missed` more: its (seq, epoch, token)."""
    await ask_many(asker, before, "before", batch)
    raw, seq, epoch, token = await follow(url)
    if gone == "abort":
        raw.abort()  # no close frame: the connection is simply gone
    else:
        await raw.close()
    await ask_many(asker, missed, "missed", batch)
    return seq, epoch, token


async def test_rejoin_replays_exactly_the_missed_events(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    async with RoomClient(url, "SUB-PLAN", name="Asker") as asker:
        await ask_many(asker, 3, "before")
        raw, seq, epoch, token = await follow(url)
        assert seq == 3
        await ask_many(asker, 2, "seen")
        seen = await raw.events_until(5)
        assert_gapless(seen, 4, 5)
        raw.abort()  # no close frame: the connection is simply gone

        missed = await ask_many(asker, 4, "missed")  # the others keep asking
        assert missed == [6, 7, 8, 9]

        async with resumed(url, 5, epoch, token) as (again, reply):
            assert reply["seq"] == 9 and reply["epoch"] == epoch
            assert again.take("snapshot") == []
            replay = again.take("ev")
            assert_gapless(replay, 6, 9)
            assert sorted(f["data"]["text"] for f in replay) == [f"missed {i}" for i in range(4)]
            assert all(f["type"] == "question.asked" for f in replay)

            # Live events follow the replay, with nothing repeated.
            await asker.ask("after")
            (live,) = await again.events_until(10)
            assert live["seq"] == 10 and live["data"]["text"] == "after"
            await again.sync()
            assert again.take("ev") == [] and again.take("snapshot") == []


STALE = "0123456789abcdef"


@pytest.mark.parametrize(
    ("server", "before", "missed", "gone", "ahead", "epoch", "replayed"),
    [
        pytest.param("lifted", 2, 0, "close", 0, None, True, id="nothing-missed-no-frames"),
        pytest.param("short_replay", 10, 20, "abort", 0, None, True, id="replay-limit-replayed"),
        pytest.param("short_replay", 0, 25, "abort", 0, None, False, id="too-far-snapshot"),
        pytest.param("lifted", 2, 2, "close", 0, STALE, False, id="stale-epoch-snapshot"),
        pytest.param("lifted", 2, 0, "close", 50, None, False, id="beyond-head-snapshot"),
    ],
)
async def test_resume_gets_the_missed_events_or_a_snapshot(
    request: pytest.FixtureRequest,
    server: str,
    before: int,
    missed: int,
    gone: str,
    ahead: int,
    epoch: str | None,
    replayed: bool,
) -> None:
    """Since `seq + ahead` with `epoch` (the room's own unless given), after `missed`
    events: a replay of exactly those (none when nothing was missed) when it can be one
    (the replay limit of `short_replay` is 20), else one snapshot of the head."""
    w: Workshop = request.getfixturevalue(server)
    url = w.server.ws_url
    async with RoomClient(url, "SUB-PLAN", name="Asker") as asker:
        seq, real_epoch, token = await away(url, asker, before, missed, gone)
        assert seq == before
        head = before + missed
        async with resumed(url, seq + ahead, epoch or real_epoch, token) as (again, reply):
            assert reply["seq"] == head and reply["epoch"] == real_epoch
            if replayed:
                assert again.take("snapshot") == []
                assert_gapless(again.take("ev"), seq + 1, head)
            else:
                assert again.take("ev") == []
                (snap,) = again.take("snapshot")
                assert snap["seq"] == head and len(snap["state"]["questions"]) == head


async def test_resume_longer_than_the_send_queue_gets_a_snapshot(tmp_path: Path) -> None:
    """A replay that cannot fit the socket's send queue would end in 4008 on every try."""
    w = start_workshop(tmp_path, *LIFTED, "--send-queue", "50")  # replay limit: 1000
    try:
        url = w.server.ws_url
        async with RoomClient(url, "SUB-PLAN", name="Asker") as asker:
            # The asker is in the room too: batches keep its own frames within the queue.
            seq, epoch, token = await away(url, asker, 0, 100, "abort", batch=10)
            async with resumed(url, seq, epoch, token) as (again, reply):  # the ok arrived
                assert again.take("ev") == []
                (snap,) = again.take("snapshot")
                assert snap["seq"] == reply["seq"] == 100
                # Still connected, and live events follow.
                await asker.ask("live")
                assert [f["seq"] for f in await again.events_until(101)] == [101]

            # A resume that fits is still a replay.
            seq, epoch, token = await away(url, asker, 0, 20, "abort", batch=10)
            async with resumed(url, seq, epoch, token) as (again, _):
                assert again.take("snapshot") == []
                assert_gapless(again.take("ev"), seq + 1, seq + 20)
    finally:
        w.server.stop()


async def test_token_keeps_the_pid_its_questions_and_votes(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    async with RoomClient(url, "SUB-PLAN", name="Other") as other:
        theirs = (await other.ask("Someone else's question"))["qid"]
        author = RoomClient(url, "SUB-PLAN", name="Aiko", org="Sendai City")
        await author.connect()
        try:
            pid = author.me and author.me["pid"]
            mine = (await author.ask("My own question"))["qid"]
            await author.vote(theirs)
            token = author.token
        finally:
            await author.close()

        async with RoomClient(url, "SUB-PLAN", name="Aiko", token=token) as back:
            assert back.me is not None and back.me["pid"] == pid
            state = await snapshot_state(back)
            assert state["mine"]["questions"] == [mine]
            assert state["mine"]["votes"] == [theirs]
            # The pid is the author: it may withdraw its question, and its vote is kept.
            assert (await back.vote(theirs))["votes"] == 1  # repeating changes nothing
            await back.withdraw(mine)

        async with RoomClient(url, "SUB-PLAN", name="Aiko") as stranger:  # no token
            assert stranger.me is not None and stranger.me["pid"] != pid
            state = await snapshot_state(stranger)
            assert state["mine"] == {"votes": [], "questions": [], "poll_votes": {}}


async def test_second_join_moves_the_connection(lifted: Workshop) -> None:
    """One connection is in at most one room: a join elsewhere leaves the first room."""
    url = lifted.server.ws_url
    async with (
        RoomClient(url, "SUB-PLAN", name="Plan") as plan,
        RoomClient(url, "SUB-EWS", name="Warnings", keep_raw=True) as ews,
    ):
        raw, _, _, _ = await follow(url, org="Mover")
        try:
            await plan.ask("in SUB-PLAN")
            assert [f["seq"] for f in await raw.events_until(1)] == [1]
            moved = await raw.join(room="SUB-EWS", org="Mover")
            assert moved["room"]["code"] == "SUB-EWS" and moved["seq"] == 0
            await plan.ask("SUB-PLAN again")  # must not reach the mover
            await ews.ask("in SUB-EWS")
            (only,) = await raw.events_until(1)
            assert only["data"]["text"] == "in SUB-EWS"
            await raw.sync()
            assert raw.take("ev") == []
            # Presence follows: the mover counts in SUB-EWS (and no longer in SUB-PLAN).
            await wait_for_frame(
                ews, lambda f: f.get("t") == "presence" and f["by_org"].get("Mover") == 1
            )
        finally:
            await raw.close()
