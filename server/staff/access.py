"""What a staff key makes someone in a room of an event: its signature (`keys.StaffKeys`)
and the event's live staff book (`desk.Desks`) together (issue 15; docs/protocol.md
"Staff links")."""

from __future__ import annotations

from typing import NamedTuple

from server.backends.base import EventInfo
from server.staff.desk import Desks
from server.staff.keys import Grant, StaffKeys


class Admission(NamedTuple):
    """The roles a key gives in one room, and the invitation they come from."""

    roles: list[str]
    grant: Grant | None


NOBODY = Admission([], None)


class StaffAccess:
    """Checks staff keys against the books of the events they were signed for."""

    def __init__(self, keys: StaffKeys | None, desks: Desks) -> None:
        self.keys = keys  # None: this process accepts no staff key (unit tests)
        self.desks = desks

    async def admit(self, key: str | None, event: EventInfo, room: str | None) -> Admission:
        """The roles `key` gives in `room` of `event` (`room` None: the whole event, as an
        event-wide export asks); none for a key not signed by this server, for another
        event, another room, or a revoked link."""
        grant = self.keys.read(key) if self.keys is not None and key else None
        if grant is None or grant.event_id != event.event_id:
            return NOBODY
        if room is None and grant.room is not None:
            return NOBODY  # a one-room link opens that room, not the event
        book = (await self.desks.desk(event)).book
        roles = book.room_roles(grant.kid, grant.role, grant.room, room or grant.room or "")
        return Admission(roles, grant) if roles else NOBODY
