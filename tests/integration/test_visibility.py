"""Who sees what: premoderation, anonymous questions, closed rooms, the moderation queue."""

from __future__ import annotations

from client.errors import CommandError
from client.room_client import RoomClient
from tests.conftest import Workshop

from .helpers import Frame, Raw, cid, events_through, joined, snapshot_state, wait_for_frame


async def at(raw: Raw, seq: int) -> Frame:
    """The ev frame of `seq` (earlier ones are dropped)."""
    return (await raw.events_until(seq))[-1]


async def test_premoderated_question_is_seen_by_moderators_and_author(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    mod, _ = await joined(url, name="Mod", key=lifted.moderator_key)
    author, author_join = await joined(url, name="Aiko", org="Sendai City")
    author_tab, _ = await joined(url, name="Aiko", token=author_join["token"])  # second tab
    other, _ = await joined(url, name="Bold", org="Ulaanbaatar City")
    everyone = (mod, author, author_tab, other)
    try:
        on = await mod.request({"t": "settings", "cid": cid(), "premoderation": True})
        asked = await author.ask("Can we visit the Sendai command center?")
        assert asked["status"] == "pending" and asked["seq"] == on["seq"] + 1
        seq = asked["seq"]

        for raw in (mod, author, author_tab):
            frame = await at(raw, seq)
            assert frame["type"] == "question.asked"
            assert frame["data"]["status"] == "pending"
            assert frame["data"]["text"] == "Can we visit the Sendai command center?"
        hidden = await at(other, seq)
        assert (hidden["seq"], hidden["type"], hidden["data"]) == (seq, "hidden", {})

        # Snapshots agree with the live view.
        late_other, _ = await joined(url, name="Late")
        late_author, _ = await joined(url, name="Aiko", token=author_join["token"])
        try:
            for raw, count in ((late_other, 0), (late_author, 1)):
                snap = await raw.expect(lambda f: f.get("t") == "snapshot")
                assert len(snap["state"]["questions"]) == count
        finally:
            await late_other.close()
            await late_author.close()

        approved = await mod.request(
            {"t": "moderate", "cid": cid(), "qid": asked["qid"], "action": "approve"}
        )
        for raw in everyone:
            frame = await at(raw, approved["seq"])
            assert frame["type"] == "question.status"
            assert frame["data"]["status"] == "live"
            question = frame["data"]["question"]
            assert question["qid"] == asked["qid"]
            assert question["text"] == "Can we visit the Sendai command center?"
            assert question["author"]["name"] == "Aiko"

        # A pending question a moderator dismisses stays out of sight of everyone else.
        held = await author.ask("A second thought")
        dismissed = await mod.request(
            {"t": "moderate", "cid": cid(), "qid": held["qid"], "action": "dismiss"}
        )
        for raw, visible in ((mod, True), (author, True), (author_tab, True), (other, False)):
            evs = await raw.events_until(dismissed["seq"])
            assert [f["type"] != "hidden" for f in evs[-2:]] == [visible, visible]
    finally:
        for raw in everyone:
            await raw.close()


async def test_anonymous_author_is_never_revealed(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    name = "Oyunchimeg Secret-Name-7421"
    mod, _ = await joined(url, name="Mod", key=lifted.moderator_key)
    rap, _ = await joined(url, name="Rapporteur", key=lifted.rapporteur_key)
    author, author_join = await joined(url, name=name)
    other, _ = await joined(url, name="Other")
    pid = author_join["me"]["pid"]
    watchers = [mod, rap, author, other]
    try:
        settings = await mod.request({"t": "settings", "cid": cid(), "premoderation": True})
        assert settings["t"] == "ok"
        asked = await author.ask("Is the budget enough?", anon=True)
        qid = asked["qid"]
        steps = [
            {"t": "moderate", "qid": qid, "action": "approve"},
            {"t": "edit", "qid": qid, "text": "Is the shelter budget enough?"},
            {"t": "answer", "qid": qid, "text": "Not yet."},
            {"t": "moderate", "qid": qid, "action": "pin"},
            {"t": "moderate", "qid": qid, "action": "answered"},
        ]
        last = asked["seq"]
        for step in steps:
            last = (await mod.request({**step, "cid": cid()}))["seq"]
        vote = await other.request({"t": "vote", "cid": cid(), "qid": qid, "up": True})
        assert (vote["t"], vote["code"]) == ("err", "conflict")  # answered: no votes
        await mod.request({"t": "moderate", "cid": cid(), "qid": qid, "action": "reopen"})
        voted = await other.request({"t": "vote", "cid": cid(), "qid": qid, "up": True})
        last = voted["seq"]

        for raw in watchers:
            evs = await raw.events_until(last)
            asked_ev = next(f for f in evs if f["seq"] == asked["seq"])
            if raw is other:
                assert asked_ev["type"] == "hidden"
            else:
                assert asked_ev["type"] == "question.asked"
                assert asked_ev["data"]["author"] is None
            for f in evs:
                question = f["data"].get("question")
                if question is not None:
                    assert question["author"] is None

        late_other, _ = await joined(url, name="Late")
        late_mod, _ = await joined(url, name="Late mod", key=lifted.moderator_key)
        late_author, _ = await joined(url, name=name, token=author_join["token"])
        late_all = [late_other, late_mod, late_author]
        try:
            for raw in late_all:
                snap = await raw.expect(lambda f: f.get("t") == "snapshot")
                (question,) = snap["state"]["questions"]
                assert question["author"] is None
            # The author knows its question only through `mine`.
            assert snap["state"]["mine"]["questions"] == [qid]
            for raw in late_all:
                await raw.sync()
        finally:
            for raw in late_all:
                await raw.close()

        for raw in watchers:
            await raw.sync()
        for raw in [*watchers, *late_all]:
            frames = raw.received
            if raw in (author, late_author):
                frames = frames[1:]  # its own join reply names it, to itself
            for data in frames:
                assert name.encode() not in data
                assert pid.encode() not in data
    finally:
        for raw in watchers:
            await raw.close()


async def test_anonymous_questions_can_be_turned_off(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    async with RoomClient(url, "SUB-PLAN", name="Mod", key=lifted.moderator_key) as mod:
        await mod.settings(anonymous_allowed=False)
        async with RoomClient(url, "SUB-PLAN", name="P") as participant:
            try:
                await participant.ask("anon please", anon=True)
            except CommandError as exc:
                assert exc.code == "forbidden"
            else:
                raise AssertionError("an anonymous question was accepted while turned off")
            assert (await participant.ask("signed"))["status"] == "live"


async def test_closed_room_refuses_asks_and_votes(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    async with (
        RoomClient(url, "SUB-PLAN", name="Mod", key=lifted.moderator_key) as mod,
        RoomClient(url, "SUB-PLAN", name="P", keep_raw=True) as participant,
    ):
        qid = (await participant.ask("Before closing"))["qid"]
        closed = await mod.close_room()
        for attempt in (participant.ask("After closing"), participant.vote(qid)):
            try:
                await attempt
            except CommandError as exc:
                assert exc.code == "room_closed"
            else:
                raise AssertionError("a closed room took a command")
        # Moderators can still moderate a closed room, and open it again.
        await mod.moderate(qid, "answered")
        opened = await mod.open_room()
        assert (await participant.ask("After reopening"))["status"] == "live"

        seen = await events_through(participant, opened["seq"])
        states = [(f["seq"], f["data"]) for f in seen if f.get("type") == "room.state"]
        assert states == [(closed["seq"], {"state": "closed"}), (opened["seq"], {"state": "open"})]


async def test_queue_frame_counts_pending_and_dismissed(lifted: Workshop) -> None:
    url = lifted.server.ws_url
    async with (
        RoomClient(url, "SUB-PLAN", name="Mod", key=lifted.moderator_key) as mod,
        RoomClient(url, "SUB-PLAN", name="Author") as author,
        RoomClient(url, "SUB-PLAN", name="Watcher") as watcher,
    ):
        await mod.settings(premoderation=True)
        qids = [(await author.ask(f"held {i}"))["qid"] for i in range(3)]
        await wait_for_frame(
            watcher, lambda f: f.get("t") == "queue" and (f["pending"], f["dismissed"]) == (3, 0)
        )
        await mod.moderate(qids[0], "dismiss")
        await mod.moderate(qids[1], "approve")
        await wait_for_frame(
            watcher, lambda f: f.get("t") == "queue" and (f["pending"], f["dismissed"]) == (1, 1)
        )
        async with RoomClient(url, "SUB-PLAN", name="Late") as late:
            assert (await snapshot_state(late))["queue"] == {"pending": 1, "dismissed": 1}
