"""`RoomState.view(viewer)`: the snapshot state each viewer gets.

See docs/protocol.md (Part 2), "Snapshot state".
"""

from __future__ import annotations

from server.rooms import Viewer
from tests.rooms.support import (
    ALICE,
    BOB,
    MOD,
    RAP,
    V_ALICE,
    V_BOB,
    V_MOD,
    V_RAP,
    V_STRANGER,
    VIEWERS,
    Room,
    answer,
    ask,
    in_status,
    moderate,
    settings,
    vote,
)


def _qids(room: Room, v: Viewer) -> list[str]:
    return [q["qid"] for q in room.state.view(v)["questions"]]


def _mixed_room() -> tuple[Room, dict[str, str]]:
    """Alice's questions in every state, Bob's too, and a moderator's."""
    room = Room()
    q = {
        "a_live": in_status(room, "live"),
        "a_pending": in_status(room, "pending"),
        "a_answered": in_status(room, "answered"),
        "a_dismissed": in_status(room, "dismissed"),
        "a_dismissed_unapproved": in_status(room, "dismissed", approved=False),
        "a_withdrawn": in_status(room, "withdrawn"),
        "a_withdrawn_unapproved": in_status(room, "withdrawn", approved=False),
        "b_live": in_status(room, "live", author=BOB),
        "b_pending": in_status(room, "pending", author=BOB),
        "b_dismissed": in_status(room, "dismissed", author=BOB),
        "m_live": room.qid(ask(MOD)),
    }
    return room, q


def test_a_participant_sees_public_questions_and_all_of_their_own() -> None:
    room, q = _mixed_room()
    public = [q["a_live"], q["a_answered"], q["b_live"], q["m_live"]]
    alice_own = [v for k, v in q.items() if k.startswith("a_")]
    bob_own = [v for k, v in q.items() if k.startswith("b_")]
    in_seq = sorted(set(public) | set(alice_own), key=lambda qid: int(qid[1:]))
    assert _qids(room, V_ALICE) == in_seq
    assert _qids(room, V_BOB) == sorted(set(public) | set(bob_own), key=lambda s: int(s[1:]))
    assert _qids(room, V_STRANGER) == sorted(public, key=lambda s: int(s[1:]))


def test_staff_see_every_question_in_seq_order() -> None:
    room, q = _mixed_room()
    everything = sorted(q.values(), key=lambda s: int(s[1:]))
    assert list(room.state.questions) == everything
    assert _qids(room, V_MOD) == everything
    assert _qids(room, V_RAP) == everything


def test_view_questions_are_the_wire_form() -> None:
    room, q = _mixed_room()
    room.ok(vote(BOB, q["a_live"]))
    room.ok(answer(q["a_live"], "Yes, in 2027."))
    view = room.state.view(V_STRANGER)
    first = view["questions"][0]
    assert first == room.state.questions[q["a_live"]].wire()
    assert {"qid", "text", "lang", "author", "status", "votes", "answer", "ts"} <= set(first)
    assert (first["votes"], first["answer"]) == (1, "Yes, in 2027.")
    assert first["author"] == {"pid": ALICE["pid"], "name": "Alice", "org": "Sendai City"}


def test_mine_lists_exactly_the_voted_and_asked_qids() -> None:
    room = Room()
    q1, q2, q3 = (room.qid(ask(a)) for a in (ALICE, BOB, MOD))
    for cmd in (
        vote(ALICE, q1),
        vote(ALICE, q2),
        vote(ALICE, q3),
        vote(ALICE, q2, False),
        vote(BOB, q2),
        vote(BOB, q2),  # repeated
        vote(RAP, q3),
        vote(RAP, q3, False),
    ):
        room.ok(cmd)
    assert room.state.view(V_ALICE)["mine"] == {
        "votes": [q1, q3],
        "questions": [q1],
        "poll_votes": {},
    }
    assert room.state.view(V_BOB)["mine"] == {"votes": [q2], "questions": [q2], "poll_votes": {}}
    assert room.state.view(V_RAP)["mine"] == {"votes": [], "questions": [], "poll_votes": {}}
    assert room.state.view(V_MOD)["mine"]["questions"] == [q3]
    assert room.state.view(V_STRANGER)["mine"] == {"votes": [], "questions": [], "poll_votes": {}}


def test_mine_keeps_votes_on_questions_that_left_live() -> None:
    room = Room()
    qid = room.qid(ask(ALICE))
    room.ok(vote(BOB, qid))
    room.ok(moderate(qid, "answered"))
    assert room.state.view(V_BOB)["mine"]["votes"] == [qid]


def test_the_view_carries_pin_settings_state_and_queue() -> None:
    room, q = _mixed_room()
    room.ok(moderate(q["b_live"], "pin"))
    room.ok(settings(notes_locked=True))
    for v in VIEWERS:
        view = room.state.view(v)
        assert view["pinned"] == q["b_live"]
        assert view["settings"]["notes_locked"] is True
        assert view["state"] == "open"
        assert view["queue"] == {"pending": 2, "dismissed": 3}
        assert view["polls"] == [] and view["on_screen"] is None
        assert set(view) == {
            "questions", "pinned", "polls", "on_screen", "settings", "state", "queue", "mine"
        }  # fmt: skip


def test_a_question_appears_for_others_once_approved() -> None:
    room = Room()
    qid = in_status(room, "pending")
    assert qid not in _qids(room, V_BOB)
    room.ok(moderate(qid, "approve"))
    assert qid in _qids(room, V_BOB)
    room.ok(moderate(qid, "dismiss"))
    assert qid not in _qids(room, V_BOB)
    assert qid in _qids(room, V_ALICE) and qid in _qids(room, V_RAP)


def test_views_do_not_share_state() -> None:
    room, _ = _mixed_room()
    view = room.state.view(V_MOD)
    view["questions"][0]["text"] = "tampered"
    view["mine"]["questions"].append("q999")
    view["queue"]["pending"] = 99
    assert room.state.view(V_MOD) != view
