"""`apply(state, record) -> Outcome`: the one entry point of the fold.

The same function runs live, on replay and when a process rebuilds a room from a
snapshot plus the log's tail. It never raises for a record a client could have caused:
a record that does not fit the state becomes a refused outcome (and a `hidden` event).
"""

from __future__ import annotations

from collections.abc import Callable

from protocol.codes import ErrorCode
from server.rooms import notes, questions, settings
from server.rooms.outcome import Outcome, refuse
from server.rooms.polls import Polls
from server.rooms.record import Entry
from server.rooms.state import RoomState

Handler = Callable[[RoomState, Entry], Outcome]

HANDLERS: dict[str, Handler] = {
    "ask": questions.ask,
    "vote": questions.vote,
    "withdraw": questions.withdraw,
    "moderate": questions.moderate,
    "edit": questions.edit,
    "answer": questions.answer,
    "settings": settings.settings,
    "room.close": settings.close,
    "room.open": settings.reopen,
    "poll.create": Polls.create,
    "poll.edit": Polls.edit,
    "poll.open": Polls.open,
    "poll.close": Polls.close,
    "poll.vote": Polls.vote,
    "poll.hide_word": Polls.hide_word,
    "notes.update": notes.update,
}

# Commands a plain participant may send; the rest need a moderator (checked on arrival
# and again here, since a log may be imported from elsewhere).
MODERATOR_ONLY = frozenset(
    {
        "moderate",
        "edit",
        "answer",
        "settings",
        "room.close",
        "room.open",
        "poll.create",
        "poll.edit",
        "poll.open",
        "poll.close",
        "poll.hide_word",
    }
)


def apply(state: RoomState, rec: Entry) -> Outcome:
    """Fold one record into the state (in place) and say what it did."""
    state.seq = rec.seq
    handler = HANDLERS.get(rec.type)
    if handler is None:
        return refuse(ErrorCode.UNKNOWN_TYPE, f"unknown record type {rec.type!r}")
    if rec.actor is None:
        return refuse(ErrorCode.UNAUTHORIZED, "record has no actor")
    if not isinstance(rec.actor, dict) or not isinstance(rec.data, dict):
        return refuse(ErrorCode.BAD_REQUEST, f"malformed {rec.type} record")
    roles = rec.actor.get("roles", ())
    if not isinstance(roles, list | tuple):
        return refuse(ErrorCode.BAD_REQUEST, f"malformed {rec.type} record")
    if rec.type in MODERATOR_ONLY and "moderator" not in roles:
        return refuse(ErrorCode.FORBIDDEN, "only moderators can do this")
    try:
        return handler(state, rec)
    except (KeyError, TypeError, ValueError, AttributeError):
        # A record missing a field can only come from a foreign or corrupted log: refuse it
        # rather than stop the room.
        return refuse(ErrorCode.BAD_REQUEST, f"malformed {rec.type} record")
