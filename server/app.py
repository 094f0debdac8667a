"""The Starlette app factory: routes, security headers, and the lifespan that builds the
backend, the hub and the WebSocket endpoint (kept on `app.state`)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import pages
from server.backends.select import make_backend
from server.endpoint import SocketEndpoint
from server.hub import Hub
from server.identity import Identity
from server.settings import Settings

log = logging.getLogger("workshop")


class SecurityHeaders:
    """Adds the CSP and the other security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in pages.SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LateSocket:
    """Routes `/ws` to the endpoint the lifespan builds."""

    def __init__(self) -> None:
        self.endpoint: SocketEndpoint | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.endpoint is None:
            await send({"type": "websocket.close", "code": 1013})
            return
        await self.endpoint(scope, receive, send)


def create_app(settings: Settings) -> Starlette:
    """Build the ASGI app for one server process."""
    socket = LateSocket()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        backend = make_backend(settings)
        await backend.start()
        identity = Identity(await backend.get_secret())
        hub = Hub(backend, settings)
        socket.endpoint = SocketEndpoint(hub, identity, settings)
        app.state.backend = backend
        app.state.hub = hub
        app.state.identity = identity
        app.state.settings = settings
        try:
            yield
        finally:
            await hub.close()
            await backend.close()

    routes: list[Any] = [
        Route("/", pages.landing),
        Route("/r/{code}", pages.room_page),
        Route("/r/{code}/moderate", pages.room_page),
        Route("/r/{code}/present", pages.room_page),
        Route("/r/{code}/rapporteur", pages.room_page),
        Route("/api/rooms", pages.list_rooms),
        Route("/api/rooms/{code}", pages.get_room),
        Route("/healthz", pages.healthz),
        Route("/readyz", pages.readyz),
        WebSocketRoute("/ws", socket),
        Mount("/static", app=StaticFiles(directory=pages.DIST, check_dir=False), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    return app
