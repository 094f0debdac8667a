"""A deadline for each HTTP request head, WebSocket handshakes included.

uvicorn times out only an idle keep-alive connection (after a response); a connection
that sends its request a byte at a time (slowloris) was held for as long as it liked,
each one a socket and a parser; and httptools keeps a head of any size. This protocol
closes a connection that has not completed a request's head within `--request-timeout`
of opening or of its last response, and answers a head over `--request-head-limit`
bytes with 400. Once the head is in, the app is answering (or the socket became a
WebSocket, whose own limits and `--join-timeout` apply), and the deadline lets it be.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (its "auto" choice) with a request-head deadline."""

    def __init__(self, *args: Any, request_timeout: float, head_limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._request_timeout = request_timeout
        self._head_limit = head_limit
        self._head_bytes = 0  # received since the last response, while no head is complete
        self._deadline: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        if not self._answering():
            # httptools keeps every header line it is given: without a cap, one request
            # head could fill the memory within its deadline.
            self._head_bytes += len(data)
            if self._head_bytes > self._head_limit:
                self.send_400_response("Request head too large.")
                return
        super().data_received(data)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def handle_websocket_upgrade(self) -> None:
        super().handle_websocket_upgrade()
        # The WebSocket protocol owns the transport now. A timer left armed would hold this
        # protocol, its parser and its copy of the handshake for `--request-timeout` more
        # (a few KiB per connection; issue 17 counts bytes per joined connection).
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request on this keep-alive connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)

    def _answering(self) -> bool:
        """A request's head is in and the app is answering it."""
        cycle: RequestResponseCycle | None = self.cycle  # None before the first head
        return cycle is not None and not cycle.response_complete

    def _arm(self) -> None:
        self._head_bytes = 0
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(self._request_timeout, self._expired)

    def _expired(self) -> None:
        self._deadline = None
        transport = self.transport
        if transport.is_closing() or transport.get_protocol() is not self:
            return  # gone, or upgraded to a WebSocket
        if not self._answering():
            transport.close()


def protocol_factory(request_timeout: float, head_limit: int) -> Any:
    """uvicorn's `http` option: picklable, so `--workers N` processes get it too."""
    return functools.partial(
        DeadlineProtocol, request_timeout=request_timeout, head_limit=head_limit
    )
