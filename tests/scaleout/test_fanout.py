"""Two and three server processes on one Redis serve one room as if they were one
(issue 3): every client sees the same seq -> event sequence, concurrent questions land
in one order everywhere, and concurrent votes all count."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import ON_BOTH, StartCluster
from .support import Member, all_reach, assert_gapless, eventually


@ON_BOTH
@pytest.mark.parametrize("processes", [2, 3])
async def test_clients_spread_across_processes_see_one_room(
    cluster: StartCluster, processes: int
) -> None:
    c = cluster(processes)
    urls = [server.ws_url for server in c.servers]
    askers = [await Member.join(urls[i % processes], f"Asker {i}") for i in range(10)]
    voters = [await Member.join(urls[i % processes], f"Voter {i}") for i in range(20)]
    moderator = await Member.join(urls[-1], "Moderator", key=c.moderator_key)
    everyone = [*askers, *voters, moderator]
    try:

        async def ask_twenty(i: int) -> list[dict[str, object]]:
            return [await askers[i].client.ask(f"asker {i} question {n}") for n in range(20)]

        replies = await asyncio.gather(*(ask_twenty(i) for i in range(10)))
        qids = [reply["qid"] for per_asker in replies for reply in per_asker]
        assert len(set(qids)) == 200

        target = str(replies[3][7]["qid"])
        votes = await asyncio.gather(*(voter.client.vote(target) for voter in voters))
        # The fold counts them one by one, in one order, on whichever process folds them.
        assert sorted(int(reply["votes"]) for reply in votes) == list(range(1, 21))
        await moderator.client.moderate(target, "pin")
        await moderator.client.answer(target, "The ward offices relay the sirens.")

        head = c.head()
        assert head == 200 + 20 + 2
        await all_reach(everyone, head)
        reference = everyone[0].events()
        for member in everyone:
            assert_gapless(member, head)
            assert member.events() == reference  # one seq -> event sequence everywhere
        questions = reference_questions = everyone[0].questions()
        assert len(questions) == 200
        for member in everyone:
            assert member.questions() == reference_questions
        for i in range(10):  # each asker's questions in the order asked
            mine = [q for q in questions if q.startswith(f"asker {i} ")]
            assert mine == [f"asker {i} question {n}" for n in range(20)]
        final = [d["votes"] for _, t, d in reference if t == "question.voted"]
        assert final[-1] == 20

        late = [await Member.join(url, "Late") for url in urls]  # snapshot on each process
        try:
            for member in late:
                await eventually(lambda m=member: bool(m.snapshots()), "a snapshot")
                [snap] = member.snapshots()
                assert snap["seq"] == head
                by_qid = {q["qid"]: q for q in snap["state"]["questions"]}
                assert len(by_qid) == 200 and by_qid[target]["votes"] == 20
                assert snap["state"]["pinned"] == target
        finally:
            await asyncio.gather(*(m.close() for m in late))
    finally:
        await asyncio.gather(*(m.close() for m in everyone))
