"""The keys staff links carry after `#` (issue 15; docs/protocol.md "Staff links").

A key is the server's signature over `[kid, event_id, role, room]` (room None = every room
of the event), under its own salt: it says which invitation it is, and the event's staff
book (`book.StaffBook`) says whether that invitation still works. Revoking a link is a
record in the book, not a change of secret.

Every event's book holds, from its creation, one event-wide **founding** invitation per
role, kid `event-<role>`: the links `workshop create-event`, `workshop links` and `make run`
print (the same key each time: nothing piles up). First-round keys, signed over
`[event_id, role]` under the salt "workshop.role", read as the founding invitation of
their role: they keep working, and revoking `event-moderator` ends the old moderator key
and the new one together.

Rotation: a key signed with a retired secret is still read during the overlap window
(the caller passes the retired secrets); new keys are signed with the current one.

The server's **admin** key (`admin_key`, its own salt) is not an invitation of any event:
it creates events (server/http/events.py). It is printed at the first start and by
`workshop links --admin`, and is ended by rotating the secret.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import NamedTuple

from itsdangerous import BadSignature, URLSafeSerializer

from .book import KID, STAFF_ROLES

STAFF_SALT = "workshop.staff"
ADMIN_SALT = "workshop.admin"  # the server's admin link: it creates events (issue 15)
LEGACY_SALT = "workshop.role"
LEGACY_ROLES = ("moderator", "rapporteur", "interpreter")
KEY_MAX = 512  # a longer string is not one of ours: refused before any decoding


class Grant(NamedTuple):
    """What a valid key says: the invitation's kid, its event, role and room scope."""

    kid: str
    event_id: str
    role: str
    room: str | None


def founding_kid(role: str) -> str:
    return f"event-{role}"


def new_kid() -> str:
    """12 characters, 72 bits; never starting with '-', which a command line would read as
    an option (`workshop staff revoke -v-I...` failed: seen in CI, one kid in 32)."""
    while True:
        kid = secrets.token_urlsafe(9)
        if kid[0].isalnum():
            return kid


class StaffKeys:
    """Signs keys with `secret`; reads keys signed with it or with a `retired` one."""

    def __init__(self, secret: bytes, retired: Sequence[bytes] = ()) -> None:
        chain = [*retired, secret]  # itsdangerous signs with the last, verifies with any
        self._staff = URLSafeSerializer(chain, salt=STAFF_SALT)
        self._legacy = URLSafeSerializer(chain, salt=LEGACY_SALT)
        self._admin = URLSafeSerializer(chain, salt=ADMIN_SALT)

    def sign(self, kid: str, event_id: str, role: str, room: str | None) -> str:
        if not KID.fullmatch(kid) or role not in STAFF_ROLES:
            raise ValueError("not a staff invitation")
        return self._staff.dumps([kid, event_id, role, room])

    def read(self, key: str | None) -> Grant | None:
        """The grant a key carries, or None for anything not signed by this server."""
        if not isinstance(key, str) or not key or len(key) > KEY_MAX:
            return None
        try:
            data = self._staff.loads(key)
        except BadSignature:
            return self._read_legacy(key)
        if (
            isinstance(data, list)
            and len(data) == 4
            and isinstance(data[0], str)
            and isinstance(data[1], str)
            and data[2] in STAFF_ROLES
            and (data[3] is None or isinstance(data[3], str))
        ):
            return Grant(data[0], data[1], data[2], data[3])
        return None

    def _read_legacy(self, key: str) -> Grant | None:
        try:
            data = self._legacy.loads(key)
        except BadSignature:
            return None
        if (
            isinstance(data, list)
            and len(data) == 2
            and isinstance(data[0], str)
            and data[1] in LEGACY_ROLES
        ):
            return Grant(founding_kid(data[1]), data[0], data[1], None)
        return None

    def admin_key(self) -> str:
        """The server's admin key (deterministic; ended only by rotating the secret)."""
        return self._admin.dumps("admin")

    def is_admin(self, key: str | None) -> bool:
        if not isinstance(key, str) or not key or len(key) > KEY_MAX:
            return False
        try:
            return bool(self._admin.loads(key) == "admin")
        except BadSignature:
            return False

    def founding_key(self, event_id: str, role: str) -> str:
        """The key of an event's founding invitation for `role` (deterministic)."""
        return self.sign(founding_kid(role), event_id, role, None)


def founding_invitations() -> list[tuple[str, dict[str, object]]]:
    """The `staff.invited` records every event's book starts with (its event-wide founding
    links, one per role), to fold at the event's creation time."""
    return [
        ("staff.invited", {"kid": founding_kid(role), "role": role, "room": None, "label": ""})
        for role in STAFF_ROLES
    ]
