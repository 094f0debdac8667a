"""Polls on the Redis backend (issue 4, "Tests"): 300 voters spread across two server
processes vote at once, some changing their vote and some retrying the same command
(on the same connection, and from the other process with the same identity), and the
totals are exact everywhere: in the last `poll.results` frames a client on each process
receives, in a fresh joiner's snapshot on each process, and in the closing `poll.status`.

Waits are bounded by generous timeouts; nothing asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

from client.room_client import RoomClient
from server.rooms.polls import normalise_word

from .conftest import ON_BOTH, StartCluster
from .support import ROOM, Member, all_reach, eventually

VOTERS = 300
BATCH = 25  # clients connecting at once
OPTIONS = ["Siren", "SMS", "Radio"]
WORDS = ["Sirens", "SMS", "Radio", "Door to door"]

Frame = dict[str, Any]


def single_choice(i: int) -> int:
    return i % 3 if i % 5 else 2  # uneven totals, so a swapped count would show


def first_single_choice(i: int) -> int | None:
    """The vote a voter changes from, or None for those who vote once."""
    return (single_choice(i) + 1) % 3 if i % 3 == 0 else None


def word_choice(i: int) -> str:
    """The same words typed differently: results count them case- and space-insensitively."""
    word = WORDS[i % 4]
    return [word, word.upper(), f"  {word.lower()} ", word.replace(" ", "\t ")][(i // 4) % 4]


def first_word_choice(i: int) -> str | None:
    return WORDS[(i + 1) % 4] if i % 4 == 1 else None


def expected_results() -> tuple[Frame, Frame]:
    single = Counter(single_choice(i) for i in range(VOTERS))
    words = Counter(normalise_word(word_choice(i)) for i in range(VOTERS))
    return (
        {"counts": [single[k] for k in range(len(OPTIONS))], "voters": VOTERS},
        {"counts": dict(words), "voters": VOTERS},
    )


def vote_frame(poll_id: str, choice: int | str) -> Frame:
    return {"t": "poll.vote", "cid": uuid.uuid4().hex, "poll_id": poll_id, "choice": choice}


def results_frames(member: Member, poll_id: str) -> list[Frame]:
    return [f for f in member.others if f.get("t") == "poll.results" and f["poll_id"] == poll_id]


def as_results(frame: Frame) -> Frame:
    return {"counts": frame["counts"], "voters": frame["voters"]}


def poll_in(snapshot: Frame, poll_id: str) -> Frame:
    [poll] = [p for p in snapshot["state"]["polls"] if p["poll_id"] == poll_id]
    assert isinstance(poll, dict)
    return poll


async def connect_in_batches(urls: list[str], count: int) -> list[RoomClient]:
    """`count` participants, alternating between the processes, joined BATCH at a time.
    They read nothing but replies (inbox=0): the checks are made on the watchers."""
    made: list[RoomClient] = []
    try:
        for start in range(0, count, BATCH):
            batch = [
                RoomClient(urls[i % len(urls)], ROOM, name=f"Voter {i}", org="Sendai City", inbox=0)
                for i in range(start, min(start + BATCH, count))
            ]
            made += batch
            await asyncio.gather(*(c.connect() for c in batch))
    except BaseException:
        await asyncio.gather(*(c.close() for c in made), return_exceptions=True)
        raise
    return made


@ON_BOTH
async def test_300_voters_across_two_processes_give_exact_totals(cluster: StartCluster) -> None:
    # appendfsync everysec: this test is about counting, not about surviving a kill -9.
    c = cluster(2, "--conns-per-ip", "2000", appendfsync="everysec")
    urls = [server.ws_url for server in c.servers]
    chair = await Member.join(urls[0], "Chair", key=c.moderator_key)
    watchers = [await Member.join(url, f"Watcher {n}") for n, url in enumerate(urls)]
    voters: list[RoomClient] = []
    late: list[Member] = []
    try:
        single = (await chair.client.poll_create("Which channel?", "single", OPTIONS))["poll_id"]
        words = (await chair.client.poll_create("One word for the drill", "words"))["poll_id"]
        await chair.client.poll_open(single)
        await chair.client.poll_open(words)
        voters = await connect_in_batches(urls, VOTERS)

        async def vote(i: int, client: RoomClient, poll_id: str, choice: int | str) -> int:
            """Vote once with one cid, retried as the issue asks; returns the seq."""
            frame = vote_frame(poll_id, choice)
            if i % 5 == 0:  # the same cid twice at once, before either reply
                replies = list(await asyncio.gather(client.request(frame), client.request(frame)))
            else:
                replies = [await client.request(frame)]
            if i % 11 == 0:  # the same person retries it through the other process
                other = urls[(i + 1) % len(urls)]
                async with RoomClient(
                    other, ROOM, name=f"Voter {i}", token=client.token, inbox=0
                ) as tab:
                    replies.append(await tab.request(frame))
            assert all(r["t"] == "ok" for r in replies), (i, replies)
            assert len({r["seq"] for r in replies}) == 1, (i, replies)  # one log entry
            return int(replies[0]["seq"])

        async def voter(i: int, client: RoomClient) -> None:
            async def in_single() -> None:
                first = first_single_choice(i)
                if first is not None:  # changes their mind: the second vote replaces it
                    await vote(i, client, single, first)
                await vote(i, client, single, single_choice(i))

            async def in_words() -> None:
                first = first_word_choice(i)
                if first is not None:
                    await vote(i, client, words, first)
                await vote(i, client, words, word_choice(i))

            await asyncio.gather(in_single(), in_words())

        # Everyone but the last voter at once; the last votes once all are answered, so
        # a results frame counting 300 voters can only reflect every vote and change.
        last = VOTERS - 1
        await asyncio.gather(*(voter(i, v) for i, v in enumerate(voters[:last])))
        await voter(last, voters[last])

        changes = sum(first_single_choice(i) is not None for i in range(VOTERS)) + sum(
            first_word_choice(i) is not None for i in range(VOTERS)
        )
        head = c.head()
        assert head == 2 + 2 + 2 * VOTERS + changes  # every retry deduplicated

        want_single, want_words = expected_results()
        watching = [chair, *watchers]
        for member in watching:
            for poll_id, want in ((single, want_single), (words, want_words)):

                def final_seen(m: Member = member, p: str = poll_id) -> bool:
                    return any(f["voters"] == VOTERS for f in results_frames(m, p))

                await eventually(final_seen, f"{member.client.name}: {poll_id} at {VOTERS}")
                frames = results_frames(member, poll_id)
                assert all(f["voters"] <= VOTERS for f in frames)
                first_final = next(n for n, f in enumerate(frames) if f["voters"] == VOTERS)
                await member.client.ping()  # anything queued before the pong has arrived
                later = results_frames(member, poll_id)[first_final:]
                assert [as_results(f) for f in later] == [want] * len(later), member.client.name
        await all_reach(watching, head)

        # A fresh joiner on each process sees the polls as they stand.
        late = [await Member.join(url, f"Late {n}") for n, url in enumerate(urls)]
        for member in late:
            await eventually(lambda m=member: bool(m.snapshots()), "a snapshot")
            [snap] = member.snapshots()
            assert snap["seq"] == head
            for poll_id, want in ((single, want_single), (words, want_words)):
                poll = poll_in(snap, poll_id)
                assert poll["status"] == "open" and poll["results"] == want
            assert snap["state"]["mine"]["poll_votes"] == {}

        # The closing poll.status carries the final results, to everyone on each process.
        closed = {
            single: (await chair.client.poll_close(single))["seq"],
            words: (await chair.client.poll_close(words))["seq"],
        }
        await all_reach([*watching, *late], head + 2)
        for member in [*watching, *late]:
            by_seq = {seq: (t, d) for seq, t, d in member.events()}
            for poll_id, want in ((single, want_single), (words, want_words)):
                assert by_seq[closed[poll_id]] == (
                    "poll.status",
                    {"poll_id": poll_id, "status": "closed", "results": want},
                ), member.client.name

        # And a joiner after the close, on each process, gets them in its snapshot.
        for n, url in enumerate(urls):
            after = await Member.join(url, f"After {n}")
            late.append(after)
            await eventually(lambda m=after: bool(m.snapshots()), "a snapshot")
            [snap] = after.snapshots()
            assert snap["seq"] == head + 2
            for poll_id, want in ((single, want_single), (words, want_words)):
                poll = poll_in(snap, poll_id)
                assert poll["status"] == "closed" and poll["results"] == want
    finally:
        await asyncio.gather(*(v.close() for v in voters), return_exceptions=True)
        await asyncio.gather(
            *(m.close() for m in [chair, *watchers, *late]), return_exceptions=True
        )


@ON_BOTH
async def test_a_timed_poll_held_on_two_processes_is_closed_once(cluster: StartCluster) -> None:
    """Both processes hold the room hot and both timers fire: the timer's cid names the
    poll and its deadline, so the log gets one `poll.close` and every client one close."""
    c = cluster(2)
    urls = [server.ws_url for server in c.servers]
    chair = await Member.join(urls[0], "Chair", key=c.moderator_key)
    watchers = [await Member.join(url, f"Watcher {n}") for n, url in enumerate(urls)]
    try:
        poll_id = (await chair.client.poll_create("Timed", "rating", seconds=10))["poll_id"]
        opened = (await chair.client.poll_open(poll_id))["seq"]

        def closes(m: Member) -> list[int]:
            return [
                seq
                for seq, t, d in m.events()
                if t == "poll.status" and d.get("status") == "closed" and d["poll_id"] == poll_id
            ]

        for member in (chair, *watchers):
            await eventually(lambda m=member: bool(closes(m)), "the timer's close", within=60)
        await asyncio.sleep(1.0)  # a second close, if there were one, would have come by now
        assert c.head() == opened + 1
        for member in (chair, *watchers):
            assert closes(member) == [opened + 1], member.client.name
    finally:
        await asyncio.gather(*(m.close() for m in (chair, *watchers)), return_exceptions=True)
