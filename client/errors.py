"""The errors the room client raises."""

from __future__ import annotations

from typing import Any

from protocol.codes import ErrorCode
from protocol.frames import Err


class RoomClientError(Exception):
    """Base of the errors this client raises."""


class CommandError(RoomClientError):
    """The server answered a command with `err`.

    `reply` is the `err` map as received; `retry_after` (seconds) comes with `rate_limited`.
    """

    def __init__(
        self, code: str, msg: str, reply: dict[str, Any], retry_after: float | None = None
    ) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.reply = reply
        self.retry_after = retry_after

    @classmethod
    def of(cls, err: Err, reply: dict[str, Any]) -> CommandError:
        """The error for a typed `err` frame and the map it was read from."""
        return cls(err.code, err.msg, reply, err.retry_after)

    @property
    def retryable(self) -> bool:
        """True when the same command may succeed later (protocol/codes.py says which)."""
        try:
            return ErrorCode(self.code).retryable
        except ValueError:  # a code this version does not know: do not hammer the server
            return False


class Disconnected(RoomClientError):
    """The client stopped for good: closed by its owner, by the server, or refused on rejoin."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason if code is None else f"{reason} (close code {code})")
        self.reason = reason
        self.code = code


class _ConnectionLost(Exception):
    """The connection dropped before a reply; the request goes again after the rejoin."""
