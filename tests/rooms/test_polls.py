"""Polls, folded purely: every kind, every transition, every malformed choice (issue 4).

A poll is a draft (staff only) until opened; it may be closed and reopened. One vote per
pid per poll, replaced when it changes. Results follow from the votes and are hidden from
participants while an open poll has `hide_results`.
"""

from __future__ import annotations

from typing import Any

import msgpack
import pytest

from protocol.codes import ErrorCode
from server.rooms import RoomState
from server.rooms.polls import WORD_LIMIT, normalise_word
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
    person,
    poll_close,
    poll_create,
    poll_edit,
    poll_hide_word,
    poll_open,
    poll_vote,
    refused,
    reopen,
    seen,
)

PARTICIPANT_VIEWERS = (V_ALICE, V_BOB, V_STRANGER)
STAFF_VIEWERS = (V_MOD, V_RAP)
CAROL = person("ca40100000000006", "Carol", "Tohoku University")
DAVE = person("da7e000000000007", "Dave", "")


def results(room: Room, poll_id: str) -> dict[str, Any]:
    return room.state.polls[poll_id].results()


def view_poll(room: Room, viewer: Any, poll_id: str) -> dict[str, Any] | None:
    """The poll as `viewer`'s snapshot lists it, or None when it is not listed."""
    for poll in room.state.view(viewer)["polls"]:
        if poll["poll_id"] == poll_id:
            return dict(poll)
    return None


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


# --------------------------------------------------------------------------- hidden words


def _words_room(*, hide_results: bool = False) -> tuple[Room, str]:
    room = Room()
    poll_id = room.open_poll(poll_create("One word", "words", hide_results=hide_results))
    room.ok(poll_vote(ALICE, poll_id, "Tsunami"))
    room.ok(poll_vote(BOB, poll_id, "tsunami"))
    room.ok(poll_vote(CAROL, poll_id, "flood"))
    return room, poll_id


def test_a_hidden_word_leaves_the_counts_and_comes_back_when_shown() -> None:
    room, poll_id = _words_room()
    out = room(poll_hide_word(poll_id, "  TSUNAMI "))
    assert out.ok and out.results_of == poll_id
    assert out.event is not None and out.event.type == "poll.word_hidden"
    data = {"poll_id": poll_id, "word": "tsunami", "hidden": True}
    for v in VIEWERS:
        assert seen(out, v) == data
    assert results(room, poll_id) == {"counts": {"flood": 1}, "voters": 3}
    assert room.state.polls[poll_id].wire()["hidden_words"] == ["tsunami"]
    # A new vote for the hidden word counts as a voter, not as the word.
    room.ok(poll_vote(DAVE, poll_id, "TSUNAMI"))
    assert results(room, poll_id) == {"counts": {"flood": 1}, "voters": 4}
    out = room(poll_hide_word(poll_id, "tsunami", hidden=False))
    assert seen(out, V_ALICE) == {"poll_id": poll_id, "word": "tsunami", "hidden": False}
    assert results(room, poll_id) == {"counts": {"tsunami": 3, "flood": 1}, "voters": 4}


def test_hiding_a_hidden_word_or_showing_a_shown_one_changes_nothing() -> None:
    room, poll_id = _words_room()
    before = durable(room.state)
    out = room(poll_hide_word(poll_id, "flood", hidden=False))
    assert out.ok and out.event is None and out.results_of is None
    assert durable(room.state) == before
    room.ok(poll_hide_word(poll_id, "flood"))
    before = durable(room.state)
    assert room(poll_hide_word(poll_id, "FLOOD")).event is None
    assert durable(room.state) == before


def test_a_word_can_be_hidden_before_anyone_sends_it() -> None:
    room = Room()
    poll_id = room.poll(poll_create("One word", "words"))
    out = room(poll_hide_word(poll_id, "spam"))
    assert out.ok
    assert seen(out, V_MOD) is not None and seen(out, V_RAP) is not None
    for v in PARTICIPANT_VIEWERS:
        assert seen(out, v) is None  # the poll is a draft
    room.ok(poll_open(poll_id))
    room.ok(poll_vote(ALICE, poll_id, "Spam"))
    assert results(room, poll_id) == {"counts": {}, "voters": 1}


def test_hiding_a_word_while_results_are_hidden_tells_staff_only() -> None:
    room, poll_id = _words_room(hide_results=True)
    out = room(poll_hide_word(poll_id, "flood"))
    assert out.ok
    assert seen(out, V_MOD) == {"poll_id": poll_id, "word": "flood", "hidden": True}
    for v in PARTICIPANT_VIEWERS:
        assert seen(out, v) is None  # the word would be a piece of the hidden results
    room.ok(poll_close(poll_id))
    out = room(poll_hide_word(poll_id, "flood", hidden=False))
    for v in VIEWERS:
        assert seen(out, v) == {"poll_id": poll_id, "word": "flood", "hidden": False}


def test_hide_word_refusals() -> None:
    room, poll_id = _words_room()
    single = room.open_poll(poll_create())
    assert refused(room(poll_hide_word(single, "x")), ErrorCode.CONFLICT)
    assert refused(room(poll_hide_word("p99", "x")), ErrorCode.NOT_FOUND)
    assert refused(room(poll_hide_word(poll_id, "flood", actor=ALICE)), ErrorCode.FORBIDDEN)
    assert refused(room(poll_hide_word(poll_id, "flood", actor=RAP)), ErrorCode.FORBIDDEN)


# ------------------------------------------------------------------- results visibility


def test_hidden_results_reach_staff_only_while_open() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create("Groupthink?", hide_results=True))
    room.ok(poll_vote(ALICE, poll_id, 0))
    room.ok(poll_vote(BOB, poll_id, 2))
    poll = room.state.polls[poll_id]
    assert not poll.results_audience_everyone()
    live = {"counts": [1, 0, 1], "voters": 2}
    for v in STAFF_VIEWERS:
        assert view_poll(room, v, poll_id)["results"] == live  # type: ignore[index]
    for v in PARTICIPANT_VIEWERS:
        listed = view_poll(room, v, poll_id)
        assert listed is not None and listed["status"] == "open" and listed["hide_results"]
        assert listed["results"] is None
    # Participants still see their own vote.
    assert room.state.view(V_ALICE)["mine"]["poll_votes"] == {poll_id: 0}

    out = room(poll_close(poll_id))
    assert poll.results_audience_everyone()
    for v in VIEWERS:
        assert seen(out, v)["results"] == live  # type: ignore[index]
        assert view_poll(room, v, poll_id)["results"] == live  # type: ignore[index]

    room.ok(poll_open(poll_id))  # reopened: hidden again
    assert not poll.results_audience_everyone()
    assert view_poll(room, V_BOB, poll_id)["results"] is None  # type: ignore[index]
    assert view_poll(room, V_MOD, poll_id)["results"] == live  # type: ignore[index]


def test_visible_results_reach_everyone_while_open() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(poll_vote(ALICE, poll_id, 1))
    assert room.state.polls[poll_id].results_audience_everyone()
    for v in VIEWERS:
        assert view_poll(room, v, poll_id)["results"] == {  # type: ignore[index]
            "counts": [0, 1, 0],
            "voters": 1,
        }


def test_a_draft_results_audience_is_staff() -> None:
    room = Room()
    poll_id = room.poll(poll_create())
    assert not room.state.polls[poll_id].results_audience_everyone()


# ------------------------------------------------------------------------- mine and view


def test_mine_poll_votes_holds_each_viewers_own_choices() -> None:
    room = Room()
    single = room.open_poll(poll_create())
    multi = room.open_poll(poll_create("Which?", "multi", ["A", "B", "C"]))
    words = room.open_poll(poll_create("Word", "words"))
    room.ok(poll_vote(ALICE, single, 2))
    room.ok(poll_vote(ALICE, multi, [2, 1]))
    room.ok(poll_vote(ALICE, words, " Levee "))
    room.ok(poll_vote(BOB, single, 0))
    room.ok(poll_vote(ALICE, single, 1))  # changed
    room.ok(poll_close(single))  # a closed poll keeps the vote
    assert room.state.view(V_ALICE)["mine"]["poll_votes"] == {
        single: 1,
        multi: [1, 2],
        words: "levee",
    }
    assert room.state.view(V_BOB)["mine"]["poll_votes"] == {single: 0}
    assert room.state.view(V_STRANGER)["mine"]["poll_votes"] == {}
    assert room.state.view(V_MOD)["mine"]["poll_votes"] == {}


def test_view_lists_polls_in_creation_order_with_drafts_for_staff_only() -> None:
    room = Room()
    a = room.open_poll(poll_create("A"))
    b = room.poll(poll_create("B"))
    c = room.open_poll(poll_create("C", "rating"))
    room.ok(poll_close(c))
    assert [p["poll_id"] for p in room.state.view(V_MOD)["polls"]] == [a, b, c]
    assert [p["poll_id"] for p in room.state.view(V_RAP)["polls"]] == [a, b, c]
    for v in PARTICIPANT_VIEWERS:
        assert [p["poll_id"] for p in room.state.view(v)["polls"]] == [a, c]


def test_poll_votes_are_kept_per_pid_not_per_connection() -> None:
    """Two tabs of one participant share a pid, so they share one vote."""
    room = Room()
    poll_id = room.open_poll(poll_create())
    same_person = {**ALICE, "name": "Alice (phone)", "org": ""}
    room.ok(poll_vote(ALICE, poll_id, 0))
    room.ok(poll_vote(same_person, poll_id, 1))
    assert results(room, poll_id) == {"counts": [0, 1, 0], "voters": 1}


# ------------------------------------------------------------------------------ snapshots


def _busy_room() -> Room:
    room = Room()
    single = room.open_poll(poll_create())
    multi = room.open_poll(poll_create("Which?", "multi", ["A", "B", "C"], hide_results=True))
    rating = room.open_poll(poll_create("Rate", "rating"))
    words = room.open_poll(poll_create("Word", "words"))
    room.poll(poll_create("Draft", "words"))
    for actor in (ALICE, BOB, CAROL):
        room.ok(poll_vote(actor, single, 1))
        room.ok(poll_vote(actor, multi, [0, 2]))
        room.ok(poll_vote(actor, rating, 4))
    room.ok(poll_vote(ALICE, words, "Tsunami"))
    room.ok(poll_vote(BOB, words, "spam"))
    room.ok(poll_hide_word(words, "spam"))
    room.ok(poll_close(rating))
    return room


def test_a_snapshot_round_trip_keeps_every_poll() -> None:
    room = _busy_room()
    snap = room.state.to_snapshot()
    packed = msgpack.packb(snap, use_bin_type=True)
    again = RoomState.from_snapshot(msgpack.unpackb(packed, raw=False, strict_map_key=True))
    assert again.to_snapshot() == snap
    for v in VIEWERS:
        assert again.view(v) == room.state.view(v)
    for poll_id, poll in room.state.polls.items():
        copy = again.polls[poll_id]
        assert copy.results() == poll.results()
        assert copy.hidden_words == poll.hidden_words and isinstance(copy.hidden_words, set)
        assert copy.votes == poll.votes


def test_folding_after_a_snapshot_equals_folding_throughout() -> None:
    room = _busy_room()
    resumed = Room(RoomState.from_snapshot(msgpack.unpackb(
        msgpack.packb(room.state.to_snapshot(), use_bin_type=True), raw=False
    )))  # fmt: skip
    tail = [
        poll_vote(DAVE, "p2", [1]),
        poll_vote(ALICE, "p2", [1, 2]),
        poll_hide_word("p4", "spam", hidden=False),
        poll_vote(CAROL, "p3", 1),  # closed: conflict
        poll_open("p3"),
        poll_vote(CAROL, "p3", 1),
        poll_close("p2"),
        poll_edit("p5", "Draft, edited", "rating", []),
    ]
    for cmd in tail:
        a, b = room(cmd), resumed(cmd)
        assert a == b, cmd
    assert resumed.state.to_snapshot() == room.state.to_snapshot()
    for v in VIEWERS:
        assert resumed.state.view(v) == room.state.view(v)


def test_a_snapshot_without_polls_loads() -> None:
    """Snapshots written before polls existed have no `polls` key."""
    snap = Room().state.to_snapshot()
    del snap["polls"]
    assert RoomState.from_snapshot(snap).polls == {}


def test_hidden_words_are_listed_to_staff_only() -> None:
    room, poll_id = _words_room()
    room.ok(poll_hide_word(poll_id, "tsunami"))
    for v in STAFF_VIEWERS:
        assert view_poll(room, v, poll_id)["hidden_words"] == ["tsunami"]  # type: ignore[index]
    for v in PARTICIPANT_VIEWERS:
        assert view_poll(room, v, poll_id)["hidden_words"] == []  # type: ignore[index]
    # Reopening tells everyone about the poll again, still without the hidden words.
    room.ok(poll_close(poll_id))
    out = room(poll_open(poll_id))
    assert seen(out, V_MOD)["poll"]["hidden_words"] == ["tsunami"]  # type: ignore[index]
    assert seen(out, V_ALICE)["poll"]["hidden_words"] == []  # type: ignore[index]
