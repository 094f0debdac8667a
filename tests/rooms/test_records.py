"""Records the fold refuses whatever the room: wrong role, unknown type, malformed shape.

The fold double-checks roles (a log may come from elsewhere) and never raises for a
record: a bad one becomes a refused outcome, hidden to all, and the room goes on.
"""

from __future__ import annotations

from typing import Any

import pytest

from protocol.codes import ErrorCode
from protocol.messages import COMMANDS, MUTATING, needs_moderator
from server.rooms import RoomState, apply
from server.rooms.fold import HANDLERS
from tests.rooms.support import (
    ALICE,
    BOB,
    MOD,
    RAP,
    Cmd,
    Rec,
    Room,
    ask,
    durable,
    in_status,
    person,
)

MODERATOR_ONLY: dict[str, dict[str, Any]] = {
    "moderate": {"qid": "q1", "action": "dismiss"},
    "edit": {"qid": "q1", "text": "edited"},
    "answer": {"qid": "q1", "text": "answered"},
    "settings": {"premoderation": True},
    "room.close": {},
    "room.open": {},
    "poll.create": {"title": "T", "kind": "words", "options": [], "hide_results": False},
    "poll.edit": {
        "title": "T", "kind": "words", "options": [], "hide_results": False, "poll_id": "p1"
    },
    "poll.open": {"poll_id": "p1"},
    "poll.close": {"poll_id": "p1"},
    "poll.delete": {"poll_id": "p1"},
    "poll.show": {"poll_id": "p1"},
    "poll.hide_word": {"poll_id": "p1", "word": "spam", "hidden": True},
}  # fmt: skip

NO_ROLES = {"pid": "0000000000000009", "name": "Nobody", "org": ""}


def _busy_room() -> Room:
    """A room with a little of everything, so a refusal has something to leave alone."""
    room = Room()
    in_status(room, "live")
    in_status(room, "pending")
    in_status(room, "answered")
    return room


def test_the_fold_reads_the_commands_moderator_rule() -> None:
    """One rule (issue 11): the cases above are every command that needs a moderator."""
    assert set(MODERATOR_ONLY) == {t for t in COMMANDS if needs_moderator(t)}


def test_every_command_that_changes_the_room_has_a_handler() -> None:
    """So admission never meets a parsed command the fold cannot take: `unknown_type` is
    for a record type no command has (a foreign log), and comes from the fold alone."""
    assert set(HANDLERS) == MUTATING


@pytest.mark.parametrize("type_", list(MODERATOR_ONLY))
@pytest.mark.parametrize(
    "actor",
    [ALICE, RAP, NO_ROLES, person("eeee000000000010", "Eve", "", "moderators")],
    ids=["participant", "rapporteur", "no-roles", "look-alike"],
)
def test_moderator_only_records_from_others_are_forbidden(
    type_: str, actor: dict[str, Any]
) -> None:
    room = _busy_room()
    if type_ == "room.open":
        room.ok(Cmd("room.close", {}, MOD))
    before = durable(room.state)
    out = room(Cmd(type_, MODERATOR_ONLY[type_], actor))
    assert out.code == ErrorCode.FORBIDDEN and out.event is None
    assert durable(room.state) == before
    assert room.last is not None and room.state.seq == room.last.seq


@pytest.mark.parametrize("type_", ["bogus", "", "ASK", "poll.frobnicate", "question.asked"])
def test_unknown_record_types(type_: str) -> None:
    room = _busy_room()
    before = durable(room.state)
    out = room(Cmd(type_, {"qid": "q1"}, MOD))
    assert out.code == ErrorCode.UNKNOWN_TYPE and out.event is None
    assert durable(room.state) == before
    assert room(ask(ALICE)).ok


def test_a_record_without_an_actor_is_refused() -> None:
    room = _busy_room()
    before = durable(room.state)
    for type_ in ("ask", "vote", "moderate", "settings"):
        out = room(Cmd(type_, {}, None))
        assert out.code == ErrorCode.UNAUTHORIZED and out.event is None
    assert durable(room.state) == before


# every command with all its fields; each case drops one
FULL: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "ask": ({"text": "t", "lang": "en", "anon": False}, ALICE),
    "vote": ({"qid": "q1", "up": True}, BOB),
    "withdraw": ({"qid": "q1"}, ALICE),
    "moderate": ({"qid": "q1", "action": "answered"}, MOD),
    "edit": ({"qid": "q1", "text": "new text"}, MOD),
    "answer": ({"qid": "q1", "text": "an answer"}, MOD),
}
MISSING = [(t, k) for t, (data, _) in FULL.items() for k in data]


@pytest.mark.parametrize(("type_", "dropped"), MISSING, ids=[f"{t}-{k}" for t, k in MISSING])
def test_a_record_missing_a_field_is_a_bad_request(type_: str, dropped: str) -> None:
    room = _busy_room()
    data, actor = FULL[type_]
    assert room.status("q1") == "live"
    before = durable(room.state)
    out = room(Cmd(type_, {k: v for k, v in data.items() if k != dropped}, actor))
    assert out.code == ErrorCode.BAD_REQUEST and out.event is None
    assert durable(room.state) == before
    # and the room goes on
    assert room(Cmd(type_, data, actor)).ok


@pytest.mark.parametrize("dropped", ["pid", "name", "org"])
def test_an_ask_whose_actor_lacks_a_field_is_a_bad_request(dropped: str) -> None:
    room = _busy_room()
    before = durable(room.state)
    actor = {k: v for k, v in ALICE.items() if k != dropped}
    out = room(ask(actor))
    assert out.code == ErrorCode.BAD_REQUEST and out.event is None
    assert durable(room.state) == before


@pytest.mark.parametrize("type_", ["ask", "vote", "withdraw", "moderate", "edit", "answer"])
@pytest.mark.parametrize("data", [None, [], "q1"], ids=["nil", "list", "str"])
def test_a_record_whose_data_is_not_a_map_is_a_bad_request(type_: str, data: Any) -> None:
    state = RoomState()
    apply(state, Rec(1, 1.0, "ask", {"text": "t", "lang": "en", "anon": False}, ALICE))
    before = durable(state)
    out = apply(state, Rec(2, 2.0, type_, data, MOD))
    assert out.code == ErrorCode.BAD_REQUEST and out.event is None
    assert durable(state) == before


def test_a_settings_record_whose_data_is_not_a_map_is_a_bad_request() -> None:
    state = RoomState()
    out = apply(state, Rec(1, 1.0, "settings", None, MOD))  # type: ignore[arg-type]
    assert out.code == ErrorCode.BAD_REQUEST


def test_a_refused_record_still_takes_its_seq() -> None:
    state = RoomState()
    apply(state, Rec(7, 1.0, "bogus", {}, ALICE))
    assert state.seq == 7
    apply(state, Rec(8, 2.0, "vote", {"qid": "q1", "up": True}, ALICE))
    assert state.seq == 8
    out = apply(state, Rec(9, 3.0, "ask", {"text": "t", "lang": "en", "anon": False}, ALICE))
    assert out.result["qid"] == "q9" and state.seq == 9


def test_a_refused_reply_carries_the_code_and_no_event() -> None:
    room = Room()
    out = room(Cmd("moderate", {"qid": "q1", "action": "pin"}, ALICE))
    assert (out.ok, out.code, out.event) == (False, "forbidden", None) and out.msg
    ok = room(ask(ALICE))
    assert (ok.ok, ok.result) == (True, {"qid": "q2", "status": "live"})
