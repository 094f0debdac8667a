"""A deadline for each HTTP request head, WebSocket handshakes included.

uvicorn times out only an idle keep-alive connection (after a response); a connection
that sends its request a byte at a time (slowloris) was held for as long as it liked,
each one a socket and a parser. This protocol closes a connection that has not completed
a request's head within `--request-timeout` of opening or of its last response. Once the
head is in, the app is answering (or the socket became a WebSocket, whose own limits and
`--join-timeout` apply), and the deadline lets it be.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (its "auto" choice) with a request-head deadline."""

    def __init__(self, *args: Any, request_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._request_timeout = request_timeout
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request on this keep-alive connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(self._request_timeout, self._expired)

    def _expired(self) -> None:
        self._deadline = None
        transport = self.transport
        if transport.is_closing() or transport.get_protocol() is not self:
            return  # gone, or upgraded to a WebSocket
        cycle: RequestResponseCycle | None = self.cycle  # None before the first head
        if cycle is not None and not cycle.response_complete:
            return  # the head is in and the app is answering it
        transport.close()


def protocol_factory(request_timeout: float) -> Any:
    """uvicorn's `http` option: picklable, so `--workers N` processes get it too."""
    return functools.partial(DeadlineProtocol, request_timeout=request_timeout)
