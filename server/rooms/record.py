"""The shape of a log record as the fold reads it, and the rights of its actor.

It knows nothing of the room's state (no import of `state.py`), so every module of the
fold may use it without an import circle (issue 11).
"""

from __future__ import annotations

from typing import Any, Protocol


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


def actor_of(rec: Entry) -> dict[str, Any]:
    """The record's actor. `apply` refuses a record without one before any handler runs;
    should one get through, the `TypeError` is refused there as a malformed record."""
    if rec.actor is None:
        raise TypeError("record has no actor")
    return rec.actor


def is_moderator(rec: Entry) -> bool:
    """Whether the record's actor was a moderator when it was appended."""
    return rec.actor is not None and "moderator" in rec.actor.get("roles", ())


def is_staff(rec: Entry) -> bool:
    """Whether the record's actor was staff (a moderator, a rapporteur or an interpreter)."""
    roles = rec.actor.get("roles", ()) if rec.actor is not None else ()
    return "moderator" in roles or "rapporteur" in roles or "interpreter" in roles
