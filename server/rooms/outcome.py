"""What folding one record produces: the reply to its sender and the event others see.

Each seq yields at most one event type. Its data may differ by audience (the author's
own copy of a question says `mine`), so an event is a list of variants; a viewer gets the
first variant whose audience includes it, and `hidden` when none does (PROTOCOL.md,
"Events").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from protocol.codes import ErrorCode


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: a participant id and whether they are staff."""

    pid: str
    staff: bool = False
    moderator: bool = False


@dataclass(frozen=True, slots=True)
class Audience:
    """A set of viewers: everyone, staff, and/or a few participant ids."""

    everyone: bool = False
    staff: bool = False
    pids: frozenset[str] = frozenset()

    def includes(self, viewer: Viewer) -> bool:
        return self.everyone or (self.staff and viewer.staff) or viewer.pid in self.pids


EVERYONE = Audience(everyone=True)
STAFF = Audience(staff=True)


# An audience is an immutable value, and the fold asks for one per vote: made once per
# participant, not once per event (a frozen dataclass costs about 1 µs; issue 17).
@functools.lru_cache(maxsize=4096, typed=True)
def staff_and(pid: str) -> Audience:
    """Staff plus one participant (an author of a pending question, say)."""
    return Audience(staff=True, pids=frozenset((pid,)))


@functools.lru_cache(maxsize=4096, typed=True)
def only(pid: str) -> Audience:
    return Audience(pids=frozenset((pid,)))


@dataclass(frozen=True, slots=True)
class Variant:
    audience: Audience
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Event:
    """The event of one seq: its type and, per audience, its data."""

    type: str
    variants: tuple[Variant, ...]

    def for_viewer(self, viewer: Viewer) -> Variant | None:
        for variant in self.variants:
            if variant.audience.includes(viewer):
                return variant
        return None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The fold's verdict on one record: `ok` (code None) with result fields, or an error."""

    code: ErrorCode | None = None
    msg: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    event: Event | None = None
    results_of: str | None = None  # a poll whose results this record changed

    @property
    def ok(self) -> bool:
        return self.code is None


def refuse(code: ErrorCode, msg: str) -> Outcome:
    return Outcome(code=code, msg=msg)


def accept(event: Event | None = None, *, results_of: str | None = None, **result: Any) -> Outcome:
    # Positional: one per accepted record, and keywords cost a third more (issue 17).
    return Outcome(None, "", result, event, results_of)


def event(type_: str, *variants: tuple[Audience, dict[str, Any]]) -> Event:
    return Event(type_, tuple([Variant(a, d) for a, d in variants]))
