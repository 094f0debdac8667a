"""Moderator commands on questions: moderate (every action x status), pin, edit, answer."""

from __future__ import annotations

import pytest

from protocol.codes import ErrorCode
from tests.rooms.support import (
    ALICE,
    BOB,
    MOD,
    PUBLIC,
    V_ALICE,
    V_BOB,
    V_MOD,
    V_RAP,
    V_STRANGER,
    Room,
    answer,
    ask,
    durable,
    edit,
    in_status,
    moderate,
    recount,
    refused,
    seen,
    settings,
    vote,
    withdraw,
)

# docs/protocol.md (Part 2), "Questions": action -> {from: to}; every other pair is `conflict`.
TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {"pending": "live"},
    "dismiss": {"pending": "dismissed", "live": "dismissed"},
    "answered": {"live": "answered"},
    "reopen": {"answered": "live", "dismissed": "live", "withdrawn": "live"},
}

# (status, approved): every state a question can be in, with or without a public past.
STARTS = [
    ("pending", False),
    ("live", True),
    ("answered", True),
    ("dismissed", True),
    ("dismissed", False),
    ("withdrawn", True),
    ("withdrawn", False),
]
START_IDS = [f"{s}-{'public' if a else 'unapproved'}" for s, a in STARTS]

CASES = [(action, s, a) for action in TRANSITIONS for s, a in STARTS]
CASE_IDS = [f"{action}-{i}" for action in TRANSITIONS for i in START_IDS]


def _room_with(status: str, approved: bool) -> tuple[Room, str]:
    room = Room()
    room.qid(ask(BOB, "an earlier live question"))
    qid = in_status(room, status, approved=approved)
    return room, qid


@pytest.mark.parametrize(("action", "status", "approved"), CASES, ids=CASE_IDS)
def test_every_action_from_every_status(action: str, status: str, approved: bool) -> None:
    room, qid = _room_with(status, approved)
    before = durable(room.state)
    queue_before = room.state.queue()
    out = room(moderate(qid, action))
    new = TRANSITIONS[action].get(status)
    if new is None:
        assert refused(out, ErrorCode.CONFLICT)
        assert durable(room.state) == before
        assert room.state.queue() == queue_before
        return
    assert out.ok
    assert room.status(qid) == new
    assert out.result["status"] == new
    assert room.state.queue() == recount(room.state)
    assert out.event is not None and out.event.type == "question.status"
    q = room.state.questions[qid]
    expected = {"qid": qid, "status": new, "by": "moderator"}
    if new in PUBLIC:
        expected["question"] = q.wire()
        assert expected["question"]["status"] == new
    for v in (V_ALICE, V_MOD, V_RAP):
        assert seen(out, v) == expected
    # others learn of a question only once it has been public
    public_now = approved or new in PUBLIC
    assert q.public is public_now
    for v in (V_BOB, V_STRANGER):
        assert seen(out, v) == (expected if public_now else None)


@pytest.mark.parametrize(("status", "approved"), STARTS, ids=START_IDS)
def test_pin_only_live_or_answered(status: str, approved: bool) -> None:
    room, qid = _room_with(status, approved)
    out = room(moderate(qid, "pin"))
    if status in PUBLIC:
        assert out.ok and room.state.pinned == qid
        for v in (V_ALICE, V_BOB, V_MOD, V_STRANGER):
            assert seen(out, v) == {"qid": qid}
        assert out.event is not None and out.event.type == "question.pinned"
    else:
        assert refused(out, ErrorCode.CONFLICT)
        assert room.state.pinned is None


def test_pin_replace_repeat_and_unpin() -> None:
    room = Room()
    q1, q2 = room.qid(ask(ALICE)), room.qid(ask(BOB))
    room.ok(moderate(q1, "pin"))
    again = room(moderate(q1, "pin"))
    assert again.ok and again.event is None
    out = room(moderate(q2, "pin"))
    assert seen(out, V_BOB) == {"qid": q2} and room.state.pinned == q2
    # unpinning a question that is not the pinned one changes nothing
    other = room(moderate(q1, "unpin"))
    assert other.ok and other.event is None and room.state.pinned == q2
    out = room(moderate(q2, "unpin"))
    assert out.event is not None and out.event.type == "question.pinned"
    assert seen(out, V_STRANGER) == {"qid": None}
    assert room.state.pinned is None
    nothing = room(moderate(q2, "unpin"))
    assert nothing.ok and nothing.event is None


@pytest.mark.parametrize(("status", "approved"), STARTS, ids=START_IDS)
def test_unpin_never_conflicts(status: str, approved: bool) -> None:
    room, qid = _room_with(status, approved)
    out = room(moderate(qid, "unpin"))
    assert out.ok and out.event is None


@pytest.mark.parametrize("how", ["dismiss", "withdraw"])
def test_a_pinned_question_that_leaves_is_unpinned(how: str) -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    room.ok(moderate(qid, "pin"))
    out = room(moderate(qid, "dismiss") if how == "dismiss" else withdraw(ALICE, qid))
    assert out.ok and room.state.pinned is None
    data = seen(out, V_BOB)
    assert data is not None
    assert data["unpinned"] is True
    assert data["status"] == ("dismissed" if how == "dismiss" else "withdrawn")
    assert room.state.view(V_BOB)["pinned"] is None


def test_marking_the_pinned_question_answered_unpins_it() -> None:
    """PROTOCOL.md "Moderation flow": `answered` on the pinned question also unpins it, so
    the projector stops saying "now answering" over an answered question (issue 13)."""
    room = Room()
    qid = room.qid(ask(ALICE))
    room.ok(moderate(qid, "pin"))
    out = room(moderate(qid, "answered"))
    data = seen(out, V_BOB)
    assert room.state.pinned is None and room.state.view(V_BOB)["pinned"] is None
    assert data is not None and data["status"] == "answered" and data["unpinned"] is True
    # An answered question may still be pinned on purpose, and stays so on reopen.
    room.ok(moderate(qid, "pin"))
    out = room(moderate(qid, "reopen"))
    data = seen(out, V_BOB)
    assert room.state.pinned == qid and data is not None and "unpinned" not in data


def test_leaving_does_not_unpin_another_question() -> None:
    room = Room()
    q1, q2 = room.qid(ask(ALICE)), room.qid(ask(BOB))
    room.ok(moderate(q1, "pin"))
    out = room(moderate(q2, "dismiss"))
    assert room.state.pinned == q1
    data = seen(out, V_BOB)
    assert data is not None and "unpinned" not in data


def test_queue_counts_follow_every_transition() -> None:
    room = Room()
    room.ok(settings(premoderation=True))
    a = room.qid(ask(ALICE))
    b = room.qid(ask(BOB))
    c = room.qid(ask(ALICE, "third"))
    steps = [
        (moderate(a, "approve"), (2, 0)),
        (moderate(b, "dismiss"), (1, 1)),
        (moderate(a, "dismiss"), (1, 2)),
        (withdraw(ALICE, c), (0, 2)),
        (moderate(b, "reopen"), (0, 1)),
        (moderate(b, "answered"), (0, 1)),
        (moderate(b, "reopen"), (0, 1)),
        (moderate(a, "reopen"), (0, 0)),
        (moderate(a, "approve"), (0, 0)),  # conflict: counts unchanged
        (ask(BOB, "fourth"), (1, 0)),
        (ask(MOD, "fifth"), (1, 0)),
    ]
    assert room.state.queue() == {"pending": 3, "dismissed": 0}
    for cmd, (pending, dismissed) in steps:
        room(cmd)
        assert room.state.queue() == {"pending": pending, "dismissed": dismissed}, cmd
        assert room.state.queue() == recount(room.state)
        for v in (V_BOB, V_MOD):
            assert room.state.view(v)["queue"] == room.state.queue()


def test_answered_sets_answered_ts() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    assert room.state.questions[qid].answered_ts is None
    out = room(moderate(qid, "answered"))
    rec = room.last
    assert rec is not None
    assert room.state.questions[qid].answered_ts == rec.ts
    data = seen(out, V_BOB)
    assert data is not None and data["question"]["answered_ts"] == rec.ts


def test_approve_carries_the_question_with_its_votes_and_answer() -> None:
    room = Room()
    qid = in_status(room, "pending")
    room.ok(answer(qid, "Answered in the plenary."))
    out = room(moderate(qid, "approve"))
    data = seen(out, V_BOB)
    assert data is not None
    assert data["question"]["answer"] == "Answered in the plenary."
    assert data["question"]["status"] == "live"
    assert data["question"]["author"] == {
        "pid": ALICE["pid"],
        "name": "Alice",
        "org": "Sendai City",
    }


def test_moderate_an_unknown_question() -> None:
    room = Room()
    for action in (*TRANSITIONS, "pin", "unpin"):
        assert refused(room(moderate("q7", action)), ErrorCode.NOT_FOUND)


def test_an_unknown_action_is_refused_and_changes_nothing() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    before = durable(room.state)
    out = room(moderate(qid, "delete"))
    assert refused(out, ErrorCode.BAD_REQUEST)
    assert durable(room.state) == before


# ------------------------------------------------------------------------- edit, answer


@pytest.mark.parametrize(("status", "approved"), STARTS, ids=START_IDS)
def test_edit_replaces_the_text_for_those_who_can_see_it(status: str, approved: bool) -> None:
    room, qid = _room_with(status, approved)
    out = room(edit(qid, "How is the plan funded, and by whom?"))
    assert out.ok
    assert room.state.questions[qid].text == "How is the plan funded, and by whom?"
    assert out.event is not None and out.event.type == "question.edited"
    expected = {"qid": qid, "text": "How is the plan funded, and by whom?", "edited": True}
    for v in (V_ALICE, V_MOD, V_RAP):
        assert seen(out, v) == expected
    public = room.state.questions[qid].public
    assert public == (approved and status != "pending")
    for v in (V_BOB, V_STRANGER):
        assert seen(out, v) == (expected if public else None)
    assert room.state.view(V_ALICE)["questions"][-1]["text"] == expected["text"]


def test_an_edit_with_the_same_text_changes_nothing() -> None:
    room = Room()
    qid = room.qid(ask(ALICE, "Same?"))
    before = durable(room.state)
    out = room(edit(qid, "Same?"))
    assert out.ok and out.event is None
    assert durable(room.state) == before


@pytest.mark.parametrize(("status", "approved"), STARTS, ids=START_IDS)
def test_answer_for_those_who_can_see_it(status: str, approved: bool) -> None:
    room, qid = _room_with(status, approved)
    out = room(answer(qid, "The city budget covers it."))
    assert out.ok
    assert room.state.questions[qid].answer == "The city budget covers it."
    assert out.event is not None and out.event.type == "question.answer"
    expected = {"qid": qid, "text": "The city budget covers it."}
    for v in (V_ALICE, V_MOD, V_RAP):
        assert seen(out, v) == expected
    public = room.state.questions[qid].public
    for v in (V_BOB, V_STRANGER):
        assert seen(out, v) == (expected if public else None)
    assert room.state.view(V_MOD)["questions"][-1]["answer"] == expected["text"]


def test_a_new_answer_replaces_the_old_one() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    room.ok(answer(qid, "First."))
    out = room(answer(qid, "Second."))
    assert seen(out, V_BOB) == {"qid": qid, "text": "Second."}
    assert room.state.questions[qid].answer == "Second."


def test_an_answer_with_the_same_text_changes_nothing() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    room.ok(answer(qid, "Yes."))
    out = room(answer(qid, "Yes."))
    assert out.ok and out.event is None


def test_edit_and_answer_an_unknown_question() -> None:
    room = Room()
    assert refused(room(edit("q1", "x")), ErrorCode.NOT_FOUND)
    assert refused(room(answer("q1", "x")), ErrorCode.NOT_FOUND)


def test_votes_survive_moderation() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    room.ok(vote(BOB, qid))
    room.ok(vote(MOD, qid))
    for action in ("answered", "reopen", "dismiss", "reopen"):
        out = room(moderate(qid, action))
        data = seen(out, V_BOB)
        assert data is not None
        if "question" in data:
            assert data["question"]["votes"] == 2
    assert room.state.questions[qid].votes == 2
