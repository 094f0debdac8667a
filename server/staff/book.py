"""The staff book of one event: who was invited, with which role, for which room, and
whether the link still works (issue 15; docs/protocol.md "Staff links").

Pure: it folds the event's staff records in log order, the same live, on replay and in
every process, so every process holding the same records answers `grant` the same way.
A record's time is its `ts`; nothing here reads a clock.

Records (data of an event-log record):
- `staff.invited` `{kid, role, room, label}`: a new link; `room` None = every room.
- `staff.revoked` `{kid}`: the link gives no role from then on. Revoking twice, or a kid
  the book does not know, changes nothing (a repeat is harmless, as for every command).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

STAFF_ROLES = ("moderator", "rapporteur", "interpreter", "organiser")
KID = re.compile(r"[A-Za-z0-9_-]{1,32}")
LABEL_MAX = 80

# What each role may do in a room: a moderator is also a rapporteur (first round), and an
# organiser runs every room of the event, so it moderates them too.
ROOM_ROLES: dict[str, tuple[str, ...]] = {
    "moderator": ("moderator", "rapporteur"),
    "rapporteur": ("rapporteur",),
    "interpreter": ("interpreter",),
    "organiser": ("organiser", "moderator", "rapporteur"),
}


@dataclass(frozen=True, slots=True)
class StaffLink:
    """One invitation. `room` None: the whole event. `revoked`: the ts it was cut off."""

    kid: str
    role: str
    room: str | None
    label: str
    created: float
    revoked: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "role": self.role,
            "room": self.room,
            "label": self.label,
            "created": self.created,
            "revoked": self.revoked,
        }


def check_invite(data: Mapping[str, Any]) -> str | None:
    """Why `staff.invited` data is not a valid invitation, or None when it is."""
    kid, role, room, label = (data.get(k) for k in ("kid", "role", "room", "label"))
    if not isinstance(kid, str) or not KID.fullmatch(kid):
        return "kid"
    if role not in STAFF_ROLES:
        return "role"
    if room is not None and (not isinstance(room, str) or not 0 < len(room) <= 32):
        return "room"
    if role == "organiser" and room is not None:
        return "room"  # an organiser runs the event, not one room
    if not isinstance(label, str) or len(label) > LABEL_MAX:
        return "label"
    return None


class StaffBook:
    """Every link of one event, by kid, in the order they were made."""

    def __init__(self) -> None:
        self.links: dict[str, StaffLink] = {}

    def apply(self, type: str, data: Mapping[str, Any], ts: float) -> StaffLink | None:
        """Fold one record; returns the link it made or changed, None if it changed nothing
        (another record type, an invalid record, a kid invited twice, a repeat revoke)."""
        if type == "staff.invited":
            if check_invite(data) is not None or data["kid"] in self.links:
                return None
            link = StaffLink(data["kid"], data["role"], data["room"], data["label"].strip(), ts)
            self.links[link.kid] = link
            return link
        if type == "staff.revoked":
            kid = data.get("kid")
            known = self.links.get(kid) if isinstance(kid, str) else None
            if known is None or known.revoked is not None:
                return None
            self.links[known.kid] = replace(known, revoked=ts)
            return self.links[known.kid]
        return None

    def replay(self, records: Iterable[tuple[str, Mapping[str, Any], float]]) -> StaffBook:
        for type, data, ts in records:
            self.apply(type, data, ts)
        return self

    def room_roles(self, kid: str, role: str, scope: str | None, room: str) -> list[str]:
        """The roles a key `(kid, role, scope)` gives in `room`: none when the book does
        not hold the link as signed, when it is revoked, or when it is for another room."""
        link = self.links.get(kid)
        if link is None or link.revoked is not None or link.role != role or link.room != scope:
            return []
        if scope is not None and scope != room:
            return []
        return list(ROOM_ROLES[role])

    def active(self) -> list[StaffLink]:
        """The links that still work, oldest first."""
        return [link for link in self.links.values() if link.revoked is None]
