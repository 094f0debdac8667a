"""Signed identities: participant tokens and per-event role keys (DESIGN.md "Security").

A role or a pid is never taken from what a client states: a pid comes only from a
token this server signed, and a role only from a key signed for the room's event.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from itsdangerous import BadSignature, URLSafeSerializer

ROLES = ("moderator", "rapporteur", "interpreter")


class Identity:
    """Issues and checks identity tokens and role keys with the server's secret."""

    def __init__(self, secret: bytes, retired: Sequence[bytes] = ()) -> None:
        # A token or key signed with a retired secret still reads during a rotation's
        # overlap window (issue 15); new ones are signed with `secret` (itsdangerous signs
        # with the last of the chain and verifies with any).
        chain = [*retired, secret]
        self._tokens = URLSafeSerializer(chain, salt="workshop.identity")
        self._keys = URLSafeSerializer(chain, salt="workshop.role")

    @staticmethod
    def new_pid() -> str:
        return secrets.token_hex(8)

    def issue_token(self, pid: str) -> str:
        return self._tokens.dumps({"pid": pid})

    def read_token(self, token: str) -> str | None:
        """The pid a token carries, or None if it was not signed by this server."""
        try:
            data = self._tokens.loads(token)
        except BadSignature:
            return None
        pid = data.get("pid") if isinstance(data, dict) else None
        return pid if isinstance(pid, str) and 0 < len(pid) <= 32 else None

    def role_key(self, event_id: str, role: str) -> str:
        """The invite key giving `role` in every room of one event."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        return self._keys.dumps([event_id, role])

    def read_key(self, key: str) -> tuple[str, str] | None:
        """(event_id, role) for a valid key, else None."""
        try:
            data = self._keys.loads(key)
        except BadSignature:
            return None
        if (
            isinstance(data, list)
            and len(data) == 2
            and isinstance(data[0], str)
            and data[1] in ROLES
        ):
            return data[0], data[1]
        return None

    def roles_for(self, key: str | None, event_id: str) -> list[str]:
        """The roles a key gives in a room of `event_id` (a moderator is also a rapporteur)."""
        if not key:
            return []
        found = self.read_key(key)
        if found is None or found[0] != event_id:
            return []
        if found[1] == "moderator":
            return ["moderator", "rapporteur"]
        return [found[1]]
