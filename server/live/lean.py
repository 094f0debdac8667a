"""What uvicorn's sans-I/O WebSocket protocol keeps per connection, trimmed after the handshake.

Issue 17 counts the server's bytes per idle joined connection. A tracemalloc diff over
2,000 idle joined connections put about half of the Python heap they cost in uvicorn's
protocol object, much of it built for the handshake or for states an idle socket is not in:

- its `asyncio.Queue` of received messages: three deques and an `asyncio.Event` (~3 KiB)
  for a queue that is empty while the socket is idle, has one reader and no putter waits;
- its `writable` `asyncio.Event`: one more deque (~0.8 KiB) for the one sender that may
  wait while the transport is paused;
- the handshake's request headers, which websockets' parser generator still references,
  and the ASGI scope with uvicorn's copy of them (~3 KiB), read only before the accept;
- its instance dict, grown past its needs (1.5 KiB where 0.8 KiB holds it).

`slim` replaces the queue with an `Inbox` and the event with a `Gate` (the methods uvicorn
calls, and nothing allocated while idle), empties the headers and the scope, and copies
the instance dict into one of the size it needs. `wire.DirectLine.open`
calls it once the handshake is complete, from the endpoint's own coroutine between two
receives (so no reader waits on the old queue), and only under the uvicorn versions that
adapter was read against (`wire.KNOWN_UVICORN`).
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


def slim(protocol: Any) -> None:
    """Trim a uvicorn `WebSocketsSansIOProtocol` whose handshake is complete. Call it from
    the connection's only reader between two receives."""
    queue = protocol.queue
    if isinstance(queue, asyncio.Queue):
        inbox = Inbox()
        while not queue.empty():  # what arrived since the reader's last receive
            inbox.put_nowait(queue.get_nowait())
        protocol.queue = inbox
    writable = protocol.writable
    # Only while set: a sender waiting on a cleared event would never be woken by the gate.
    if isinstance(writable, asyncio.Event) and writable.is_set():
        protocol.writable = Gate(is_open=True)
    request = protocol.request
    if request is not None:
        request.headers.clear()  # the parser generator's frame holds the request itself
    # The request and response objects too: uvicorn reads them only before the accept.
    protocol.request = protocol.response = None
    scope = getattr(protocol, "scope", None)
    if scope is not None:
        # The endpoint read what it needs (headers, client, subprotocols) before it
        # accepted, and uvicorn reads the scope only to call the app (~1 KiB with its
        # headers, paths and nested dicts).
        scope.clear()
    # uvicorn sets 37 attributes, more than a key-sharing instance dict holds, and the
    # dict it grew into takes 1.5 KiB; a copy made once the last one is set fits in 0.8.
    protocol.__dict__ = dict(protocol.__dict__.items())
