"""Polls, folded purely: every kind, every transition, every malformed choice (issue 4).

A poll is a draft (staff only) until opened; it may be closed and reopened. One vote per
pid per poll, replaced when it changes. Results follow from the votes and are hidden from
participants while an open poll has `hide_results`.
"""

from __future__ import annotations

from typing import Any

import pytest

from protocol.codes import ErrorCode
from server.rooms.polls import WORD_LIMIT, normalise_word
from tests.rooms.poll_support import (
    CAROL,
    DAVE,
    PARTICIPANT_VIEWERS,
    STAFF_VIEWERS,
    results,
    view_poll,
)
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
    Cmd,
    Room,
    ask,
    close,
    durable,
    poll_close,
    poll_create,
    poll_edit,
    poll_open,
    poll_vote,
    refused,
    reopen,
    seen,
)

# ------------------------------------------------------------------------------ create


@pytest.mark.parametrize(
    ("kind", "options", "counts"),
    [
        ("single", ["Siren", "SMS", "Radio"], [0, 0, 0]),
        ("multi", ["Siren", "SMS"], [0, 0]),
        ("rating", [], [0, 0, 0, 0, 0]),
        ("words", [], {}),
    ],
)
def test_create_makes_a_draft_only_staff_see(kind: str, options: list[str], counts: Any) -> None:
    room = Room()
    room.ok(ask(ALICE))  # seq 1: the poll id follows the seq of its create
    out = room(poll_create("Which channel?", kind, options))
    assert out.ok and out.result == {"poll_id": "p2"}
    assert out.results_of is None  # a draft's (empty) results go nowhere yet
    wire = {
        "poll_id": "p2",
        "title": "Which channel?",
        "kind": kind,
        "options": options,
        "status": "draft",
        "hide_results": False,
        "hide_until_voted": False,
        "seconds": None,
        "closes_ts": None,
        "hidden_words": [],
        "opened_ts": None,
        "closed_ts": None,
    }
    assert out.event is not None and out.event.type == "poll.created"
    for v in STAFF_VIEWERS:
        assert seen(out, v) == {"poll": wire}
        assert view_poll(room, v, "p2") == {**wire, "results": {"counts": counts, "voters": 0}}
    for v in PARTICIPANT_VIEWERS:
        assert seen(out, v) is None
        assert view_poll(room, v, "p2") is None
    assert room.state.polls["p2"].results() == {"counts": counts, "voters": 0}


@pytest.mark.parametrize("actor", [ALICE, RAP])
def test_only_moderators_create_polls(actor: dict[str, Any]) -> None:
    room = Room()
    before = durable(room.state)
    assert refused(room(poll_create(actor=actor)), ErrorCode.FORBIDDEN)
    assert durable(room.state) == before


def test_hide_results_is_kept_per_poll() -> None:
    room = Room()
    hidden = room.poll(poll_create("Hidden", hide_results=True))
    shown = room.poll(poll_create("Shown"))
    assert room.state.polls[hidden].hide_results
    assert not room.state.polls[shown].hide_results


# -------------------------------------------------------------------------------- edit


def test_a_draft_can_be_edited_entirely() -> None:
    room = Room()
    poll_id = room.poll(poll_create("Typo?", "single", ["A", "B"]))
    out = room(poll_edit(poll_id, "Which word?", "words", [], hide_results=True))
    assert out.ok and out.result == {"poll_id": poll_id}
    assert out.event is not None and out.event.type == "poll.created"
    poll = room.state.polls[poll_id]
    assert (poll.title, poll.kind, poll.options, poll.hide_results, poll.status) == (
        "Which word?",
        "words",
        [],
        True,
        "draft",
    )
    assert seen(out, V_MOD) == {"poll": poll.wire()}
    assert seen(out, V_RAP) == {"poll": poll.wire()}
    for v in PARTICIPANT_VIEWERS:
        assert seen(out, v) is None
    assert results(room, poll_id) == {"counts": {}, "voters": 0}


@pytest.mark.parametrize("status", ["open", "closed"])
def test_only_a_draft_can_be_edited(status: str) -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    if status == "closed":
        room.ok(poll_close(poll_id))
    before = durable(room.state)
    assert refused(room(poll_edit(poll_id, "Changed")), ErrorCode.CONFLICT)
    assert durable(room.state) == before


def test_edit_refusals() -> None:
    room = Room()
    poll_id = room.poll(poll_create())
    assert refused(room(poll_edit("p99")), ErrorCode.NOT_FOUND)
    assert refused(room(poll_edit(poll_id, actor=ALICE)), ErrorCode.FORBIDDEN)
    assert refused(room(poll_edit(poll_id, actor=RAP)), ErrorCode.FORBIDDEN)


# --------------------------------------------------------------------- open and close


def test_open_shows_the_poll_to_everyone() -> None:
    room = Room()
    poll_id = room.poll(poll_create("Which channel?"))
    out = room(poll_open(poll_id))
    assert out.ok and out.results_of == poll_id
    poll = room.state.polls[poll_id]
    assert poll.status == "open" and poll.opened_ts == room.last.ts  # type: ignore[union-attr]
    assert out.event is not None and out.event.type == "poll.status"
    for v in VIEWERS:
        wire = poll.wire(staff=v.staff)
        assert seen(out, v) == {"poll_id": poll_id, "status": "open", "poll": wire}
        listed = view_poll(room, v, poll_id)
        assert listed is not None and listed["status"] == "open"
        assert listed["results"] == {"counts": [0, 0, 0], "voters": 0}


def test_opening_an_open_poll_changes_nothing() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    before = durable(room.state)
    out = room(poll_open(poll_id))
    assert out.ok and out.event is None and out.results_of is None
    assert durable(room.state) == before


def test_close_carries_the_final_results_to_everyone() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(poll_vote(ALICE, poll_id, 1))
    room.ok(poll_vote(BOB, poll_id, 1))
    room.ok(poll_vote(MOD, poll_id, 2))  # staff vote too
    out = room(poll_close(poll_id))
    assert out.ok and out.results_of == poll_id
    final = {"counts": [0, 2, 1], "voters": 3}
    for v in VIEWERS:
        assert seen(out, v) == {"poll_id": poll_id, "status": "closed", "results": final}
    poll = room.state.polls[poll_id]
    assert poll.status == "closed" and poll.closed_ts == room.last.ts  # type: ignore[union-attr]


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_only_an_open_poll_can_be_closed(status: str) -> None:
    room = Room()
    poll_id = room.poll(poll_create())
    if status == "closed":
        room.ok(poll_open(poll_id))
        room.ok(poll_close(poll_id))
    before = durable(room.state)
    assert refused(room(poll_close(poll_id)), ErrorCode.CONFLICT)
    assert durable(room.state) == before


@pytest.mark.parametrize("make", [poll_open, poll_close])
def test_open_and_close_refusals(make: Any) -> None:
    room = Room()
    poll_id = room.poll(poll_create())
    assert refused(room(make("p99")), ErrorCode.NOT_FOUND)
    assert refused(room(make(poll_id, actor=ALICE)), ErrorCode.FORBIDDEN)
    assert refused(room(make(poll_id, actor=RAP)), ErrorCode.FORBIDDEN)


def test_reopen_keeps_the_votes_and_takes_more() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(poll_vote(ALICE, poll_id, 0))
    room.ok(poll_close(poll_id))
    assert refused(room(poll_vote(BOB, poll_id, 1)), ErrorCode.CONFLICT)
    out = room(poll_open(poll_id))  # reopen
    assert out.ok and out.event is not None
    assert seen(out, V_BOB)["status"] == "open"  # type: ignore[index]
    room.ok(poll_vote(BOB, poll_id, 1))
    room.ok(poll_vote(ALICE, poll_id, 2))  # a change after reopening replaces the old vote
    out = room(poll_close(poll_id))
    assert seen(out, V_ALICE) == {
        "poll_id": poll_id,
        "status": "closed",
        "results": {"counts": [0, 1, 1], "voters": 2},
    }


def test_polls_work_while_the_room_is_closed_except_votes() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(close())
    assert refused(room(poll_vote(ALICE, poll_id, 0)), ErrorCode.ROOM_CLOSED)
    assert refused(room(poll_vote(MOD, poll_id, 0)), ErrorCode.ROOM_CLOSED)
    room.ok(poll_close(poll_id))  # a moderator still runs polls
    room.ok(poll_open(poll_id))
    room.ok(reopen())
    room.ok(poll_vote(ALICE, poll_id, 0))


# -------------------------------------------------------------------------------- votes


def test_a_vote_is_seen_by_the_voter_only() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    out = room(poll_vote(ALICE, poll_id, 2))
    assert out.ok and out.result == {} and out.results_of == poll_id
    assert out.event is not None and out.event.type == "poll.voted"
    assert seen(out, V_ALICE) == {"poll_id": poll_id, "choice": 2}
    for v in (V_BOB, V_MOD, V_RAP, V_STRANGER):
        assert seen(out, v) is None  # staff do not learn who voted what either
    assert results(room, poll_id) == {"counts": [0, 0, 1], "voters": 1}


def test_a_changed_vote_replaces_the_old_one() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(poll_vote(ALICE, poll_id, 0))
    room.ok(poll_vote(BOB, poll_id, 0))
    out = room(poll_vote(ALICE, poll_id, 2))
    assert seen(out, V_ALICE) == {"poll_id": poll_id, "choice": 2}
    assert results(room, poll_id) == {"counts": [1, 0, 1], "voters": 2}
    assert room.state.polls[poll_id].votes == {ALICE["pid"]: 2, BOB["pid"]: 0}


def test_the_same_vote_again_changes_nothing() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create("Rate it", "rating"))
    room.ok(poll_vote(ALICE, poll_id, 4))
    before = durable(room.state)
    out = room(poll_vote(ALICE, poll_id, 4))
    assert out.ok and out.event is None and out.results_of is None
    assert durable(room.state) == before


def test_multi_votes_are_sets_of_options() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create("Which?", "multi", ["A", "B", "C", "D"]))
    out = room(poll_vote(ALICE, poll_id, [3, 0]))
    assert seen(out, V_ALICE) == {"poll_id": poll_id, "choice": [0, 3]}  # sorted
    room.ok(poll_vote(BOB, poll_id, [0]))
    room.ok(poll_vote(CAROL, poll_id, [0, 1, 2, 3]))
    assert results(room, poll_id) == {"counts": [3, 1, 1, 2], "voters": 3}
    assert room(poll_vote(ALICE, poll_id, [0, 3])).event is None  # the same set, reordered
    room.ok(poll_vote(CAROL, poll_id, [1]))
    assert results(room, poll_id) == {"counts": [2, 1, 0, 1], "voters": 3}


def test_rating_counts_one_to_five_stars() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create("How useful?", "rating"))
    for actor, stars in ((ALICE, 5), (BOB, 1), (CAROL, 5), (DAVE, 3)):
        room.ok(poll_vote(actor, poll_id, stars))
    assert results(room, poll_id) == {"counts": [1, 0, 1, 0, 2], "voters": 4}
    room.ok(poll_vote(BOB, poll_id, 4))
    assert results(room, poll_id) == {"counts": [0, 0, 1, 1, 2], "voters": 4}


def test_words_count_case_space_and_width_insensitively() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create("One word", "words"))
    out = room(poll_vote(ALICE, poll_id, "  Early   Warning "))
    assert seen(out, V_ALICE) == {"poll_id": poll_id, "choice": "early warning"}
    room.ok(poll_vote(BOB, poll_id, "EARLY WARNING"))
    # full width, with an ideographic space
    room.ok(poll_vote(CAROL, poll_id, "ＥＡＲＬＹ\u3000ｗａｒｎｉｎｇ"))
    room.ok(poll_vote(DAVE, poll_id, "避難"))
    assert results(room, poll_id) == {"counts": {"early warning": 3, "避難": 1}, "voters": 4}
    room.ok(poll_vote(DAVE, poll_id, "Straße"))
    assert results(room, poll_id)["counts"] == {"early warning": 3, "strasse": 1}


def test_a_word_is_at_most_forty_characters_after_normalising() -> None:
    assert WORD_LIMIT == 40
    # NFKC can lengthen a word (the ligature ﬃ is three letters): the count stays bounded.
    assert normalise_word("ﬃ" * 20) == ("ffi" * 20)[:40]
    assert len(normalise_word("ﬃ" * 20)) == 40
    assert normalise_word("\tA \n b ") == "a b"
    room = Room()
    poll_id = room.open_poll(poll_create("One word", "words"))
    room.ok(poll_vote(ALICE, poll_id, "x" * 40))
    room.ok(poll_vote(BOB, poll_id, "ﬃ" * 20))
    words = results(room, poll_id)["counts"]
    assert all(len(word) <= WORD_LIMIT for word in words)
    assert words == {"x" * 40: 1, normalise_word("ﬃ" * 20): 1}


def test_a_vote_in_a_draft_is_a_conflict_for_staff_and_unknown_to_participants() -> None:
    room = Room()
    poll_id = room.poll(poll_create())
    before = durable(room.state)
    assert refused(room(poll_vote(MOD, poll_id, 0)), ErrorCode.CONFLICT)
    assert refused(room(poll_vote(RAP, poll_id, 0)), ErrorCode.CONFLICT)
    # A participant cannot see drafts, so a draft's id is as unknown as a made-up one.
    assert refused(room(poll_vote(ALICE, poll_id, 0)), ErrorCode.NOT_FOUND)
    assert durable(room.state) == before


def test_a_vote_in_a_closed_poll_is_a_conflict() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(poll_vote(ALICE, poll_id, 0))
    room.ok(poll_close(poll_id))
    before = durable(room.state)
    for actor in (ALICE, BOB, MOD):
        assert refused(room(poll_vote(actor, poll_id, 1)), ErrorCode.CONFLICT)
    assert durable(room.state) == before
    assert results(room, poll_id) == {"counts": [1, 0, 0], "voters": 1}


def test_a_vote_in_an_unknown_poll_is_not_found() -> None:
    room = Room()
    assert refused(room(poll_vote(ALICE, "p1", 0)), ErrorCode.NOT_FOUND)


def test_conflict_is_decided_before_the_choice_is_read() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(poll_close(poll_id))
    assert refused(room(poll_vote(ALICE, poll_id, 99)), ErrorCode.CONFLICT)


MALFORMED: dict[str, list[Any]] = {
    # three options: 0, 1, 2
    "single": [-1, 3, 1000, "0", "Siren", [0], [], True, False, 1.0, None, {"0": 1}],
    "multi": [0, 2, [], [0, 0], [0, 3], [-1], [True], [0, False], ["0"], [0.0], "0", None, [[0]]],
    "rating": [0, 6, -1, "5", [3], True, 2.5, None, []],
    "words": [0, 1, [1], ["word"], "", "   ", "\u3000", True, None, 1.5],
}


@pytest.mark.parametrize(
    ("kind", "choice"),
    [(kind, choice) for kind, choices in MALFORMED.items() for choice in choices],
)
def test_every_malformed_choice_is_a_bad_request(kind: str, choice: Any) -> None:
    room = Room()
    poll_id = room.open_poll(poll_create("Which?", kind))
    room.ok(poll_vote(BOB, poll_id, "ok" if kind == "words" else [1] if kind == "multi" else 1))
    before = durable(room.state)
    out = room(poll_vote(ALICE, poll_id, choice))
    assert refused(out, ErrorCode.BAD_REQUEST), (kind, choice, out)
    assert out.msg  # says what would fit
    assert durable(room.state) == before
    assert out.results_of is None


def test_a_malformed_choice_keeps_the_earlier_vote() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(poll_vote(ALICE, poll_id, 1))
    assert refused(room(poll_vote(ALICE, poll_id, 7)), ErrorCode.BAD_REQUEST)
    assert room.state.polls[poll_id].votes == {ALICE["pid"]: 1}


@pytest.mark.parametrize(
    "data", [{"poll_id": "p1"}, {"choice": 0}, {}], ids=["no choice", "no poll", "empty"]
)
def test_a_record_missing_fields_is_a_bad_request(data: dict[str, Any]) -> None:
    room = Room()
    room.open_poll(poll_create())
    before = durable(room.state)
    assert refused(room(Cmd("poll.vote", data, ALICE)), ErrorCode.BAD_REQUEST)
    assert durable(room.state) == before
