"""Room settings and the open/closed state (`server/rooms/room_settings.py`): events only on
change; what a closed room allows."""

from __future__ import annotations

from typing import Any

import pytest

from protocol.codes import ErrorCode
from protocol.messages import ROOM_SETTINGS
from server.rooms import RoomState
from server.rooms.state import DEFAULT_SETTINGS
from tests.rooms.support import (
    ALICE,
    BOB,
    MOD,
    V_ALICE,
    V_BOB,
    V_MOD,
    V_STRANGER,
    VIEWERS,
    Cmd,
    Room,
    answer,
    ask,
    close,
    durable,
    edit,
    in_status,
    moderate,
    refused,
    reopen,
    seen,
    settings,
    vote,
    withdraw,
)

DEFAULTS = {"premoderation": False, "anonymous_allowed": True, "notes_locked": False}


def test_a_room_starts_open_with_the_default_settings() -> None:
    state = RoomState()
    assert state.settings == DEFAULTS
    assert state.state == "open"
    for v in VIEWERS:
        view = state.view(v)
        assert view["settings"] == DEFAULTS and view["state"] == "open"
        assert view["questions"] == [] and view["pinned"] is None and view["polls"] == []
        assert view["queue"] == {"pending": 0, "dismissed": 0}


def test_the_fold_knows_every_setting_the_command_can_change() -> None:
    """`settings` (`RoomSettings`) names the settings; the fold holds a default for each."""
    assert tuple(DEFAULT_SETTINGS) == ROOM_SETTINGS


@pytest.mark.parametrize("key", list(DEFAULTS))
def test_a_change_sends_all_current_settings_to_everyone(key: str) -> None:
    room = Room()
    out = room(settings(**{key: not DEFAULTS[key]}))
    assert out.ok
    expected = {**DEFAULTS, key: not DEFAULTS[key]}
    assert room.state.settings == expected
    assert out.event is not None and out.event.type == "room.settings"
    for v in (V_ALICE, V_BOB, V_MOD, V_STRANGER):
        assert seen(out, v) == expected


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"premoderation": False},
        {"anonymous_allowed": True, "notes_locked": False},
        {"premoderation": None},  # absent
        {"colour": "red"},  # not a setting
    ],
    ids=["empty", "same-one", "same-two", "none", "unknown"],
)
def test_settings_that_change_nothing_send_nothing(values: dict[str, Any]) -> None:
    room = Room()
    before = durable(room.state)
    out = room(Cmd("settings", values, MOD))
    assert out.ok and out.event is None
    assert durable(room.state) == before


def test_settings_change_only_what_they_name() -> None:
    room = Room()
    room.ok(settings(premoderation=True, notes_locked=True))
    out = room(settings(notes_locked=False, premoderation=None))
    assert seen(out, V_BOB) == {**DEFAULTS, "premoderation": True}
    # a mix of a change and a no-op still reports everything
    out = room(settings(premoderation=True, anonymous_allowed=False))
    assert seen(out, V_BOB) == {**DEFAULTS, "premoderation": True, "anonymous_allowed": False}
    assert room.state.view(V_BOB)["settings"] == room.state.settings


def test_view_settings_is_a_copy() -> None:
    room = Room()
    room.state.view(V_BOB)["settings"]["premoderation"] = True
    assert room.state.settings == DEFAULTS


def test_premoderation_applies_to_later_questions_only() -> None:
    room = Room()
    live = room.qid(ask(ALICE))
    room.ok(settings(premoderation=True))
    held = room.qid(ask(ALICE))
    room.ok(settings(premoderation=False))
    assert (room.status(live), room.status(held)) == ("live", "pending")
    assert room.state.queue()["pending"] == 1


def test_close_and_open_send_events_only_on_change() -> None:
    room = Room()
    nothing = room(reopen())
    assert nothing.ok and nothing.event is None
    out = room(close())
    assert out.ok and room.state.state == "closed"
    assert out.event is not None and out.event.type == "room.state"
    for v in (V_ALICE, V_BOB, V_MOD, V_STRANGER):
        assert seen(out, v) == {"state": "closed"}
    again = room(close())
    assert again.ok and again.event is None
    assert room.state.view(V_BOB)["state"] == "closed"
    out = room(reopen())
    assert seen(out, V_BOB) == {"state": "open"} and room.state.state == "open"


def _closed_room() -> tuple[Room, dict[str, str]]:
    room = Room()
    qids = {
        "live": in_status(room, "live"),
        "pending": in_status(room, "pending"),
        "answered": in_status(room, "answered"),
        "dismissed": in_status(room, "dismissed"),
    }
    room.ok(vote(BOB, qids["live"]))
    room.ok(close())
    return room, qids


def test_a_closed_room_refuses_participation() -> None:
    room, qids = _closed_room()
    before = durable(room.state)
    refusals = [
        ask(ALICE),
        ask(MOD),
        ask(BOB, anon=True),
        vote(ALICE, qids["live"]),
        vote(BOB, qids["live"], False),
        vote(MOD, qids["live"]),
        withdraw(ALICE, qids["live"]),
        withdraw(ALICE, qids["pending"]),
    ]
    for cmd in refusals:
        assert refused(room(cmd), ErrorCode.ROOM_CLOSED), cmd
    assert durable(room.state) == before


def test_a_closed_room_still_allows_moderation() -> None:
    room, qids = _closed_room()
    live, pending, answered, dismissed = (
        qids[k] for k in ("live", "pending", "answered", "dismissed")
    )
    for cmd, status in [
        (moderate(pending, "approve"), "live"),
        (moderate(live, "answered"), "answered"),
        (moderate(answered, "reopen"), "live"),
        (moderate(dismissed, "reopen"), "live"),
        (moderate(live, "reopen"), "live"),
        (moderate(answered, "dismiss"), "dismissed"),
    ]:
        out = room(cmd)
        assert out.ok and out.event is not None, cmd
        qid = cmd.data["qid"]
        assert room.status(qid) == status
    assert room(moderate(live, "pin")).event is not None
    assert room(moderate(live, "unpin")).event is not None
    assert room(edit(live, "Edited after closing")).event is not None
    assert room(answer(live, "Answered after closing")).event is not None
    assert room(settings(anonymous_allowed=False)).event is not None
    assert room.state.state == "closed"
    assert room(reopen()).event is not None
    assert room(ask(ALICE)).ok  # open again


@pytest.mark.parametrize(
    "cmd",
    [settings(premoderation=True), close(), reopen()],
    ids=["settings", "room.close", "room.open"],
)
@pytest.mark.parametrize("actor", [ALICE, BOB], ids=["alice", "bob"])
def test_participants_cannot_change_the_room(cmd: Cmd, actor: dict[str, Any]) -> None:
    room = Room()
    if cmd.type == "room.open":
        room.ok(close())
    before = durable(room.state)
    assert refused(room(Cmd(cmd.type, cmd.data, actor)), ErrorCode.FORBIDDEN)
    assert durable(room.state) == before
