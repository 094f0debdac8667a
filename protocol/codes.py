"""Error codes and close codes: the one registry (PROTOCOL.md, "Envelope" and close codes).

Each code says whether a client should retry/resume or stop, so the browser client,
the Python client and the server agree on what a failure means.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class ErrorCode(StrEnum):
    """Codes carried by `{"t": "err", "code": ...}` replies."""

    BAD_FRAME = "bad_frame"  # not msgpack / not a map
    BAD_REQUEST = "bad_request"  # missing or wrong field, or a command before join
    UNKNOWN_TYPE = "unknown_type"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"  # carries retry_after (seconds)
    UNAUTHORIZED = "unauthorized"  # no or bad token/key
    FORBIDDEN = "forbidden"  # role lacks the right
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # e.g. voting in a closed poll
    ROOM_CLOSED = "room_closed"
    UNAVAILABLE = "unavailable"  # backend down; retry
    INTERNAL = "internal"

    @property
    def retryable(self) -> bool:
        """True when sending the same command again later may succeed."""
        return self in _RETRYABLE


_RETRYABLE = frozenset({ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL})


class CloseCode(IntEnum):
    """WebSocket close codes the server uses."""

    NORMAL = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002  # no workshop.v1 subprotocol
    UNSUPPORTED_DATA = 1003  # a text frame
    POLICY = 1008  # bad auth
    TOO_LARGE = 1009  # frame over the limit
    SERVER_ERROR = 1011
    RESTARTING = 1012  # server restarting: reconnect elsewhere and resume
    TOO_SLOW = 4008  # this client fell too far behind the room: resume
    FLOODING = 4029  # closed for flooding after rate_limited replies

    @property
    def resume(self) -> bool:
        """True when the client should reconnect (with backoff) and resume from its seq."""
        return self in _RESUME


_RESUME = frozenset(
    {
        CloseCode.GOING_AWAY,
        CloseCode.SERVER_ERROR,
        CloseCode.RESTARTING,
        CloseCode.TOO_SLOW,
        CloseCode.FLOODING,
    }
)


class ProtocolError(Exception):
    """The peer sent something the protocol does not allow.

    `re` is the command id it answers when one could be read, so the reply can carry it.
    """

    def __init__(
        self, code: ErrorCode, msg: str, re: int | None = None, *, close: CloseCode | None = None
    ) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.re = re
        self.close = close
