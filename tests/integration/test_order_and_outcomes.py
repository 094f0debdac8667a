"""One connection's commands are applied in the order it sent them, and a retried
`(pid, cid)` gets its first outcome even after a restart that loads the room from a
snapshot: both backends (issue 12, items 1 and 2; docs/reliability.md, "Order and
outcomes").
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Workshop, lifted_on

from .helpers import Frame, Raw, cid, joined

WRITERS = 4
EDITS = 500  # per writer, all sent before the first reply is read


@pytest.fixture(params=["sqlite", "redis"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workshop]:
    """A server with lifted rate limits, on the embedded backend or on a real Redis."""
    with lifted_on(request.param, tmp_path_factory.mktemp(f"order-{request.param}")) as w:
        yield w


async def moderator(w: Workshop) -> Raw:
    raw, _ = await joined(w.server.ws_url, name="Chair", key=w.moderator_key)
    return raw


async def test_pipelined_commands_are_logged_in_send_order(target: Workshop) -> None:
    """Several moderators each send hundreds of edits of one question without waiting:
    every connection's edits get increasing seqs, in the order it sent them, and the
    question ends with some connection's last text."""
    url = target.server.ws_url
    asker, _ = await joined(url, name="Asker")
    chairs = [await moderator(target) for _ in range(WRITERS)]
    try:
        qid = (await asker.ask("Which shelters have generators?"))["qid"]

        async def edits(n: int, chair: Raw) -> list[int]:
            ids = [
                await chair.send({"t": "edit", "cid": cid(), "qid": qid, "text": f"{n}:{i}"})
                for i in range(EDITS)
            ]
            replies = [await chair.reply(i, 60) for i in ids]
            assert all(r["t"] == "ok" for r in replies), [r for r in replies if r["t"] != "ok"][:3]
            return [int(r["seq"]) for r in replies]

        seqs = await asyncio.gather(*(edits(n, c) for n, c in enumerate(chairs)))
        for n, got in enumerate(seqs):
            late = [i for i in range(1, len(got)) if got[i] <= got[i - 1]]
            assert not late, f"writer {n}: {len(late)} edits applied before an earlier one"
        last = max(range(WRITERS), key=lambda n: seqs[n][-1])
        await asker.sync()
        texts = [f["data"]["text"] for f in asker.take("ev") if f.get("type") == "question.edited"]
        assert texts[-1] == f"{last}:{EDITS - 1}"
    finally:
        for raw in (asker, *chairs):
            await raw.close()


def outcome(reply: Frame) -> dict[str, Any]:
    return {k: v for k, v in reply.items() if k != "re"}


async def test_a_retry_after_a_restart_gets_its_first_outcome(target: Workshop) -> None:
    """Outcomes travel with snapshots: after a restart that loads the room from a
    snapshot taken past them, a retried ask gets its `qid` and `status` again (not a bare
    `duplicate`), and a retried refused command is refused again (not `ok`)."""
    server = target.server
    raw, welcome = await joined(server.ws_url, name="Retrier")
    token = welcome["token"]
    ask = {"t": "ask", "cid": cid(), "text": "Is the evacuation map printed in Mongolian?"}
    vote = {"t": "vote", "cid": cid(), "qid": "q424242", "up": True}
    try:
        first_ask = await raw.request(ask)
        first_vote = await raw.request(vote)
        assert first_ask["t"] == "ok" and "qid" in first_ask, first_ask
        assert first_vote["t"] == "err" and first_vote["code"] == "not_found", first_vote
        # Enough later records that the room saves a snapshot past both of them.
        ids = [
            await raw.send({"t": "ask", "cid": cid(), "text": f"filler {i}"}) for i in range(700)
        ]
        for i in ids:
            assert (await raw.reply(i, 60))["t"] == "ok"
    finally:
        await raw.close()
    server.stop()
    server.start()
    again, rejoined = await joined(server.ws_url, name="Retrier", token=token)
    try:
        assert rejoined["me"]["pid"] == welcome["me"]["pid"]
        retried_ask = await again.request(ask)
        retried_vote = await again.request(vote)
    finally:
        await again.close()
    assert outcome(retried_ask) == outcome(first_ask)
    assert outcome(retried_vote) == outcome(first_vote)
