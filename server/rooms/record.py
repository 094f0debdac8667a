"""The shape of a log record as the fold reads it, and the actor's rights."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from server.rooms.state import RoomState


class Entry(Protocol):
    """A log record (`server.backends.base.Record` satisfies this)."""

    @property
    def seq(self) -> int: ...
    @property
    def ts(self) -> float: ...
    @property
    def type(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def actor(self) -> dict[str, Any] | None: ...


def is_moderator(rec: Entry) -> bool:
    return rec.actor is not None and "moderator" in rec.actor.get("roles", ())


def is_open(state: RoomState) -> bool:
    return state.state == "open"


def is_staff(rec: Entry) -> bool:
    roles = rec.actor.get("roles", ()) if rec.actor is not None else ()
    return "moderator" in roles or "rapporteur" in roles
