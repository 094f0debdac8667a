"""Requests waiting for their reply, by id (PROTOCOL.md "Envelope": the reply's `re`).

No I/O: the room client's reader hands every `ok`, `err` and `pong` here, typed by
`protocol.frames`, and the table runs the request's hook and wakes its caller.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, NamedTuple

from protocol.codes import ProtocolError
from protocol.frames import Err, Ok, Pong

# A hook run in the reader on the reply to one request, before any later frame is read:
# None when the reply was malformed. It may raise ProtocolError to refuse the reply.
OnReply = Callable[[Ok | Err | Pong | None], None]


class Reply(NamedTuple):
    """A reply as read (`frame`, typed by protocol.frames) and as received (`wire`)."""

    frame: Ok | Err | Pong
    wire: dict[str, Any]


def no_hook(frame: Ok | Err | Pong | None) -> None:
    """The hook of a request whose reply needs nothing done in the reader."""


class Waiting:
    """The requests of one client whose reply has not come yet.

    Each has a future (None when nobody awaits it, e.g. a resync's join) and a hook.
    """

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[asyncio.Future[Reply] | None, OnReply]] = {}

    def __contains__(self, rid: object) -> bool:
        return rid in self._by_id

    def add(self, rid: int, future: asyncio.Future[Reply] | None, hook: OnReply = no_hook) -> None:
        """Wait for the reply to request `rid`."""
        self._by_id[rid] = (future, hook)

    def discard(self, rid: int) -> None:
        """Stop waiting for `rid` (its caller gave up, or it was answered)."""
        self._by_id.pop(rid, None)

    def answer(self, reply: Reply) -> bool:
        """Settle the request `reply` answers; False when none waits for it."""
        rid = reply.frame.re
        if rid is None or rid not in self._by_id:
            return False
        future, hook = self._by_id.pop(rid)
        try:
            hook(reply.frame)
        except ProtocolError as exc:
            _fail(future, exc)
            return True
        if future is not None and not future.done():
            future.set_result(reply)
        return True

    def refuse(self, rid: object, error: ProtocolError) -> bool:
        """A malformed reply to `rid`: its hook gets None and its caller `error`."""
        if not isinstance(rid, int) or rid not in self._by_id:
            return False
        future, hook = self._by_id.pop(rid)
        with contextlib.suppress(ProtocolError):  # the caller hears of the first error
            hook(None)
        _fail(future, error)
        return True

    def fail_all(self, error: Callable[[], BaseException]) -> None:
        """The connection ended: every waiting caller gets a fresh `error()`."""
        waiting, self._by_id = self._by_id, {}
        for future, _ in waiting.values():
            _fail(future, error())


def _fail(future: asyncio.Future[Reply] | None, error: BaseException) -> None:
    if future is not None and not future.done():
        future.set_exception(error)
