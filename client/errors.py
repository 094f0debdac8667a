"""The errors the room client raises."""

from __future__ import annotations

from typing import Any


class RoomClientError(Exception):
    """Base of the errors this client raises."""


class CommandError(RoomClientError):
    """The server answered a command with `err`."""

    def __init__(self, code: str, msg: str, reply: dict[str, Any]) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.reply = reply


class Disconnected(RoomClientError):
    """The client stopped for good: closed by its owner, by the server, or refused on rejoin."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason if code is None else f"{reason} (close code {code})")
        self.reason = reason
        self.code = code


class _ConnectionLost(Exception):
    """The connection dropped before a reply; the request goes again after the rejoin."""
