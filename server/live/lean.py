"""`asyncio.Queue` and `asyncio.Event` cut down to what one WebSocket needs, with nothing
allocated while idle.

Issue 17 counts the server's bytes per idle joined connection. A tracemalloc diff over
2,000 idle joined connections found uvicorn's per-socket `asyncio.Queue` of received
messages (three deques and an `asyncio.Event`, ~3 KiB) for a queue that is empty while
the socket is idle, has one reader and never a waiting putter, and its `writable`
`asyncio.Event` (one more deque, ~0.8 KiB) for the one sender that may wait while the
transport is paused. `Inbox` and `Gate` have the methods uvicorn calls on them; the
adapter onto uvicorn (`wire.DirectLine.open`) puts them in place after the handshake.
"""

from __future__ import annotations

import asyncio
from typing import Any


class Inbox:
    """`asyncio.Queue`'s part that uvicorn uses (`put_nowait`, `get`, `empty`), for one
    reader: no list while empty, one future while the reader waits."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        items = self._items
        if items is None:
            self._items = [item]
        else:
            items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items or ())

    async def get(self) -> Any:
        """The oldest item, waiting for one if there is none. A cancelled wait loses
        nothing: items stay in the inbox until a `get` returns them."""
        while not self._items:
            if self._waiter is not None:
                raise RuntimeError("an Inbox has one reader")
            waiter = asyncio.get_running_loop().create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                self._waiter = None
        items = self._items
        item = items.pop(0)
        if not items:
            self._items = None
        return item


class Gate:
    """`asyncio.Event`'s part that uvicorn and `wire.DirectLine` use (`is_set`, `set`,
    `clear`, `wait`): no waiter list until someone waits."""

    __slots__ = ("_open", "_waiters")

    def __init__(self, is_open: bool = False) -> None:
        self._open = is_open
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> bool:
        """True once the gate is open (at once if it is); like `Event.wait`, a waiter
        woken by `set` returns even if the gate was cleared again since."""
        if self._open:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            self._forget(waiter)
        return True

    def _forget(self, waiter: asyncio.Future[None]) -> None:
        """A wait is over: `set` has emptied the list, or this one was cancelled."""
        waiters = self._waiters
        if waiters is not None and waiter in waiters:
            waiters.remove(waiter)
