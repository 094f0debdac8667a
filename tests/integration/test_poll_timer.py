"""Timed polls, results once voted, and deleting, against a real server process
(issue 13).

A poll with `seconds` is closed by the server itself, never before its `closes_ts`, and
the timer outlives a crash of the process; `hide_until_voted` sends a participant the
results once they voted and nobody else; `poll.delete` removes a poll for everyone.
Waits are bounded; nothing asserts how quickly anything happened.
"""

from __future__ import annotations

import asyncio

from client.room_client import RoomClient
from tests.conftest import Workshop

from .test_polls import (
    ROOM,
    Frame,
    drain,
    fresh_view,
    moderator,
    next_event,
    next_frame,
    poll_in,
    refused,
    snapshot,
    sync,
)

TIMER = 10  # the shortest timer the protocol takes


def closed(poll_id: str):  # type: ignore[no-untyped-def]
    def match(f: Frame) -> bool:
        data = f.get("data") or {}
        return (
            f["t"] == "ev"
            and f["type"] == "poll.status"
            and data.get("poll_id") == poll_id
            and data.get("status") == "closed"
        )

    return match


async def wait_closed(client: RoomClient, poll_id: str, after: int = 0) -> Frame:
    """The closing event after seq `after`, waited for past the timer (the shared WAIT
    is shorter)."""
    async with asyncio.timeout(TIMER + 40):
        while True:
            frame = await client.events().get()
            if closed(poll_id)(frame) and frame["seq"] > after:
                return frame


async def test_a_timed_poll_closes_by_itself_with_the_final_results(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    async with moderator(workshop) as chair, RoomClient(url, ROOM, name="Voter") as voter:
        await snapshot(voter)
        poll_id = (await chair.poll_create("Ready?", "single", ["Yes", "No"], seconds=TIMER))[
            "poll_id"
        ]
        await chair.poll_open(poll_id)
        opened = await next_event(
            voter,
            lambda f: (
                f["t"] == "ev" and f["type"] == "poll.status" and f["data"].get("status") == "open"
            ),
        )
        closes_ts = opened["data"]["poll"]["closes_ts"]
        assert closes_ts == opened["ts"] + TIMER and opened["data"]["poll"]["seconds"] == TIMER
        await voter.poll_vote(poll_id, 0)

        for client in (voter, chair):
            final = await wait_closed(client, poll_id)
            assert final["ts"] >= closes_ts  # never before its time
            assert final["data"]["results"] == {"counts": [1, 0], "voters": 1}
        # A moderator's close after the timer's is a conflict, not a second close.
        await refused("conflict", chair.poll_close(poll_id))
        late = poll_in(await fresh_view(workshop), poll_id)
        assert late is not None and late["status"] == "closed" and late["closes_ts"] is None


async def test_a_moderator_closing_first_stops_the_timer(workshop: Workshop) -> None:
    async with moderator(workshop) as chair:
        poll_id = (await chair.poll_create("Early?", "rating", seconds=TIMER))["poll_id"]
        await chair.poll_open(poll_id)
        first = await chair.poll_close(poll_id)
        # Reopened without waiting: a new deadline, and the old timer must not close it.
        reopen = await chair.poll_open(poll_id)
        assert reopen["seq"] == first["seq"] + 1
        state = await fresh_view(workshop, key=workshop.moderator_key)
        poll = poll_in(state, poll_id)
        assert poll is not None and poll["status"] == "open"
        final = await wait_closed(chair, poll_id, after=reopen["seq"])
        assert final["ts"] >= poll["closes_ts"]
        assert final["seq"] == reopen["seq"] + 1  # one close by the timer, nothing between


async def test_a_timed_poll_closes_after_the_process_was_killed(lifted: Workshop) -> None:
    server = lifted.server
    async with RoomClient(server.ws_url, ROOM, name="Chair", key=lifted.moderator_key) as chair:
        poll_id = (await chair.poll_create("After a crash?", "words", seconds=TIMER))["poll_id"]
        opened = await chair.poll_open(poll_id)
        server.kill()  # kill -9: only the log survives
        server.start()
        # The client reconnects by itself; the room loads, and its timer with it.
        final = await wait_closed(chair, poll_id)
        assert final["seq"] == opened["seq"] + 1
        state = await fresh_view(lifted)
        poll = poll_in(state, poll_id)
        assert poll is not None and poll["status"] == "closed"
        assert final["ts"] >= poll["opened_ts"] + TIMER


async def test_results_reach_a_participant_once_they_voted_and_nobody_else(
    workshop: Workshop,
) -> None:
    url = workshop.server.ws_url
    async with (
        moderator(workshop) as chair,
        RoomClient(url, ROOM, name="Voted") as voted,
        RoomClient(url, ROOM, name="Waiting") as waiting,
    ):
        poll_id = (
            await chair.poll_create("Shelter?", "single", ["A", "B"], hide_until_voted=True)
        )["poll_id"]
        await chair.poll_open(poll_id)
        assert poll_in(await fresh_view(workshop), poll_id)["results"] is None  # type: ignore[index]
        await voted.poll_vote(poll_id, 1)
        got = await next_frame(voted, lambda f: f.get("t") == "poll.results")
        assert (got["poll_id"], got["counts"], got["voters"]) == (poll_id, [0, 1], 1)
        await chair.poll_vote(poll_id, 0)  # staff see results anyway; a second change
        await next_frame(voted, lambda f: f.get("t") == "poll.results" and f.get("voters") == 2)
        await sync(waiting)
        assert not [f for f in await drain(waiting) if f.get("t") == "poll.results"]
        again = poll_in(await fresh_view(workshop, "Voted", token=voted.token), poll_id)
        assert again is not None and again["results"] == {"counts": [1, 1], "voters": 2}
        assert again["hide_until_voted"] is True
        # Closing shows everyone the final results.
        await chair.poll_close(poll_id)
        final = await next_event(waiting, closed(poll_id))
        assert final["data"]["results"] == {"counts": [1, 1], "voters": 2}


async def test_a_deleted_poll_is_gone_for_everyone(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    async with moderator(workshop) as chair, RoomClient(url, ROOM, name="Voter") as voter:
        poll_id = (await chair.poll_create("Gone?", "single", ["A", "B"]))["poll_id"]
        await chair.poll_open(poll_id)
        await voter.poll_vote(poll_id, 0)
        await chair.poll_delete(poll_id)
        ev = await next_event(voter, lambda f: f["t"] == "ev" and f["type"] == "poll.deleted")
        assert ev["data"] == {"poll_id": poll_id}
        await refused("not_found", voter.poll_vote(poll_id, 1))
        await refused("not_found", chair.poll_open(poll_id))
        for state in (
            await fresh_view(workshop),
            await fresh_view(workshop, "Voter", token=voter.token),
        ):
            assert poll_in(state, poll_id) is None
            assert poll_id not in state["mine"]["poll_votes"]
        # A participant can delete nothing.
        other = (await chair.poll_create("Stays", "rating"))["poll_id"]
        await refused("forbidden", voter.poll_delete(other))


async def test_one_poll_on_screen_reaches_everyone_and_every_snapshot(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    async with moderator(workshop) as chair, RoomClient(url, ROOM, name="Screen") as screen:
        first = (await chair.poll_create("First", "rating"))["poll_id"]
        second = (await chair.poll_create("Second", "words"))["poll_id"]
        await refused("conflict", chair.command("poll.show", poll_id=first))  # a draft
        await refused("forbidden", screen.command("poll.show", poll_id=None))
        await chair.poll_open(first)
        await chair.poll_open(second)
        await chair.command("poll.show", poll_id=first)
        shown = await chair.command("poll.show", poll_id=second)  # replaces the first
        for client in (screen, chair):
            ev = await next_event(
                client,
                lambda f: (
                    f["t"] == "ev" and f["type"] == "poll.on_screen" and f["seq"] == shown["seq"]
                ),
            )
            assert ev["data"] == {"poll_id": second}
        assert (await fresh_view(workshop))["on_screen"] == second
        await chair.poll_delete(second)  # deleting it clears the screen
        assert (await fresh_view(workshop))["on_screen"] is None
        await chair.command("poll.show", poll_id=first)
        cleared = await chair.command("poll.show", poll_id=None)
        ev = await next_event(screen, lambda f: f["t"] == "ev" and f["seq"] == cleared["seq"])
        assert ev["type"] == "poll.on_screen" and ev["data"] == {"poll_id": None}
        assert (await fresh_view(workshop))["on_screen"] is None
