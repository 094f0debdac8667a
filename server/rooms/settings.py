"""Room settings and the room's open/closed state (moderator commands)."""

from __future__ import annotations

from server.rooms.outcome import EVERYONE, Outcome, accept, event
from server.rooms.record import Entry
from server.rooms.state import DEFAULT_SETTINGS, RoomState


def settings(state: RoomState, rec: Entry) -> Outcome:
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
    return _set_state(state, "closed")


def reopen(state: RoomState, rec: Entry) -> Outcome:
    return _set_state(state, "open")
