"""The allowed `Host` names: a defence against DNS rebinding.

The Origin check on `/ws` compares the Origin with the `Host` header. A page on an
attacker's name that resolves to this server sends both with the attacker's name, so it
would pass; every HTTP request and WebSocket handshake must therefore name one of this
server's own hosts. Those are the host of `--public-url` (or of the default base URL),
the loopback names, the `--host` it listens on, and `--allowed-hosts` (`*` allows any).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from server.settings import Settings

LOOPBACK = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("0.0.0.0", "::", "")  # listen addresses that name no host


def host_name(value: str) -> str:
    """A Host header's (or netloc's) name: no port, no IPv6 brackets, no trailing dot."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


class AllowedHosts:
    """Which `Host` names this server answers to."""

    __slots__ = ("any", "names")

    def __init__(self, names: Iterable[str]) -> None:
        listed = {host_name(n) for n in names if n.strip()}
        self.any = "*" in listed
        self.names = frozenset(listed - {"*"})

    @classmethod
    def of(cls, settings: Settings) -> AllowedHosts:
        own = [urlsplit(settings.base_url).netloc, *LOOPBACK, *settings.allowed_hosts]
        if settings.host not in WILDCARDS:
            own.append(settings.host)
        return cls(own)

    def allows(self, scope: Any) -> bool:
        """True when the request's Host header names this server (a missing one does not)."""
        if self.any:
            return True
        for key, value in scope.get("headers") or ():
            if key == b"host":
                return host_name(value.decode("latin-1")) in self.names
        return False


async def refuse(scope: Any, receive: Any, send: Any) -> None:
    """Answer a request or a handshake for a foreign Host with HTTP 400."""
    body = b"this server does not answer to that Host name"
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    await receive()  # websocket.connect
    if "websocket.http.response" in scope.get("extensions", {}):
        await send({"type": "websocket.http.response.start", "status": 400, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})
