"""The one WebSocket endpoint, `/ws`, as a plain ASGI app.

It refuses, before the upgrade, a handshake without the `workshop.v1` subprotocol, from
an Origin that is not allowed (cross-site WebSocket hijacking), or past the per-IP
connection limit; then runs a `Connection` until the socket closes. Plain ASGI rather than
Starlette's `WebSocket` wrapper keeps per-message overhead off the fan-out path.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlsplit

from protocol import SUBPROTOCOL
from protocol.codes import CloseCode
from server.identity import Identity
from server.live.connection import Connection
from server.live.hub import Hub
from server.live.wire import quiet_handshake
from server.logs import new_connection
from server.settings import Settings

log = logging.getLogger("workshop.ws")

Scope = MutableMapping[str, Any]


class SocketEndpoint:
    """ASGI app for `/ws`."""

    def __init__(self, hub: Hub, identity: Identity, settings: Settings) -> None:
        self.hub = hub
        self.identity = identity
        self.settings = settings
        self.per_ip: Counter[str] = Counter()
        self.connections: set[Connection] = set()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            status, text = refusal
            await _deny(scope, send, status, text)
            return
        ip = (scope.get("client") or ("?", 0))[0]
        self.per_ip[ip] += 1
        new_connection()  # this task's log lines name it (server/logs.py)
        try:
            quiet_handshake(send)
            await send({"type": "websocket.accept", "subprotocol": SUBPROTOCOL})
            # In this coroutine, not a helper's: one frame fewer per connection.
            connection = Connection(send, self.hub, self.identity, self.settings, ip)
            self.connections.add(connection)
            connection.expect_join(self.settings.join_timeout)  # else 1008
            try:
                while True:
                    message = await receive()
                    kind = message["type"]
                    if kind == "websocket.receive":
                        data = message.get("bytes")
                        if data is None:
                            connection.close(CloseCode.UNSUPPORTED_DATA)  # no text frames
                            continue
                        await connection.receive(data)
                    elif kind == "websocket.disconnect":
                        break
            except Exception:
                log.exception("connection failed")
                connection.close(CloseCode.SERVER_ERROR)
            finally:
                connection.disconnected()
                self.connections.discard(connection)
                await connection.finish()
        finally:
            self.per_ip[ip] -= 1
            if self.per_ip[ip] <= 0:
                del self.per_ip[ip]

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        if SUBPROTOCOL not in scope.get("subprotocols", ()):
            return 400, f"the {SUBPROTOCOL} subprotocol is required"
        headers = dict(scope.get("headers") or ())
        origin = headers.get(b"origin")
        if origin is not None and not self._origin_allowed(
            origin.decode("latin-1"), headers.get(b"host", b"").decode("latin-1")
        ):
            return 403, "origin not allowed"
        ip = (scope.get("client") or ("?", 0))[0]
        if self.per_ip[ip] >= self.settings.conns_per_ip:
            return 429, "too many connections from this address"
        return None

    def _origin_allowed(self, origin: str, host: str) -> bool:
        origin = origin.rstrip("/")
        if origin in self.settings.allowed_origins:
            return True
        # Same origin: the page came from this host (scheme may differ behind a TLS proxy).
        return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


async def _deny(scope: Scope, send: Any, status: int, text: str) -> None:
    """Refuse a handshake with an HTTP status (or a plain close where unsupported)."""
    if "websocket.http.response" in scope.get("extensions", {}):
        body = text.encode()
        await send(
            {
                "type": "websocket.http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": CloseCode.POLICY})
