"""Q&A commands of participants, folded purely: ask, vote, withdraw."""

from __future__ import annotations

from typing import Any

import pytest

from protocol.codes import ErrorCode
from server.rooms import EVERYONE
from tests.rooms.support import (
    ALICE,
    BOB,
    MOD,
    RAP,
    STATUSES,
    V_ALICE,
    V_BOB,
    V_MOD,
    V_RAP,
    V_STRANGER,
    VIEWERS,
    Room,
    ask,
    close,
    durable,
    in_status,
    moderate,
    refused,
    seen,
    settings,
    vote,
    withdraw,
)

# --------------------------------------------------------------------------------- ask


def test_ask_is_live_by_default() -> None:
    room = Room()
    out = room(ask(ALICE, "Who maintains the shelters?", lang="ja"))
    assert out.ok
    assert out.result == {"qid": "q1", "status": "live"}
    q = room.state.questions["q1"]
    assert (q.status, q.public, q.text, q.lang, q.votes) == (
        "live",
        True,
        "Who maintains the shelters?",
        "ja",
        0,
    )
    assert room.state.queue() == {"pending": 0, "dismissed": 0}


def test_qid_is_q_and_the_seq_of_the_ask() -> None:
    room = Room()
    assert room.qid(ask(ALICE)) == "q1"
    room(vote(BOB, "q404"))  # refused, yet it takes seq 2
    room.ok(settings(notes_locked=True))  # seq 3
    assert room.qid(ask(BOB)) == "q4"
    room(ask(ALICE, "x", lang="en", anon=True))  # seq 5
    assert list(room.state.questions) == ["q1", "q4", "q5"]
    assert all(q.seq == int(qid[1:]) for qid, q in room.state.questions.items())


def test_ask_event_carries_the_whole_question_and_mine_for_the_author() -> None:
    room = Room()
    out = room(ask(ALICE, "Where is the evacuation map?", lang="mn"))
    assert out.event is not None and out.event.type == "question.asked"
    rec = room.last
    assert rec is not None
    whole = {
        "qid": "q1",
        "text": "Where is the evacuation map?",
        "lang": "mn",
        "author": {"pid": ALICE["pid"], "name": "Alice", "org": "Sendai City"},
        "status": "live",
        "votes": 0,
        "answer": None,
        "ts": rec.ts,
    }
    mine = seen(out, V_ALICE)
    assert mine is not None
    assert mine["mine"] is True
    assert {k: mine[k] for k in whole} == whole
    for v in (V_BOB, V_MOD, V_RAP, V_STRANGER):
        data = seen(out, v)
        assert data is not None
        assert "mine" not in data
        assert {**data, "mine": True} == mine
    # the author's own variant names only the author
    assert out.event.variants[0].audience.pids == frozenset({ALICE["pid"]})
    assert out.event.variants[-1].audience == EVERYONE


def test_premoderation_holds_a_participants_question() -> None:
    room = Room()
    room.ok(settings(premoderation=True))
    out = room(ask(ALICE))
    assert out.ok and out.result == {"qid": "q2", "status": "pending"}
    assert room.status("q2") == "pending"
    assert room.state.questions["q2"].public is False
    assert room.state.queue() == {"pending": 1, "dismissed": 0}


def test_premoderation_lets_a_moderators_question_through() -> None:
    room = Room()
    room.ok(settings(premoderation=True))
    out = room(ask(MOD))
    assert out.result == {"qid": "q2", "status": "live"}
    assert room.state.queue() == {"pending": 0, "dismissed": 0}
    assert seen(out, V_BOB) is not None


def test_premoderation_holds_a_rapporteurs_question() -> None:
    """docs/protocol.md (Part 2): pending 'when ... the asker is not a moderator'; a rapporteur
    is not."""
    room = Room()
    room.ok(settings(premoderation=True))
    assert room(ask(RAP)).result["status"] == "pending"


def test_a_pending_question_is_announced_to_staff_and_its_author_only() -> None:
    room = Room()
    room.ok(settings(premoderation=True))
    out = room(ask(ALICE))
    author = seen(out, V_ALICE)
    assert author is not None and author["mine"] is True and author["status"] == "pending"
    for v in (V_MOD, V_RAP):
        staff = seen(out, v)
        assert staff is not None and "mine" not in staff and staff["status"] == "pending"
    assert seen(out, V_BOB) is None  # hidden
    assert seen(out, V_STRANGER) is None


@pytest.mark.parametrize("premoderation", [False, True])
def test_an_anonymous_question_names_nobody_anywhere(premoderation: bool) -> None:
    room = Room()
    room.ok(settings(premoderation=premoderation))
    out = room(ask(ALICE, "Is the budget enough?", anon=True))
    assert out.ok
    qid = out.result["qid"]
    assert out.event is not None
    for variant in out.event.variants:
        assert variant.data["author"] is None
        assert ALICE["pid"] not in repr(variant.data)
    for v in VIEWERS:
        view = room.state.view(v)
        for q in view["questions"]:
            assert q["author"] is None
        assert ALICE["pid"] not in repr(view["questions"])
    # the author and staff see it; the author recognises it only by `mine`
    assert [q["qid"] for q in room.state.view(V_ALICE)["questions"]] == [qid]
    assert [q["qid"] for q in room.state.view(V_MOD)["questions"]] == [qid]
    assert room.state.view(V_ALICE)["mine"]["questions"] == [qid]
    assert room.state.view(V_BOB)["mine"]["questions"] == []
    # later events about it stay anonymous too
    if premoderation:
        approved = room(moderate(qid, "approve"))
        data = seen(approved, V_BOB)
        assert data is not None and data["question"]["author"] is None
    # persistence still knows the author (needed for withdraw and mine)
    assert room.state.to_snapshot()["questions"][0]["author_pid"] == ALICE["pid"]


@pytest.mark.parametrize("actor", [ALICE, MOD], ids=["participant", "moderator"])
def test_anonymous_is_forbidden_when_turned_off(actor: dict[str, Any]) -> None:
    room = Room()
    room.ok(settings(anonymous_allowed=False))
    before = durable(room.state)
    assert refused(room(ask(actor, anon=True)), ErrorCode.FORBIDDEN)
    assert durable(room.state) == before
    assert room(ask(actor, anon=False)).ok


@pytest.mark.parametrize("actor", [ALICE, MOD], ids=["participant", "moderator"])
def test_ask_in_a_closed_room(actor: dict[str, Any]) -> None:
    room = Room()
    room.ok(close())
    before = durable(room.state)
    assert refused(room(ask(actor)), ErrorCode.ROOM_CLOSED)
    assert durable(room.state) == before


# -------------------------------------------------------------------------------- vote


def test_votes_toggle_and_total() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    steps = [(BOB, True, 1), (ALICE, True, 2), (MOD, True, 3), (BOB, False, 2), (BOB, True, 3)]
    for actor, up, total in steps:
        out = room(vote(actor, qid, up))
        assert out.ok
        assert out.result["votes"] == total
        assert room.state.questions[qid].votes == total
        assert out.event is not None and out.event.type == "question.voted"
    assert room.state.questions[qid].voters == {ALICE["pid"], BOB["pid"], MOD["pid"]}


@pytest.mark.parametrize("up", [True, False])
def test_repeating_a_vote_changes_nothing(up: bool) -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    room.ok(vote(MOD, qid))
    if up:
        room.ok(vote(BOB, qid))
    before = durable(room.state)
    out = room(vote(BOB, qid, up))
    assert out.ok
    assert out.event is None  # hidden to everyone
    assert out.result["votes"] == (2 if up else 1)
    assert durable(room.state) == before


def test_vote_variants_the_voter_learns_voted_others_only_the_total() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    out = room(vote(BOB, qid))
    assert seen(out, V_BOB) == {"qid": qid, "votes": 1, "voted": True}
    for v in (V_ALICE, V_MOD, V_RAP, V_STRANGER):
        assert seen(out, v) == {"qid": qid, "votes": 1}
    out = room(vote(BOB, qid, False))
    assert seen(out, V_BOB) == {"qid": qid, "votes": 0, "voted": False}
    assert seen(out, V_ALICE) == {"qid": qid, "votes": 0}


@pytest.mark.parametrize("status", [s for s in STATUSES if s != "live"])
@pytest.mark.parametrize("up", [True, False])
def test_only_live_questions_take_votes(status: str, up: bool) -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    room.ok(vote(BOB, qid))
    room.ok(vote(ALICE, qid))
    if status == "pending":
        qid = in_status(room, "pending")  # a fresh one: nothing goes back to pending
    elif status == "answered":
        room.ok(moderate(qid, "answered"))
    elif status == "dismissed":
        room.ok(moderate(qid, "dismiss"))
    else:
        room.ok(withdraw(ALICE, qid))
    before = durable(room.state)
    # the author (who can always see it) and a moderator (who sees everything)
    for actor in (ALICE, MOD):
        assert refused(room(vote(actor, qid, up)), ErrorCode.CONFLICT), actor["name"]
    if status != "pending":  # Bob saw it live and voted on it
        assert refused(room(vote(BOB, qid, up)), ErrorCode.CONFLICT)
    assert durable(room.state) == before


def test_vote_on_an_unknown_question() -> None:
    room = Room()
    room.qid(ask(ALICE))
    for actor in (BOB, MOD):
        assert refused(room(vote(actor, "q404")), ErrorCode.NOT_FOUND)
        assert refused(room(vote(actor, "2")), ErrorCode.NOT_FOUND)


@pytest.mark.parametrize("status", ["pending", "dismissed", "withdrawn"])
def test_vote_on_another_participants_unapproved_question_is_not_found(status: str) -> None:
    """A question that was never public does not exist for other participants."""
    room = Room()
    qid = in_status(room, status, approved=False)
    out = room(vote(BOB, qid))
    assert refused(out, ErrorCode.NOT_FOUND)
    assert qid not in out.msg


def test_a_rapporteur_voting_on_a_pending_question_gets_conflict() -> None:
    room = Room()
    qid = in_status(room, "pending")
    assert any(q["qid"] == qid for q in room.state.view(V_RAP)["questions"])
    assert refused(room(vote(RAP, qid)), ErrorCode.CONFLICT)


def test_staff_vote_like_anyone_on_live_questions() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    assert room(vote(RAP, qid)).result["votes"] == 1
    assert room(vote(MOD, qid)).result["votes"] == 2


def test_vote_in_a_closed_room() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    room.ok(vote(BOB, qid))
    room.ok(close())
    before = durable(room.state)
    for actor, up in ((ALICE, True), (BOB, False), (MOD, True)):
        assert refused(room(vote(actor, qid, up)), ErrorCode.ROOM_CLOSED)
    assert durable(room.state) == before


# ---------------------------------------------------------------------------- withdraw


def test_the_author_withdraws_a_live_question() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    out = room(withdraw(ALICE, qid))
    assert out.ok
    assert room.status(qid) == "withdrawn"
    assert out.result["status"] == "withdrawn"
    assert out.event is not None and out.event.type == "question.status"
    for v in (V_ALICE, V_BOB, V_MOD, V_STRANGER):
        assert seen(out, v) == {"qid": qid, "status": "withdrawn", "by": "author"}


def test_the_author_withdraws_a_pending_question_quietly() -> None:
    room = Room()
    qid = in_status(room, "pending")
    assert room.state.queue() == {"pending": 1, "dismissed": 0}
    out = room(withdraw(ALICE, qid))
    assert out.ok and room.status(qid) == "withdrawn"
    expected = {"qid": qid, "status": "withdrawn", "by": "author"}
    for v in (V_ALICE, V_MOD, V_RAP):
        assert seen(out, v) == expected
    assert seen(out, V_BOB) is None
    assert room.state.queue() == {"pending": 0, "dismissed": 0}


def test_an_anonymous_author_withdraws_without_being_named() -> None:
    room = Room()
    qid = room.qid(ask(ALICE, anon=True))
    out = room(withdraw(ALICE, qid))
    assert seen(out, V_BOB) == {"qid": qid, "status": "withdrawn", "by": "author"}


@pytest.mark.parametrize("actor", [BOB, MOD, RAP], ids=["participant", "moderator", "rapporteur"])
def test_only_the_author_may_withdraw(actor: dict[str, Any]) -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    before = durable(room.state)
    assert refused(room(withdraw(actor, qid)), ErrorCode.FORBIDDEN)
    assert durable(room.state) == before


def test_a_moderator_may_not_withdraw_someone_elses_pending_question() -> None:
    room = Room()
    qid = in_status(room, "pending")
    assert refused(room(withdraw(MOD, qid)), ErrorCode.FORBIDDEN)
    assert refused(room(withdraw(BOB, qid)), ErrorCode.NOT_FOUND)  # Bob cannot see it
    assert room.status(qid) == "pending"


def test_a_rapporteur_may_not_withdraw_someone_elses_pending_question() -> None:
    room = Room()
    qid = in_status(room, "pending")
    assert refused(room(withdraw(RAP, qid)), ErrorCode.FORBIDDEN)


@pytest.mark.parametrize(
    ("status", "approved"),
    [
        ("answered", True),
        ("dismissed", True),
        ("dismissed", False),
        ("withdrawn", True),
        ("withdrawn", False),
    ],
)
def test_withdraw_only_from_pending_or_live(status: str, approved: bool) -> None:
    room = Room()
    qid = in_status(room, status, approved=approved)
    before = durable(room.state)
    assert refused(room(withdraw(ALICE, qid)), ErrorCode.CONFLICT)
    assert durable(room.state) == before


def test_withdraw_an_unknown_question() -> None:
    room = Room()
    assert refused(room(withdraw(ALICE, "q1")), ErrorCode.NOT_FOUND)


@pytest.mark.parametrize("status", ["pending", "live"])
def test_withdraw_in_a_closed_room(status: str) -> None:
    room = Room()
    qid = in_status(room, status)
    room.ok(close())
    assert refused(room(withdraw(ALICE, qid)), ErrorCode.ROOM_CLOSED)
    assert room.status(qid) == status


def test_the_author_may_withdraw_their_own_moderator_question() -> None:
    room = Room()
    qid = room.qid(ask(MOD))
    out = room(withdraw(MOD, qid))
    assert seen(out, V_BOB) == {"qid": qid, "status": "withdrawn", "by": "author"}
