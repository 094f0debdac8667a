"""Signed identities: participant tokens (DESIGN.md "Security").

A pid is never taken from what a client states: it comes only from a token this server
signed. Roles come from staff keys and the event's staff book (server/staff/).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from itsdangerous import BadSignature, URLSafeSerializer


class Identity:
    """Issues and checks participants' identity tokens with the server's secret."""

    def __init__(self, secret: bytes, retired: Sequence[bytes] = ()) -> None:
        # A token signed with a retired secret still reads during a rotation's overlap
        # window (issue 15); new ones are signed with `secret` (itsdangerous signs with
        # the last of the chain and verifies with any).
        chain = [*retired, secret]
        self._tokens = URLSafeSerializer(chain, salt="workshop.identity")

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
