"""Polls against a real server process: exact totals under concurrency, retries and vote
changes; conflict, forbidden and bad_request; coalesced results; late joiners; hidden
results (issue 4).

Waits are bounded (a bug fails, never hangs) and nothing asserts how long anything took:
the coalescing check counts frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from client.errors import CommandError
from client.room_client import RoomClient
from protocol.codec import encode_frame
from tests.conftest import Workshop

ROOM = "SUB-EWS"
WAIT = 20.0  # seconds any single expected frame may take before the test fails
OPTIONS = ["Siren", "SMS", "Radio", "Door to door"]

Frame = dict[str, Any]


# -- helpers ----------------------------------------------------------------------------


def new_cid() -> str:
    return uuid.uuid4().hex


@contextlib.asynccontextmanager
async def clients(
    url: str, count: int, prefix: str = "P", **kwargs: Any
) -> AsyncIterator[list[RoomClient]]:
    """`count` joined participants (or staff, with `key`), connected concurrently."""
    made = [RoomClient(url, ROOM, name=f"{prefix}{i}", **kwargs) for i in range(count)]
    try:
        await asyncio.gather(*(c.connect() for c in made))
        yield made
    finally:
        await asyncio.gather(*(c.close() for c in made), return_exceptions=True)


def moderator(w: Workshop, name: str = "Chair") -> RoomClient:
    return RoomClient(w.server.ws_url, ROOM, name=name, org="UNDRR", key=w.moderator_key)


async def next_frame(client: RoomClient, match: Callable[[Frame], bool]) -> Frame:
    """The next non-event frame (poll.results, presence, stray replies) that matches."""
    async with asyncio.timeout(WAIT):
        while True:
            frame = await client.frames().get()
            if match(frame):
                return frame


async def next_event(client: RoomClient, match: Callable[[Frame], bool]) -> Frame:
    """The next snapshot or `ev` frame that matches."""
    async with asyncio.timeout(WAIT):
        while True:
            frame = await client.events().get()
            if match(frame):
                return frame


async def snapshot(client: RoomClient) -> Frame:
    frame = await next_event(client, lambda f: f["t"] == "snapshot")
    state = frame["state"]
    assert isinstance(state, dict)
    return state


async def results_until(client: RoomClient, poll_id: str, final: Frame) -> list[Frame]:
    """Every `poll.results` frame of `poll_id` until one carries exactly `final`."""
    seen: list[Frame] = []
    async with asyncio.timeout(WAIT):
        while True:
            frame = await client.frames().get()
            if frame.get("t") == "poll.results" and frame["poll_id"] == poll_id:
                seen.append(frame)
                if {"counts": frame["counts"], "voters": frame["voters"]} == final:
                    return seen


async def drain(client: RoomClient) -> list[Frame]:
    """The non-event frames received so far (none is waited for)."""
    out = []
    feed = client.frames()
    while len(feed):
        out.append(await feed.get())
    return out


async def sync(client: RoomClient) -> None:
    """A ping round trip: every frame the server queued before the pong has arrived."""
    await client.ping()


async def fresh_view(w: Workshop, name: str = "Late", **kwargs: Any) -> Frame:
    """The snapshot state a participant (or staff, with `key`) gets on joining now."""
    async with RoomClient(w.server.ws_url, ROOM, name=name, **kwargs) as late:
        return await snapshot(late)


def poll_in(state: Frame, poll_id: str) -> Frame | None:
    for poll in state["polls"]:
        if poll["poll_id"] == poll_id:
            assert isinstance(poll, dict)
            return poll
    return None


async def refused(code: str, call: Any) -> CommandError:
    with pytest.raises(CommandError) as caught:
        await call
    assert caught.value.code == code, caught.value
    return caught.value


# -- concurrency and exactness -------------------------------------------------------------


async def test_thirty_concurrent_voters_give_exact_totals(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    async with moderator(workshop) as chair:
        poll_id = (
            await chair.poll_create("Which channel reaches most residents?", "single", OPTIONS)
        )["poll_id"]
        await chair.poll_open(poll_id)
        async with clients(url, 30) as voters:
            replies: dict[int, list[Frame]] = {}

            async def vote(i: int, client: RoomClient) -> None:
                if i % 3 == 0:  # changes their mind: the second vote replaces the first
                    await client.poll_vote(poll_id, (i + 1) % 4)
                final = {"t": "poll.vote", "cid": new_cid(), "poll_id": poll_id, "choice": i % 4}
                if i % 7 == 0:
                    # Retried as raw frames: the same cid twice on the wire, back to back.
                    for rid in (100_000 + i, 200_000 + i):
                        await client.send_raw(encode_frame({**final, "id": rid}))
                    got = [
                        await next_frame(client, lambda f, r=rid: f.get("re") == r)
                        for rid in (100_000 + i, 200_000 + i)
                    ]
                elif i % 5 == 0:
                    # Retried by re-sending the command before the first reply came back.
                    got = list(await asyncio.gather(client.request(final), client.request(final)))
                else:
                    got = [await client.request(final)]
                replies[i] = got

            await asyncio.gather(*(vote(i, c) for i, c in enumerate(voters)))
            for i, got in replies.items():
                assert all(r["t"] == "ok" for r in got), (i, got)
                assert len({r["seq"] for r in got}) == 1, (i, got)  # one log entry per cid

            # One more retry, after a reconnect with the same identity: still one vote.
            again = {"t": "poll.vote", "cid": new_cid(), "poll_id": poll_id, "choice": 1}
            first = await voters[1].request(again)
            async with RoomClient(url, ROOM, name="P1", token=voters[1].token) as same_person:
                retry = await same_person.request(again)
            assert first["t"] == retry["t"] == "ok" and retry["seq"] == first["seq"]

            # A last voter after everything else is answered: a frame with 31 voters can
            # only come after every change, so it is the last one, and must be exact.
            async with clients(url, 1, prefix="Last") as (last,):
                await last.poll_vote(poll_id, 0)
                expected = Counter([*(i % 4 for i in range(30)), 0])
                final = {"counts": [expected[k] for k in range(4)], "voters": 31}
                for watcher in (chair, voters[2], last):
                    frames = await results_until(watcher, poll_id, final)
                    assert all(f["voters"] <= 31 for f in frames), frames
                    await sync(watcher)
                    later = [f for f in await drain(watcher) if f.get("t") == "poll.results"]
                    assert all(f["counts"] == final["counts"] for f in later), later
            # A voter's own tabs learn their choice; nobody else does.
            mine = await next_event(
                voters[3],
                lambda f: f["t"] == "ev" and f["type"] == "poll.voted" and f["data"]["choice"] == 3,
            )
            assert mine["data"] == {"poll_id": poll_id, "choice": 3}

        late = await fresh_view(workshop)
        listed = poll_in(late, poll_id)
        assert listed is not None and listed["status"] == "open"
        assert listed["results"] == final
        assert late["mine"]["poll_votes"] == {}
        returning = await fresh_view(workshop, "P4", token=voters[4].token)
        assert returning["mine"]["poll_votes"] == {poll_id: 0}


async def test_the_chair_sees_poll_created_and_participants_a_hidden_seq(
    workshop: Workshop,
) -> None:
    async with moderator(workshop) as chair, clients(workshop.server.ws_url, 1) as (p,):
        await snapshot(chair)
        await snapshot(p)
        reply = await chair.poll_create("Rate the drill", "rating", hide_results=True)
        seq = reply["seq"]
        at_chair = await next_event(chair, lambda f: f.get("seq") == seq)
        at_p = await next_event(p, lambda f: f.get("seq") == seq)
        assert at_chair["type"] == "poll.created"
        assert at_chair["data"]["poll"] == {
            "poll_id": reply["poll_id"],
            "title": "Rate the drill",
            "kind": "rating",
            "options": [],
            "opened_ts": None,
            "closed_ts": None,
            "status": "draft",
            "hide_results": True,
            "hide_until_voted": False,
            "seconds": None,
            "closes_ts": None,
            "hidden_words": [],
        }
        assert at_p["type"] == "hidden" and at_p["data"] == {}
        opened = await chair.poll_open(reply["poll_id"])
        ev = await next_event(p, lambda f: f.get("seq") == opened["seq"])
        assert ev["type"] == "poll.status"
        assert ev["data"]["status"] == "open" and ev["data"]["poll"]["title"] == "Rate the drill"


# -- refusals ----------------------------------------------------------------------------


async def test_a_vote_after_close_is_a_conflict(workshop: Workshop) -> None:
    async with moderator(workshop) as chair, clients(workshop.server.ws_url, 2) as (a, b):
        poll_id = (await chair.poll_create("Which?", "multi", OPTIONS))["poll_id"]
        await refused("conflict", chair.poll_vote(poll_id, [0]))  # a draft takes no votes
        await refused("not_found", a.poll_vote(poll_id, [0]))  # nor does it exist for a
        await chair.poll_open(poll_id)
        await a.poll_vote(poll_id, [0, 2])
        closed = await chair.poll_close(poll_id)
        ev = await next_event(b, lambda f: f.get("seq") == closed["seq"])
        final = {"counts": [1, 0, 1, 0], "voters": 1}
        assert ev["data"] == {"poll_id": poll_id, "status": "closed", "results": final}
        await refused("conflict", b.poll_vote(poll_id, [1]))
        await refused("conflict", a.poll_vote(poll_id, [3]))  # nor may a change it now
        await refused("conflict", chair.poll_close(poll_id))
        assert poll_in(await fresh_view(workshop), poll_id)["results"] == final  # type: ignore[index]
        # Reopened, it takes votes again.
        await chair.poll_open(poll_id)
        await b.poll_vote(poll_id, [1])
        await chair.poll_close(poll_id)
        state = await fresh_view(workshop)
        assert poll_in(state, poll_id)["results"] == {  # type: ignore[index]
            "counts": [1, 1, 1, 0],
            "voters": 2,
        }


@pytest.mark.parametrize("who", ["participant", "rapporteur"])
async def test_only_moderators_run_polls(workshop: Workshop, who: str) -> None:
    key = workshop.rapporteur_key if who == "rapporteur" else None
    async with (
        moderator(workshop) as chair,
        clients(workshop.server.ws_url, 1, prefix=who, key=key) as (someone,),
    ):
        draft = (await chair.poll_create("Word?", "words"))["poll_id"]
        await refused("forbidden", someone.poll_create("Mine?", "single", ["a", "b"]))
        await refused("forbidden", someone.poll_edit(draft, "Hijacked", "rating"))
        await refused("forbidden", someone.poll_open(draft))
        await chair.poll_open(draft)
        await refused("forbidden", someone.poll_close(draft))
        await refused("forbidden", someone.poll_hide_word(draft, "anything"))
        staff_view = await fresh_view(workshop, "Chair 2", key=workshop.moderator_key)
        poll = poll_in(staff_view, draft)
        assert poll is not None
        assert (poll["title"], poll["kind"], poll["status"], poll["hidden_words"]) == (
            "Word?",
            "words",
            "open",
            [],
        )
        assert [p["poll_id"] for p in staff_view["polls"]] == [draft]


async def test_edit_changes_a_draft_only(workshop: Workshop) -> None:
    async with moderator(workshop) as chair:
        poll_id = (await chair.poll_create("Typo", "single", ["a", "b"]))["poll_id"]
        edited = await chair.poll_edit(poll_id, "Which channel?", "multi", OPTIONS, True)
        assert edited["poll_id"] == poll_id
        state = await fresh_view(workshop, "Chair 2", key=workshop.moderator_key)
        poll = poll_in(state, poll_id)
        assert poll is not None
        assert (poll["title"], poll["kind"], poll["options"], poll["hide_results"]) == (
            "Which channel?",
            "multi",
            OPTIONS,
            True,
        )
        await chair.poll_open(poll_id)
        await refused("conflict", chair.poll_edit(poll_id, "Too late", "rating"))
        await refused("not_found", chair.poll_edit("p9999", "Nope", "rating"))
        await refused("bad_request", chair.poll_edit(poll_id, "No options", "single"))


# Choices that no poll of the kind accepts: out of range, wrong type, too long. Some are
# refused by the command's own checks, the rest by the fold, which knows the poll.
MALFORMED: dict[str, list[Any]] = {
    "single": [4, 1000, 1001, -1, "Siren", [0], 1.0, True, {"i": 0}, [[0]]],
    "multi": [0, [4], [0, 0], [], list(range(11)), [-1], [True], ["0"], "0", 2.5],
    "rating": [0, 6, -1, [3], "3", 4.5, False],
    "words": [
        0,
        5,
        [1],
        "",
        "     ",
        "x" * 41,
        "nul\x00",
        "bell\x07",
        b"bytes",
        True,
    ],
}
VALID = {"single": 3, "multi": [1, 3], "rating": 5, "words": " Sirens\nand\tbells "}


@pytest.mark.parametrize("kind", list(MALFORMED))
async def test_every_malformed_choice_is_a_bad_request(workshop: Workshop, kind: str) -> None:
    async with moderator(workshop) as chair, clients(workshop.server.ws_url, 1) as (p,):
        options = OPTIONS if kind in ("single", "multi") else []
        poll_id = (await chair.poll_create(f"A {kind} poll", kind, options))["poll_id"]
        await chair.poll_open(poll_id)
        for choice in MALFORMED[kind]:
            frame = {"t": "poll.vote", "cid": new_cid(), "poll_id": poll_id, "choice": choice}
            reply = await p.request(frame)
            assert reply["t"] == "err" and reply["code"] == "bad_request", (choice, reply)
        # A missing choice is a bad request as well.
        reply = await p.request({"t": "poll.vote", "cid": new_cid(), "poll_id": poll_id})
        assert reply["code"] == "bad_request"
        state = await fresh_view(workshop)
        assert poll_in(state, poll_id)["results"]["voters"] == 0  # type: ignore[index]
        # The same participant may still vote properly.
        await p.poll_vote(poll_id, VALID[kind])
        await chair.poll_close(poll_id)
        final = poll_in(await fresh_view(workshop), poll_id)["results"]  # type: ignore[index]
        assert final["voters"] == 1
        if kind == "words":
            assert final["counts"] == {"sirens and bells": 1}  # whitespace is collapsed


# -- coalescing -----------------------------------------------------------------------------


async def test_a_burst_of_votes_makes_few_results_frames(workshop: Workshop) -> None:
    """200 votes in a burst: each client gets far fewer poll.results frames than votes."""
    url = workshop.server.ws_url
    async with moderator(workshop) as chair, clients(url, 2, prefix="W") as watchers:
        poll_id = (await chair.poll_create("Which?", "single", OPTIONS))["poll_id"]
        await chair.poll_open(poll_id)
        async with clients(url, 20) as voters:
            # Every one of the 200 votes is a change: 10 per voter, cycling the options.
            async def ten_votes(i: int, client: RoomClient) -> None:
                for k in range(10):
                    await client.poll_vote(poll_id, (i + k) % 4)

            await asyncio.gather(*(ten_votes(i, c) for i, c in enumerate(voters)))
            # Mid-burst totals may repeat the final ones; 21 voters only come after the
            # burst, with a last vote once all 200 are answered.
            await voters[0].poll_vote(poll_id, 0)  # a change too: its 10th vote was 1
            await watchers[0].poll_vote(poll_id, 2)
        last = Counter([*((i + 9) % 4 for i in range(1, 20)), 0, 2])
        final = {"counts": [last[k] for k in range(4)], "voters": 21}
        for client in (chair, *watchers):
            frames = await results_until(client, poll_id, final)
            assert 1 <= len(frames) <= 20, len(frames)
            await sync(client)
            later = [f for f in await drain(client) if f.get("t") == "poll.results"]
            assert all({"counts": f["counts"], "voters": f["voters"]} == final for f in later)


# -- late joiners and hidden results ---------------------------------------------------------


async def test_a_late_joiner_sees_every_poll_as_it_stands(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    async with moderator(workshop) as chair, clients(url, 3) as (a, b, c):
        draft = (await chair.poll_create("Not yet", "single", ["x", "y"]))["poll_id"]
        single = (await chair.poll_create("Channel?", "single", OPTIONS))["poll_id"]
        rating = (await chair.poll_create("Useful?", "rating"))["poll_id"]
        words = (await chair.poll_create("One word", "words"))["poll_id"]
        secret = (await chair.poll_create("Groupthink?", "multi", OPTIONS, True))["poll_id"]
        for poll_id in (single, rating, words, secret):
            await chair.poll_open(poll_id)
        await a.poll_vote(single, 1)
        await b.poll_vote(single, 1)
        await c.poll_vote(single, 3)
        await a.poll_vote(rating, 4)
        await b.poll_vote(rating, 5)
        await chair.poll_close(rating)
        await a.poll_vote(words, "Sirens")
        await b.poll_vote(words, " sirens ")
        await c.poll_vote(words, "spam")
        await chair.poll_hide_word(words, "SPAM")
        await a.poll_vote(secret, [0, 1])
        await b.poll_vote(secret, [1])

        late = await fresh_view(workshop)
        assert [p["poll_id"] for p in late["polls"]] == [single, rating, words, secret]
        by_id = {p["poll_id"]: p for p in late["polls"]}
        assert by_id[single]["status"] == "open"
        assert by_id[single]["results"] == {"counts": [0, 2, 0, 1], "voters": 3}
        assert by_id[rating]["status"] == "closed"
        assert by_id[rating]["results"] == {"counts": [0, 0, 0, 1, 1], "voters": 2}
        assert by_id[words]["results"] == {"counts": {"sirens": 2}, "voters": 3}
        assert by_id[words]["hidden_words"] == []  # hidden words are listed to staff only
        assert by_id[secret]["hide_results"] is True and by_id[secret]["results"] is None
        assert late["mine"]["poll_votes"] == {}

        staff = await fresh_view(workshop, "Chair 2", key=workshop.moderator_key)
        staff_by_id = {p["poll_id"]: p for p in staff["polls"]}
        assert staff_by_id[draft]["status"] == "draft"
        assert staff_by_id[secret]["results"] == {"counts": [1, 2, 0, 0], "voters": 2}

        back = await fresh_view(workshop, "A again", token=a.token)
        assert back["mine"]["poll_votes"] == {
            single: 1,
            rating: 4,
            words: "sirens",
            secret: [0, 1],
        }


async def test_hidden_results_reach_participants_only_in_the_closing_status(
    workshop: Workshop,
) -> None:
    url = workshop.server.ws_url
    async with moderator(workshop) as chair, clients(url, 3) as voters:
        poll_id = (await chair.poll_create("Groupthink?", "single", OPTIONS, True))["poll_id"]
        await chair.poll_open(poll_id)
        for i, client in enumerate(voters):
            await client.poll_vote(poll_id, i % 2)
        final = {"counts": [2, 1, 0, 0], "voters": 3}
        await results_until(chair, poll_id, final)  # staff see them live
        for client in voters:
            # The coalesced frame went to every member at once: a participant would have it
            # before the pong of a ping sent now.
            await sync(client)
            assert not [f for f in await drain(client) if f.get("t") == "poll.results"]
        closed = await chair.poll_close(poll_id)
        for client in voters:
            ev = await next_event(client, lambda f: f.get("seq") == closed["seq"])
            assert ev["type"] == "poll.status"
            assert ev["data"] == {"poll_id": poll_id, "status": "closed", "results": final}
        assert poll_in(await fresh_view(workshop), poll_id)["results"] == final  # type: ignore[index]


async def test_a_hidden_word_leaves_everyones_cloud(workshop: Workshop) -> None:
    async with moderator(workshop) as chair, clients(workshop.server.ws_url, 3) as (a, b, c):
        poll_id = (await chair.poll_create("One word", "words"))["poll_id"]
        await chair.poll_open(poll_id)
        await a.poll_vote(poll_id, "Evacuate")
        await b.poll_vote(poll_id, "EVACUATE")
        await c.poll_vote(poll_id, "rude")
        await results_until(c, poll_id, {"counts": {"evacuate": 2, "rude": 1}, "voters": 3})
        hidden = await chair.poll_hide_word(poll_id, "Rude")
        ev = await next_event(c, lambda f: f.get("seq") == hidden["seq"])
        assert ev["type"] == "poll.word_hidden"
        assert ev["data"] == {"poll_id": poll_id, "word": "rude", "hidden": True}
        await results_until(c, poll_id, {"counts": {"evacuate": 2}, "voters": 3})
        await chair.poll_hide_word(poll_id, "rude", hidden=False)
        await results_until(a, poll_id, {"counts": {"evacuate": 2, "rude": 1}, "voters": 3})
        await refused("conflict", chair.poll_hide_word(
            (await chair.poll_create("Single", "single", ["a", "b"]))["poll_id"], "a"
        ))  # fmt: skip
