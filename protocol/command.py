"""The base of every client command: `id`, and for one that changes the room `cid`;
how a command's fields go into the log and onto the wire (`data()`, `frame()`).

Field order is the log's and the wire's order: a base class's fields come first, so a new
base may only take fields that were first already (protocol/messages.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from protocol.fields import bad, check_int, check_text

MAX_ID = 2**53  # ids are read exactly by JavaScript


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """Base of every client command: `id` is the client's request id, echoed as `re`."""

    T: ClassVar[str] = ""
    moderator_only: ClassVar[bool] = False  # PROTOCOL.md "Commands", the "who" column
    roles: ClassVar[frozenset[str]] = frozenset()  # else: one of these roles is needed
    id: int

    def __post_init__(self) -> None:
        check_int(self.id, "id", 0, MAX_ID)

    def data(self) -> dict[str, Any]:
        """The fields kept in the room log: all but `id` and `cid`, as plain msgpack types."""
        out: dict[str, Any] = {}
        for name in logged_fields(type(self)):
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def frame(self) -> dict[str, Any]:
        """The wire frame for this command (what `parse_command` reads back)."""
        head: dict[str, Any] = {"t": self.T, "id": self.id}
        if isinstance(self, Mutating):
            head["cid"] = self.cid
        return head | self.data()


@dataclass(frozen=True, slots=True, kw_only=True)
class Mutating(Command):
    """A command that changes the room: it carries `cid`, unique per participant."""

    cid: str

    def __post_init__(self) -> None:
        Command.__post_init__(self)
        check_text(self.cid, "cid", 1, 64)
        if self.cid != self.cid.strip():
            raise bad("cid must not start or end with spaces")


# Per class, kept once computed (`dataclasses.fields` is slow). Plain dicts rather than
# `functools.cache`: a frozen dataclass's class is not `Hashable` to the type checker.
_FIELDS: dict[type[Command], tuple[tuple[str, bool], ...]] = {}
_LOGGED: dict[type[Command], tuple[str, ...]] = {}


def fields_of(cls: type[Command]) -> tuple[tuple[str, bool], ...]:
    """Each field's name and whether it is required."""
    found = _FIELDS.get(cls)
    if found is None:
        fields = dataclasses.fields(cls)
        found = _FIELDS[cls] = tuple((f.name, f.default is dataclasses.MISSING) for f in fields)
    return found


def logged_fields(cls: type[Command]) -> tuple[str, ...]:
    """The fields a command keeps in the room log: all but `id` and `cid`, in order."""
    found = _LOGGED.get(cls)
    if found is None:
        fields = dataclasses.fields(cls)
        found = _LOGGED[cls] = tuple(f.name for f in fields if f.name not in ("id", "cid"))
    return found
