"""Q&A fan-out: many clients in one room see one gapless history; votes and moderation."""

from __future__ import annotations

import asyncio
from typing import Any

from client.room_client import RoomClient
from tests.conftest import Workshop

from .helpers import (
    Frame,
    assert_gapless,
    cid,
    ev_frames,
    events_through,
    joined,
    room_clients,
    snapshot_state,
    strip_mine,
)


def history(frames: list[Frame]) -> list[tuple[int, float, str, Frame]]:
    """(seq, ts, type, data without viewer marks) of every ev frame."""
    return [(f["seq"], f["ts"], f["type"], strip_mine(f["data"])) for f in ev_frames(frames)]


async def test_thirty_clients_see_one_gapless_history(lifted: Workshop) -> None:
    async with room_clients(lifted.server.ws_url, 30) as clients:
        askers = clients[:3]

        async def ask_twenty(i: int, asker: RoomClient) -> list[dict[str, Any]]:
            return await asyncio.gather(*(asker.ask(f"asker {i}, question {n}") for n in range(20)))

        replies = await asyncio.gather(*(ask_twenty(i, a) for i, a in enumerate(askers)))
        acked = [r for per_asker in replies for r in per_asker]
        assert sorted(r["seq"] for r in acked) == list(range(1, 61))
        assert len({r["qid"] for r in acked}) == 60
        assert all(r["status"] == "live" and r["qid"] == f"q{r['seq']}" for r in acked)

        streams = await asyncio.gather(*(events_through(c, 60) for c in clients))

    reference = history(streams[-1])
    for client, frames in zip(clients, streams, strict=True):
        snapshots = [f for f in frames if f.get("t") == "snapshot"]
        assert [s["seq"] for s in snapshots] == [0], "one snapshot, at join, then events only"
        evs = ev_frames(frames)
        assert_gapless(evs, 1, 60)
        assert history(frames) == reference
        assert client.reconnects == 0

    asked = [d for _, _, t, d in reference if t == "question.asked"]
    assert len(asked) == 60
    assert sorted(d["text"] for d in asked) == sorted(
        f"asker {i}, question {n}" for i in range(3) for n in range(20)
    )
    assert len({d["qid"] for d in asked}) == 60
    # Each asker's own copies (and only those) say `mine`.
    for i, frames in enumerate(streams[:3]):
        mine = [f["data"]["text"] for f in ev_frames(frames) if f["data"].get("mine")]
        assert sorted(mine) == sorted(f"asker {i}, question {n}" for n in range(20))
    assert not any(f["data"].get("mine") for f in ev_frames(streams[10]))


async def test_twenty_concurrent_voters_toggle_with_exact_totals(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    async with room_clients(url, 21) as clients:
        author, voters = clients[0], clients[1:]
        qid = (await author.ask("Which evacuation shelters get the budget first?"))["qid"]

        ups = await asyncio.gather(*(v.vote(qid) for v in voters))
        assert sorted(r["votes"] for r in ups) == list(range(1, 21))
        assert all(r["voted"] is True for r in ups)

        repeat = await voters[0].vote(qid)  # repeating an upvote changes nothing
        assert repeat["votes"] == 20

        downs = await asyncio.gather(*(v.vote(qid, up=False) for v in voters[:10]))
        assert sorted(r["votes"] for r in downs) == list(range(10, 20))
        assert all(r["voted"] is False for r in downs)

        last = max(r["seq"] for r in downs)
        assert last == 1 + 20 + 1 + 10
        streams = await asyncio.gather(*(events_through(c, last) for c in clients))

        for frames in streams:
            evs = ev_frames(frames)
            assert_gapless(evs, 1, last)
            totals = [f["data"]["votes"] for f in evs if f["type"] == "question.voted"]
            assert totals == [*range(1, 21), *range(19, 9, -1)]
            assert evs[repeat["seq"] - 1]["type"] == "hidden"  # the no-op repeat
        # A voter's own copy says how it voted; nobody else's does.
        own = [f for f in ev_frames(streams[1]) if "voted" in f["data"]]
        assert [f["data"]["voted"] for f in own] == [True, False]

        async with RoomClient(url, "SUB-PLAN", name="late", keep_raw=True) as late:
            (question,) = (await snapshot_state(late))["questions"]
            assert question["votes"] == 10
        # Votes belong to the pid: a voter's next connection (same token) remembers them.
        for voter, still_up in ((voters[15], True), (voters[3], False)):
            async with RoomClient(url, "SUB-PLAN", name="again", token=voter.token) as again:
                mine = (await snapshot_state(again))["mine"]
                assert mine["votes"] == ([qid] if still_up else [])


async def test_moderation_reaches_everyone(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    moderator = RoomClient(url, "SUB-PLAN", name="Mod", key=lifted.moderator_key, keep_raw=True)
    author = RoomClient(url, "SUB-PLAN", name="Aiko", org="Sendai City", keep_raw=True)
    presenter = RoomClient(url, "SUB-PLAN", name="Screen", keep_raw=True)  # /present view
    other = RoomClient(url, "SUB-PLAN", name="Bold", org="Ulaanbaatar City", keep_raw=True)
    everyone = [moderator, author, presenter, other]
    await asyncio.gather(*(c.connect() for c in everyone))
    try:
        assert moderator.me is not None and "moderator" in moderator.me["roles"]
        await moderator.settings(premoderation=True)
        asked = await author.ask("How were the shelter sites chosen?")
        qid = asked["qid"]
        assert asked["status"] == "pending"
        steps: list[tuple[str, str]] = [
            ("approve", "question.status"),
            ("edit", "question.edited"),
            ("answer", "question.answer"),
            ("pin", "question.pinned"),
            ("unpin", "question.pinned"),
            ("pin", "question.pinned"),
            ("answered", "question.status"),
            ("reopen", "question.status"),
            ("dismiss", "question.status"),
            ("reopen", "question.status"),
        ]
        seqs: list[int] = []
        for action, _ in steps:
            if action == "edit":
                reply = await moderator.edit(qid, "How were the evacuation shelter sites chosen?")
            elif action == "answer":
                reply = await moderator.answer(qid, "By hazard maps and walking distance.")
            else:
                reply = await moderator.moderate(qid, action)
            seqs.append(reply["seq"])
        last = seqs[-1]
        assert seqs == list(range(asked["seq"] + 1, last + 1))

        streams = await asyncio.gather(*(events_through(c, last) for c in everyone))
        reference = None
        for client, frames in zip(everyone, streams, strict=True):
            evs = ev_frames(frames)
            assert_gapless(evs, 1, last)
            assert evs[0]["type"] == "room.settings" and evs[0]["data"]["premoderation"] is True
            pending = evs[asked["seq"] - 1]
            if client in (moderator, author):
                assert pending["type"] == "question.asked"
                assert pending["data"]["status"] == "pending"
            else:
                assert pending["type"] == "hidden" and pending["data"] == {}
            tail = [(f["type"], strip_mine(f["data"])) for f in evs[asked["seq"] :]]
            assert [t for t, _ in tail] == [t for _, t in steps]
            if reference is None:
                reference = tail
            assert tail == reference, "every client sees the same moderation events"

        assert reference is not None
        data = [d for _, d in reference]
        approve, edit, answer, pin, unpin, pin2, answered, reopen, dismiss, reopen2 = data
        assert approve["status"] == "live" and approve["by"] == "moderator"
        assert approve["question"]["qid"] == qid
        assert approve["question"]["author"]["name"] == "Aiko"
        text = "How were the evacuation shelter sites chosen?"
        assert edit == {"qid": qid, "text": text, "edited": True}
        assert answer == {"qid": qid, "text": "By hazard maps and walking distance."}
        assert pin == pin2 == {"qid": qid}
        assert unpin == {"qid": None}
        # Marking the pinned question answered also unpins it (PROTOCOL.md "Moderation
        # flow"), so the dismissal later has no pin left to clear.
        assert answered["status"] == "answered" and answered["unpinned"] is True
        assert reopen["status"] == "live"
        assert dismiss["status"] == "dismissed" and "unpinned" not in dismiss
        assert reopen2["status"] == "live" and reopen2["question"]["text"].startswith("How were")

        # The presenter saw the pin as it happened (checked above) and a presenter that
        # opens the page now sees the question, its answer, and no pin (answered cleared it).
        async with RoomClient(url, "SUB-PLAN", name="Screen 2") as screen:
            state = await snapshot_state(screen)
            assert state["pinned"] is None
            (question,) = state["questions"]
            assert question["answer"] == "By hazard maps and walking distance."
            assert question["status"] == "live"
        await moderator.moderate(qid, "pin")
        async with RoomClient(url, "SUB-PLAN", name="Screen 3") as screen:
            assert (await snapshot_state(screen))["pinned"] == qid
    finally:
        await asyncio.gather(*(c.close() for c in everyone), return_exceptions=True)


async def test_the_chair_moves_on_with_next(lifted: Workshop) -> None:
    """`moderate next` over a real server: the pinned question is answered, the most
    voted live one pinned, and a participant's snapshot after it agrees (issue 13)."""
    url = lifted.server.ws_url
    chair, _ = await joined(url, name="Chair", key=lifted.moderator_key)
    watcher, _ = await joined(url, name="Watcher")
    try:
        first = (await watcher.ask("How are shelters funded?"))["qid"]
        second = (await watcher.ask("Who trains the volunteers?"))["qid"]
        third = (await chair.ask("When is the next drill?"))["qid"]
        assert (await chair.request({"t": "vote", "cid": cid(), "qid": third, "up": True}))[
            "t"
        ] == "ok"
        nxt = {"t": "moderate", "cid": cid(), "qid": None, "action": "next"}
        reply = await chair.request(nxt)
        assert (reply["t"], reply["pinned"], reply["answered"]) == ("ok", third, None)
        reply = await chair.request({**nxt, "cid": cid()})
        assert (reply["pinned"], reply["answered"]) == (first, third)
        await watcher.sync()
        pinned = [f["data"] for f in watcher.take("ev") if f["type"] == "question.pinned"]
        assert [p["qid"] for p in pinned] == [third, first]
        assert pinned[1]["answered"]["qid"] == third
        assert pinned[1]["answered"]["question"]["status"] == "answered"
    finally:
        await chair.close()
        await watcher.close()
    async with RoomClient(url, "SUB-PLAN", name="Late") as late:
        state = await snapshot_state(late)
        assert state["pinned"] == first
        statuses = {q["qid"]: q["status"] for q in state["questions"]}
        assert statuses == {first: "live", second: "live", third: "answered"}
