"""Side frames without sockets: poll results and queue counts, coalesced; presence."""

from __future__ import annotations

import asyncio

from protocol.frames import PollResults, Queue
from server.live.room import LiveRoom

from .support import command, moderator, participant, until, welcome


async def test_a_burst_of_votes_makes_few_results_frames_with_exact_totals(
    room: LiveRoom,
) -> None:
    chair, aiko = moderator(), participant("Aiko")
    welcome(room, chair)
    welcome(room, aiko)
    await room.submit(chair.actor, command("poll.create", title="Ready?", kind="single",
                                           options=["yes", "no"]))  # fmt: skip
    await room.submit(chair.actor, command("poll.open", poll_id="p1"))
    voters = [participant(f"v{i}") for i in range(40)]
    await asyncio.gather(*(
        room.submit(v.actor, command("poll.vote", poll_id="p1", choice=i % 2))
        for i, v in enumerate(voters)
    ))  # fmt: skip
    await until(lambda: any(r.voters == 40 for r in aiko.of_type(PollResults)))
    results = aiko.of_type(PollResults)
    assert results[-1].counts == [20, 20] and len(results) <= 3  # coalesced, 250 ms apart
    assert chair.of_type(PollResults)[-1] == results[-1]


async def test_hidden_results_reach_staff_only_until_the_poll_closes(room: LiveRoom) -> None:
    chair, aiko = moderator(), participant("Aiko")
    welcome(room, chair)
    welcome(room, aiko)
    await room.submit(chair.actor, command("poll.create", title="Budget?", kind="rating",
                                           hide_results=True))  # fmt: skip
    await room.submit(chair.actor, command("poll.open", poll_id="p1"))
    await room.submit(aiko.actor, command("poll.vote", poll_id="p1", choice=4))
    await until(lambda: any(r.voters == 1 for r in chair.of_type(PollResults)))
    assert chair.of_type(PollResults)[-1].counts == [0, 0, 0, 1, 0]
    assert aiko.of_type(PollResults) == []


async def test_queue_counts_follow_the_moderation_queue(room: LiveRoom) -> None:
    chair, aiko = moderator(), participant("Aiko")
    welcome(room, chair)
    welcome(room, aiko)
    await room.submit(chair.actor, command("settings", premoderation=True))
    await room.submit(aiko.actor, command("ask", text="Drills?"))
    await until(lambda: Queue(1, 0) in aiko.of_type(Queue))
    await room.submit(chair.actor, command("moderate", qid="q2", action="dismiss"))
    await until(lambda: aiko.of_type(Queue)[-1] == Queue(0, 1))
