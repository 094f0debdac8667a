"""What the poll fold tests share: more people, who sees what, and quick lookups."""

from __future__ import annotations

from typing import Any

from tests.rooms.support import V_ALICE, V_BOB, V_MOD, V_RAP, V_STRANGER, Room, person

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
