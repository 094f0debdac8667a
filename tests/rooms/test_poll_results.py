"""Poll results, folded purely: hidden words, who sees results when, each viewer's own
votes, and polls across a snapshot (issue 4)."""

from __future__ import annotations

import msgpack

from protocol.codes import ErrorCode
from server.rooms import RoomState
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
    RAP,
    V_ALICE,
    V_BOB,
    V_MOD,
    V_RAP,
    V_STRANGER,
    VIEWERS,
    Room,
    durable,
    poll_close,
    poll_create,
    poll_edit,
    poll_hide_word,
    poll_open,
    poll_vote,
    refused,
    seen,
)

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
