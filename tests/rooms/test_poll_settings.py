"""Polls, folded purely: a timer, results shown once voted, and deleting (issue 13).

A poll with `seconds` gets `closes_ts` each time it opens (the server's timer closes it,
server/live/poll_timers.py); `hide_until_voted` shows each participant the results once
they voted; `poll.delete` removes a poll, its votes and results for everyone.
"""

from __future__ import annotations

from typing import Any

import pytest

from protocol.codes import ErrorCode, ProtocolError
from protocol.messages import PollCreate, PollDelete, parse_command
from server.rooms import RoomState
from tests.rooms.poll_support import PARTICIPANT_VIEWERS, STAFF_VIEWERS, view_poll
from tests.rooms.support import (
    ALICE,
    BOB,
    MOD,
    RAP,
    V_ALICE,
    V_BOB,
    V_MOD,
    V_STRANGER,
    VIEWERS,
    Cmd,
    Room,
    durable,
    poll_close,
    poll_create,
    poll_edit,
    poll_open,
    poll_vote,
    refused,
    seen,
)


def poll_delete(poll_id: str, actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("poll.delete", {"poll_id": poll_id}, actor)


# ------------------------------------------------------------------------------ timer


def test_opening_a_timed_poll_sets_when_it_closes() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create(seconds=60))
    poll = room.state.polls[poll_id]
    assert poll.seconds == 60
    assert poll.closes_ts == room.last.ts + 60  # type: ignore[union-attr]
    for v in VIEWERS:
        assert view_poll(room, v, poll_id)["closes_ts"] == poll.closes_ts  # type: ignore[index]


def test_closing_clears_the_deadline_and_reopening_starts_a_new_one() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create(seconds=30))
    room.ok(poll_close(poll_id))
    assert room.state.polls[poll_id].closes_ts is None
    room.ok(poll_open(poll_id))
    assert room.state.polls[poll_id].closes_ts == room.last.ts + 30  # type: ignore[union-attr]


def test_a_poll_without_a_timer_has_no_deadline() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    assert room.state.polls[poll_id].closes_ts is None
    assert view_poll(room, V_ALICE, poll_id)["seconds"] is None  # type: ignore[index]


def test_an_edit_can_set_and_drop_the_timer() -> None:
    room = Room()
    poll_id = room.poll(poll_create())
    edit = poll_edit(poll_id)
    room.ok(Cmd(edit.type, {**edit.data, "seconds": 120}, edit.actor))
    assert room.state.polls[poll_id].seconds == 120
    room.ok(poll_edit(poll_id))  # a record without `seconds`: no timer
    assert room.state.polls[poll_id].seconds is None


def test_the_timer_survives_a_snapshot() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create(seconds=45, hide_until_voted=True))
    loaded = RoomState.from_snapshot(room.state.to_snapshot())
    poll = loaded.polls[poll_id]
    assert poll.seconds == 45 and poll.hide_until_voted
    assert poll.closes_ts == room.state.polls[poll_id].closes_ts is not None


@pytest.mark.parametrize("seconds", [0, 9, 3601, -5, True, 1.5, "60"])
def test_a_timer_out_of_range_is_a_bad_request(seconds: Any) -> None:
    frame = {"t": "poll.create", "id": 1, "cid": "c1", "title": "T", "kind": "rating"}
    with pytest.raises(ProtocolError) as caught:
        parse_command({**frame, "seconds": seconds})
    assert caught.value.code == ErrorCode.BAD_REQUEST


def test_a_timer_in_range_parses() -> None:
    frame = {"t": "poll.create", "id": 1, "cid": "c1", "title": "T", "kind": "rating"}
    for seconds in (10, 60, 3600, None):
        command = parse_command({**frame, "seconds": seconds, "hide_until_voted": True})
        assert isinstance(command, PollCreate) and command.seconds == seconds


# ------------------------------------------------------------------- hide until voted


def test_results_are_shown_to_each_participant_once_they_voted() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create(hide_until_voted=True))
    for v in PARTICIPANT_VIEWERS:
        assert view_poll(room, v, poll_id)["results"] is None  # type: ignore[index]
    for v in STAFF_VIEWERS:
        assert view_poll(room, v, poll_id)["results"] is not None  # type: ignore[index]
    room.ok(poll_vote(ALICE, poll_id, 1))
    assert view_poll(room, V_ALICE, poll_id)["results"] == {"counts": [0, 1, 0], "voters": 1}  # type: ignore[index]
    assert view_poll(room, V_BOB, poll_id)["results"] is None  # type: ignore[index]
    poll = room.state.polls[poll_id]
    assert poll.results_shown_to(V_ALICE.pid, staff=False)
    assert not poll.results_shown_to(V_BOB.pid, staff=False)
    assert poll.results_shown_to(V_MOD.pid, staff=True)


def test_hide_results_wins_over_hide_until_voted_while_open() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create(hide_results=True, hide_until_voted=True))
    room.ok(poll_vote(ALICE, poll_id, 0))
    assert view_poll(room, V_ALICE, poll_id)["results"] is None  # type: ignore[index]


def test_after_closing_everyone_sees_the_results() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create(hide_until_voted=True))
    room.ok(poll_vote(ALICE, poll_id, 2))
    out = room(poll_close(poll_id))
    for v in VIEWERS:
        assert seen(out, v)["results"] == {"counts": [0, 0, 1], "voters": 1}  # type: ignore[index]
        assert view_poll(room, v, poll_id)["results"] is not None  # type: ignore[index]


# ----------------------------------------------------------------------------- delete


@pytest.mark.parametrize("status", ["draft", "open", "closed"])
def test_delete_removes_the_poll_for_everyone(status: str) -> None:
    room = Room()
    poll_id = room.poll(poll_create())
    if status != "draft":
        room.ok(poll_open(poll_id))
        room.ok(poll_vote(ALICE, poll_id, 0))
    if status == "closed":
        room.ok(poll_close(poll_id))
    out = room(poll_delete(poll_id))
    assert out.ok and out.results_of == poll_id
    assert poll_id not in room.state.polls
    for v in VIEWERS:
        assert view_poll(room, v, poll_id) is None
        expected = {"poll_id": poll_id} if status != "draft" or v in STAFF_VIEWERS else None
        assert seen(out, v) == expected
    assert poll_id not in room.state.view(V_ALICE)["mine"]["poll_votes"]


def test_a_deleted_poll_takes_no_more_commands() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(poll_delete(poll_id))
    assert refused(room(poll_vote(BOB, poll_id, 0)), ErrorCode.NOT_FOUND)
    assert refused(room(poll_close(poll_id)), ErrorCode.NOT_FOUND)
    assert refused(room(poll_delete(poll_id)), ErrorCode.NOT_FOUND)


@pytest.mark.parametrize("actor", [ALICE, RAP])
def test_only_moderators_delete_polls(actor: dict[str, Any]) -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    before = durable(room.state)
    assert refused(room(poll_delete(poll_id, actor=actor)), ErrorCode.FORBIDDEN)
    assert durable(room.state) == before


def test_poll_delete_parses_and_is_moderator_only() -> None:
    command = parse_command({"t": "poll.delete", "id": 3, "cid": "c3", "poll_id": "p1"})
    assert isinstance(command, PollDelete) and command.poll_id == "p1"
    assert PollDelete.moderator_only
    assert V_STRANGER.pid  # the stranger exists for the audience checks above


# -------------------------------------------------------------------------- on screen


def poll_show(poll_id: str | None, actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("poll.show", {"poll_id": poll_id}, actor)


def test_one_poll_is_on_screen_at_a_time_for_everyone() -> None:
    room = Room()
    first = room.open_poll(poll_create("First"))
    second = room.open_poll(poll_create("Second"))
    out = room(poll_show(first))
    assert out.ok and room.state.on_screen == first
    for v in VIEWERS:
        assert seen(out, v) == {"poll_id": first}
        assert room.state.view(v)["on_screen"] == first
    out = room(poll_show(second))
    assert room.state.on_screen == second and seen(out, V_ALICE) == {"poll_id": second}
    same = room(poll_show(second))
    assert same.ok and same.event is None  # already on screen: a no-op
    cleared = room(poll_show(None))
    assert room.state.on_screen is None and seen(cleared, V_BOB) == {"poll_id": None}
    again = room(poll_show(None))
    assert again.ok and again.event is None


def test_a_closed_poll_may_stay_on_screen_and_a_draft_may_not_go_there() -> None:
    room = Room()
    poll_id = room.open_poll(poll_create())
    room.ok(poll_show(poll_id))
    room.ok(poll_close(poll_id))
    assert room.state.on_screen == poll_id  # final results stay until cleared
    draft = room.poll(poll_create("Draft"))
    before = durable(room.state)
    assert refused(room(poll_show(draft)), ErrorCode.CONFLICT)
    assert refused(room(poll_show("p99")), ErrorCode.NOT_FOUND)
    assert refused(room(poll_show(poll_id, actor=ALICE)), ErrorCode.FORBIDDEN)
    assert refused(room(poll_show(None, actor=RAP)), ErrorCode.FORBIDDEN)
    assert durable(room.state) == before


def test_deleting_the_poll_on_screen_clears_the_screen_and_it_survives_a_snapshot() -> None:
    room = Room()
    kept = room.open_poll(poll_create("Kept"))
    room.ok(poll_show(kept))
    loaded = RoomState.from_snapshot(room.state.to_snapshot())
    assert loaded.on_screen == kept
    gone = room.open_poll(poll_create("Gone"))
    room.ok(poll_show(gone))
    room.ok(poll_delete(gone))
    assert room.state.on_screen is None
    room.ok(poll_delete(kept))
    assert room.state.on_screen is None
