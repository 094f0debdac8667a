"""`apply(state, record) -> Outcome`: the one entry point of the fold.

The same function runs live, on replay and when a process rebuilds a room from a
snapshot plus the log's tail. It never raises for a record a client could have caused:
a record that does not fit the state becomes a refused outcome (and a `hidden` event).

`HANDLERS` maps each record type to its fold function, and is the fold's own business:
which commands need a moderator is a property of the command classes
(`protocol.messages.needs_moderator`), read on arrival and again here, since a log may
be imported from elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from protocol.codes import ErrorCode
from protocol.messages import refusal_for, required_roles
from server.rooms import notes, questions, room_settings, translations
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
    "translate": translations.translate,
    "settings": room_settings.change,
    "room.close": room_settings.close,
    "room.open": room_settings.reopen,
    "poll.create": Polls.create,
    "poll.edit": Polls.edit,
    "poll.open": Polls.open,
    "poll.close": Polls.close,
    "poll.delete": Polls.delete,
    "poll.show": Polls.show,
    "poll.vote": Polls.vote,
    "poll.hide_word": Polls.hide_word,
    "notes.update": notes.update,
}

# The roles each type needs, looked up once rather than once per record (issue 17).
_NEEDED: dict[str, frozenset[str]] = {t: required_roles(t) for t in HANDLERS}


def apply(state: RoomState, rec: Entry) -> Outcome:
    """Fold one record into the state (in place) and say what it did."""
    state.seq = rec.seq
    handler = HANDLERS.get(rec.type)
    if handler is None:
        return refuse(ErrorCode.UNKNOWN_TYPE, f"unknown record type {rec.type!r}")
    # A record from a foreign or corrupted log may hold anything, whatever `Entry` says.
    actor: object = rec.actor
    data: object = rec.data
    if actor is None:
        return refuse(ErrorCode.UNAUTHORIZED, "record has no actor")
    if not isinstance(actor, dict) or not isinstance(data, dict):
        return refuse(ErrorCode.BAD_REQUEST, f"malformed {rec.type} record")
    roles = actor.get("roles", ())
    if not isinstance(roles, list | tuple):
        return refuse(ErrorCode.BAD_REQUEST, f"malformed {rec.type} record")
    needed = _NEEDED[rec.type]
    if needed and not needed.intersection(r for r in roles if isinstance(r, str)):
        return refuse(ErrorCode.FORBIDDEN, refusal_for(needed))
    try:
        return handler(state, rec)
    except (KeyError, TypeError, ValueError, AttributeError):
        # A record missing a field can only come from a foreign or corrupted log: refuse it
        # rather than stop the room.
        return refuse(ErrorCode.BAD_REQUEST, f"malformed {rec.type} record")
