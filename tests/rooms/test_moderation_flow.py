"""The chair's flow (issue 13): `next`, restoring a withdrawn question, edits marked."""

from __future__ import annotations

from typing import Any

from server.rooms import RoomState
from tests.rooms.support import (
    ALICE,
    BOB,
    MOD,
    V_ALICE,
    V_BOB,
    Cmd,
    Room,
    ask,
    edit,
    moderate,
    seen,
    vote,
    withdraw,
)


def next_(actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("moderate", {"qid": None, "action": "next"}, actor)


def test_next_pins_the_live_question_with_most_votes_ties_the_oldest() -> None:
    room = Room()
    q1, q2, q3 = (room.qid(ask(ALICE, f"question {i}")) for i in range(3))
    room.ok(vote(BOB, q2))
    room.ok(vote(BOB, q3))
    out = room.ok(next_())
    assert room.state.pinned == q2  # q2 and q3 tie on one vote: q2 is older
    assert out.result == {"pinned": q2, "answered": None}
    assert seen(out, V_BOB) == {"qid": q2}
    assert q1 != q2


def test_next_marks_the_pinned_answered_and_moves_on() -> None:
    room = Room()
    q1, q2 = room.qid(ask(ALICE, "first")), room.qid(ask(BOB, "second"))
    room.ok(moderate(q1, "pin"))
    out = room.ok(next_())
    assert room.state.questions[q1].status == "answered"
    assert room.state.questions[q1].answered_ts == room.last.ts if room.last else False
    assert room.state.pinned == q2
    assert out.result == {"pinned": q2, "answered": q1}
    data = seen(out, V_ALICE)
    assert data is not None and data["qid"] == q2
    assert data["answered"]["qid"] == q1 and data["answered"]["status"] == "answered"
    assert data["answered"]["question"]["status"] == "answered"
    # The last one: answered, and nothing is pinned any more.
    out = room.ok(next_())
    assert room.state.questions[q2].status == "answered" and room.state.pinned is None
    assert out.result == {"pinned": None, "answered": q2}
    # Nothing pinned, nothing live: `ok`, nothing happens.
    out = room.ok(next_())
    assert out.event is None and out.result == {"pinned": None, "answered": None}


def test_next_skips_questions_that_are_not_live() -> None:
    room = Room()
    q1 = room.qid(ask(ALICE, "answered already"))
    q2 = room.qid(ask(BOB, "withdrawn"))
    q3 = room.qid(ask(BOB, "dismissed"))
    q4 = room.qid(ask(ALICE, "the one left"))
    room.ok(moderate(q1, "answered"))
    room.ok(withdraw(BOB, q2))
    room.ok(moderate(q3, "dismiss"))
    room.ok(next_())
    assert room.state.pinned == q4


def test_next_over_an_answered_pin_does_not_answer_it_again() -> None:
    room = Room()
    q1, q2 = room.qid(ask(ALICE, "first")), room.qid(ask(BOB, "second"))
    room.ok(moderate(q1, "answered"))
    room.ok(moderate(q1, "pin"))  # pinned again on purpose
    out = room.ok(next_())
    assert out.result == {"pinned": q2, "answered": None}
    assert "answered" not in (seen(out, V_BOB) or {})


def test_a_moderator_restores_a_withdrawn_question() -> None:
    room = Room()
    qid = room.qid(ask(ALICE, "withdrawn by mistake"))
    room.ok(withdraw(ALICE, qid))
    out = room.ok(moderate(qid, "reopen"))
    assert room.state.questions[qid].status == "live"
    data = seen(out, V_BOB)
    assert data is not None and data["status"] == "live" and data["question"]["qid"] == qid


def test_an_edit_is_marked_for_everyone_and_in_snapshots() -> None:
    room = Room()
    qid = room.qid(ask(ALICE, "Waht is teh budget?"))
    out = room.ok(edit(qid, "What is the budget?"))
    assert seen(out, V_BOB) == {"qid": qid, "text": "What is the budget?", "edited": True}
    [wire] = [q for q in room.state.view(V_BOB)["questions"] if q["qid"] == qid]
    assert wire["edited"] is True
    again = RoomState.from_snapshot(room.state.to_snapshot())
    assert again.questions[qid].edited is True
    # An answer is the moderator's own text: it marks nothing.
    other = room.qid(ask(BOB, "Unedited"))
    [plain] = [q for q in room.state.view(V_BOB)["questions"] if q["qid"] == other]
    assert "edited" not in plain
