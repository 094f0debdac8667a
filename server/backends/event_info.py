"""A workshop event and its rooms, as the catalogue keeps them: titles in one string or a
language map, the rooms' slots and guiding questions, and the registry of organisations (PROTOCOL.md
"Additions", "Event file"). Made from an event file (`server/event_file.py`) or an
import; stored by each backend's catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from protocol.lang_text import LangText
from server.organisations import Organisation, organisation_from_dict

__all__ = ["EventInfo", "RoomInfo", "with_extra"]


@dataclass(frozen=True, slots=True)
class RoomInfo:
    """A room in the catalogue. Codes are compared exactly; the server upper-cases."""

    code: str
    title: LangText  # a string or a language map (PROTOCOL.md "Multilingual text")
    event_id: str
    starts: str | None = None  # ISO 8601 with its offset, from the event file
    ends: str | None = None
    prompts: tuple[LangText, ...] = ()  # the session's guiding questions, as the file has them
    archived: bool = False  # put away by an organiser: not listed, still readable (issue 15)

    def slot(self) -> dict[str, str | None]:
        """The room's `starts`/`ends` for the wire (issue 14, "The programme"): both keys,
        either maybe None, when the file gave either; none when it gave neither, so the
        join reply of a room without a slot stays byte for byte what it was."""
        if self.starts is None and self.ends is None:
            return {}
        return {"starts": self.starts, "ends": self.ends}


@dataclass(frozen=True, slots=True)
class EventInfo:
    """A workshop event and its rooms, in the order they were given."""

    event_id: str
    title: LangText
    timezones: tuple[str, ...]
    languages: tuple[str, ...]  # also the order a text falls back in
    rooms: tuple[RoomInfo, ...]
    created: float
    organisations: tuple[Organisation, ...] = ()  # the registry

    def extra(self) -> dict[str, Any]:
        """What a catalogue stores beside the v1 columns: the language maps, the
        registry and the rooms' slots (stored as one JSON or msgpack document)."""
        return {
            "title": self.title,
            "organisations": [org.to_dict() for org in self.organisations],
            "order": [r.code for r in self.rooms],  # an organiser may reorder (issue 15)
            "rooms": {
                r.code: {
                    "title": r.title,
                    "starts": r.starts,
                    "ends": r.ends,
                    **({"prompts": list(r.prompts)} if r.prompts else {}),
                    **({"archived": True} if r.archived else {}),
                }
                for r in self.rooms
            },
        }


def with_extra(event: EventInfo, extra: Mapping[str, Any] | None) -> EventInfo:
    """`event` as read from the v1 columns, completed with the stored `extra()` document
    (None for an event stored before it existed: plain titles, no registry)."""
    if not extra:
        return event
    rooms = extra.get("rooms") or {}
    order = {code: i for i, code in enumerate(extra.get("order") or ())}
    ordered = sorted(event.rooms, key=lambda r: order.get(r.code, len(order)))  # stable
    return replace(
        event,
        title=extra.get("title") or event.title,
        organisations=tuple(organisation_from_dict(o) for o in extra.get("organisations") or ()),
        rooms=tuple(
            replace(r, title=rooms[r.code].get("title") or r.title,
                    starts=rooms[r.code].get("starts"), ends=rooms[r.code].get("ends"),
                    prompts=tuple(rooms[r.code].get("prompts") or ()),
                    archived=bool(rooms[r.code].get("archived")))
            if r.code in rooms else r
            for r in ordered
        ),
    )  # fmt: skip
