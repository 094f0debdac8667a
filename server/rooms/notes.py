"""`notes.update`: the fold's handler for the room's shared notes (PROTOCOL.md "Commands").

Who may change the notes and when (the room is open; locked notes take only a
moderator's edits) is decided here; merging the update into the room's Yjs document,
atomically and within its limits, is `NotesDoc.apply` (`server/rooms/notes_document.py`).
"""

from __future__ import annotations

from protocol.codes import ErrorCode
from server.rooms.notes_document import BadUpdate, TooLarge
from server.rooms.outcome import EVERYONE, Outcome, accept, event, refuse
from server.rooms.record import Entry, actor_of, is_moderator
from server.rooms.state import RoomState


def update(state: RoomState, rec: Entry) -> Outcome:
    """`notes.update`: merge a client's Yjs update into the room's notes."""
    if not state.is_open:
        return refuse(ErrorCode.ROOM_CLOSED, "the room is closed")
    if state.settings["notes_locked"] and not is_moderator(rec):
        return refuse(ErrorCode.FORBIDDEN, "the notes are locked by the moderator")
    u = rec.data["u"]
    if not isinstance(u, bytes | bytearray):
        return refuse(ErrorCode.BAD_REQUEST, "u must be binary")
    try:
        state.notes.apply(bytes(u))
    except TooLarge as exc:
        return refuse(ErrorCode.TOO_LARGE, str(exc))
    except BadUpdate as exc:
        return refuse(ErrorCode.BAD_REQUEST, f"not a Yjs update: {exc}")
    # Always forwarded, even when it added nothing new to the state vector: an update
    # holding only deletions does not change the state vector either.
    actor = actor_of(rec)
    by = {"name": actor["name"], "org": actor["org"]}
    return accept(event("notes.update", (EVERYONE, {"u": bytes(u), "by": by})))
