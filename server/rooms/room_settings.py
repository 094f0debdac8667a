"""The room's settings and its open/closed state: the fold's `settings`, `room.close` and
`room.open` handlers (moderator commands; PROTOCOL.md "Commands").

Not the server process's settings (flags and environment), which are `server/settings.py`.
"""

from __future__ import annotations

from server.rooms.outcome import EVERYONE, Outcome, accept, event
from server.rooms.record import Entry
from server.rooms.state import DEFAULT_SETTINGS, RoomState


def change(state: RoomState, rec: Entry) -> Outcome:
    """`settings`: change the settings the record names; the others stay as they are."""
    changes = {k: v for k, v in rec.data.items() if k in DEFAULT_SETTINGS and v is not None}
    if all(state.settings[k] == v for k, v in changes.items()):
        return accept(None)
    state.settings.update(changes)
    return accept(event("room.settings", (EVERYONE, dict(state.settings))))


def _set_state(state: RoomState, new: str) -> Outcome:
    if state.state == new:
        return accept(None)
    state.state = new
    return accept(event("room.state", (EVERYONE, {"state": new})))


def close(state: RoomState, rec: Entry) -> Outcome:
    """`room.close`: the room becomes read-only."""
    return _set_state(state, "closed")


def reopen(state: RoomState, rec: Entry) -> Outcome:
    """`room.open`: the room takes questions, votes and edits again."""
    return _set_state(state, "open")
