"""Who is in a room and who sent a command: a participant or staff member (roles from a
signed key only, server/identity.py), or the server itself (a poll's timer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from server.rooms import Viewer


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sent a command, as the log records it (roles from a signed key only)."""

    pid: str
    name: str
    org: str
    roles: tuple[str, ...] = ()
    screen: bool = False  # a projector page (join's `screen`): not counted in presence
    org_id: str | None = None  # the registry's id of `org`, when it is one (issue 14)

    def record(self) -> dict[str, Any]:
        """The record's `actor` map (`org_id` only when there is one: an addition)."""
        out = {"pid": self.pid, "name": self.name, "org": self.org, "roles": list(self.roles)}
        if self.org_id is not None:
            out["org_id"] = self.org_id
        return out

    @property
    def counted_org(self) -> str:
        """What presence and attendance count this actor under: the registry id, else
        the organisation as typed (PROTOCOL.md "Additions", "Join")."""
        return self.org_id or self.org

    def viewer(self) -> Viewer:
        """What this actor may see."""
        return Viewer(pid=self.pid, staff=bool(self.roles), moderator="moderator" in self.roles)


# The actor of the `poll.close` a poll's timer appends (server/live/poll_timers.py).
POLL_TIMER = Actor(pid="server-timer", name="", org="", roles=("moderator",))


class Member(Protocol):
    """One connection in a room, as the room sees it."""

    @property
    def actor(self) -> Actor: ...

    def send(self, frame: bytes) -> None:
        """Queue a frame without waiting; a member that cannot keep up closes itself."""

    def replay_room(self) -> int:
        """How many frames a resume's replay may queue on this member now."""

    def replay_bytes(self) -> int:
        """How many bytes of frames a resume's replay may queue on this member now."""
