"""A `(pid, cid)` is applied at most once: retries get the first outcome, never a second event."""

from __future__ import annotations

import asyncio

from client.room_client import RoomClient
from tests.conftest import Workshop

from .helpers import Frame, cid, joined, snapshot_state


async def questions(url: str) -> list[Frame]:
    async with RoomClient(url, "SUB-PLAN", name="Checker") as checker:
        found = (await snapshot_state(checker))["questions"]
        assert isinstance(found, list)
        return found


def same_outcome(first: Frame, second: Frame) -> None:
    assert first["t"] == second["t"] == "ok", (first, second)
    assert {k: v for k, v in first.items() if k != "re"} == {
        k: v for k, v in second.items() if k != "re"
    }


async def test_same_cid_twice_is_one_question(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    raw, _ = await joined(url)
    try:
        ask = {"t": "ask", "cid": cid(), "text": "Is the early warning app multilingual?"}
        first = await raw.request({**ask, "id": 101})
        second = await raw.request({**ask, "id": 102})
        assert (first["re"], second["re"]) == (101, 102)
        same_outcome(first, second)
        assert first["qid"] == f"q{first['seq']}"
        # The retry was not appended: the next command gets the very next seq.
        other = await raw.ask("A different question")
        assert other["seq"] == first["seq"] + 1
        await raw.sync()
        assert [f["seq"] for f in raw.take("ev")] == [first["seq"], other["seq"]]
    finally:
        await raw.close()
    texts = [q["text"] for q in await questions(url)]
    assert texts == ["Is the early warning app multilingual?", "A different question"]


async def test_concurrent_duplicates_are_one_question(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    raw, _ = await joined(url)
    try:
        ask = {"t": "ask", "cid": cid(), "text": "Who runs the command center at night?"}
        ids = list(range(1000, 1010))
        # Ten copies in flight at once, before any reply.
        await asyncio.gather(*(raw.send({**ask, "id": i}) for i in ids))
        replies = [await raw.reply(i) for i in ids]
        for reply in replies[1:]:
            same_outcome(replies[0], reply)
        await raw.sync()
        assert [f["seq"] for f in raw.take("ev")] == [replies[0]["seq"]]
    finally:
        await raw.close()
    assert [q["text"] for q in await questions(url)] == ["Who runs the command center at night?"]


async def test_duplicate_votes_count_once(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    async with RoomClient(url, "SUB-PLAN", name="Author") as author:
        qid = (await author.ask("Question to vote on"))["qid"]
        raw, _ = await joined(url)
        try:
            up = {"t": "vote", "cid": cid(), "qid": qid, "up": True}
            first = await raw.request(up)
            again = await raw.request(up)
            same_outcome(first, again)
            assert first["votes"] == 1
            down = await raw.request({"t": "vote", "cid": cid(), "qid": qid, "up": False})
            assert down["votes"] == 0
            # The first vote's cid again, after the change: still its first outcome, no new vote.
            late = await raw.request(up)
            same_outcome(first, late)
        finally:
            await raw.close()
        (question,) = await questions(url)
        assert question["votes"] == 0


async def test_retry_after_reconnect_is_not_applied_again(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    raw, reply = await joined(url, name="Bat-Erdene", org="Ulaanbaatar City")
    token = reply["token"]
    ask = {"t": "ask", "cid": cid(), "text": "How do you train volunteers?"}
    try:
        first = await raw.request(ask)
    finally:
        raw.abort()  # the connection is lost right after the reply (or before it reached us)

    again, reply2 = await joined(url, name="Bat-Erdene", org="Ulaanbaatar City", token=token)
    try:
        assert reply2["me"]["pid"] == reply["me"]["pid"]
        retry = await again.request(ask)
        same_outcome(first, retry)
        assert retry["qid"] == first["qid"]
    finally:
        await again.close()
    assert [q["qid"] for q in await questions(url)] == [first["qid"]]


async def test_retry_in_flight_when_the_connection_dropped(lifted: Workshop) -> None:
    """Sent, then the socket dies before the reply is read: the retry gets that outcome."""
    url = lifted.server.ws_url
    raw, reply = await joined(url)
    ask = {"t": "ask", "cid": cid(), "text": "Was this one saved?"}
    await raw.send(ask)
    raw.abort()
    again, _ = await joined(url, token=reply["token"])
    try:
        retry = await again.request(ask)
        assert retry["t"] == "ok"
        assert retry["qid"] == f"q{retry['seq']}"
        second = await again.request(ask)
        same_outcome(retry, second)
    finally:
        await again.close()
    assert [q["text"] for q in await questions(url)] == ["Was this one saved?"]


async def test_same_cid_from_another_participant_is_another_command(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    one, _ = await joined(url, name="One")
    two, _ = await joined(url, name="Two")
    shared = cid()
    try:
        a = await one.request({"t": "ask", "cid": shared, "text": "From one"})
        b = await two.request({"t": "ask", "cid": shared, "text": "From two"})
        assert a["qid"] != b["qid"]
    finally:
        await one.close()
        await two.close()
    assert sorted(q["text"] for q in await questions(url)) == ["From one", "From two"]
