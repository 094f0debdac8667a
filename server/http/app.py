"""The Starlette app factory: routes, security headers, and the lifespan that builds the
backend, the hub and the WebSocket endpoint (kept on `app.state`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import log_limit
from server.backends.select import make_backend
from server.http import assets, events, hosts, metrics, organise, pages, transcripts
from server.http.hosts import AllowedHosts
from server.identity import Identity
from server.live.endpoint import SocketEndpoint
from server.live.hub import Hub
from server.metrics_workers import WorkerShare
from server.secret_rotation import Retired, accepted, retired_for
from server.settings import Settings, from_sources
from server.staff.keys import StaffKeys

log = logging.getLogger("workshop")


class SecurityHeaders:
    """Adds the CSP and the other security headers to every HTTP response.

    The hashed files under /static/ (scripts, styles, fonts) get only the headers that
    act on a subresource (`nosniff`, the referrer policy): a CSP, a frame policy or a
    permissions policy acts on documents and workers only, and on a phone's first load
    those ~470 bytes times 16 files were a tenth of the 80 KB budget (issue 13). The
    service worker (/sw.js), every page and the API keep them all."""

    SUBRESOURCE = frozenset({"x-content-type-options", "referrer-policy"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in pages.SECURITY_HEADERS.items()]
        self.static_headers = [
            (k.encode(), v.encode())
            for k, v in pages.SECURITY_HEADERS.items()
            if k in self.SUBRESOURCE
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        static = str(scope.get("path", "")).startswith("/static/")
        extra = self.static_headers if static else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class QuietHandshakes(logging.Filter):
    """Drops uvicorn's per-connection INFO line ("[accepted]"):
    a room of thousands joining at once should not be throttled by its own log."""

    NOISE = ('%s - "WebSocket %s" [accepted]',)

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.INFO or record.msg not in self.NOISE


class NoQueries(logging.Filter):
    """Drops the query string from uvicorn's access lines: a key pasted into a URL by
    mistake (`?key=...`) must not reach the log (issue 15's canary test). The app reads
    no secret from a query; `?lang=` and the like are not worth the risk."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, mark, _ = args[2].partition("?")
            if mark:
                record.args = (*args[:2], path + "?…", *args[3:])
        return True


class LateSocket:
    """Routes `/ws` to the endpoint the lifespan builds."""

    def __init__(self) -> None:
        self.endpoint: SocketEndpoint | None = None

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # A plain function returning the endpoint's coroutine: no frame of its own is
        # held for the life of every connection (issue 7 counts bytes per connection).
        if self.endpoint is None:
            return send({"type": "websocket.close", "code": 1013})
        return self.endpoint(scope, receive, send)


class WorkshopApp:
    """Starlette for HTTP; `/ws` straight to the endpoint.

    The WebSocket skips Starlette's router and middleware: its exception wrapper sits on
    the ASGI `send` of every frame, the hottest path of fan-out (issue 7's profile).
    """

    def __init__(self, http: Starlette, socket: LateSocket, hosts: AllowedHosts) -> None:
        self.http = http
        self.socket = socket
        self.hosts = hosts

    @property
    def state(self) -> Any:
        return self.http.state

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "lifespan" and not self.hosts.allows(scope):
            return hosts.refuse(scope, receive, send)  # DNS rebinding: see server/http/hosts.py
        if scope["type"] == "websocket" and scope["path"] == "/ws":
            return self.socket(scope, receive, send)
        return self.http(scope, receive, send)


async def _retire(
    retired: list[Retired], secret: bytes, hub: Hub, endpoint: SocketEndpoint
) -> None:
    """At the end of each retired secret's overlap window, stop accepting it: keys and
    tokens signed with it then read as not this server's (issue 15, rotate-secret)."""
    for ends in sorted({r.until for r in retired if r.until > time.time()}):
        await asyncio.sleep(max(0.0, ends - time.time()))
        still = accepted(retired, time.time())
        hub.staff.keys = StaffKeys(secret, still)
        endpoint.identity = Identity(secret, still)
        log.info("a retired secret's overlap window ended: its keys and tokens are refused")


def create_app(settings: Settings) -> WorkshopApp:
    """Build the ASGI app for one server process."""
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, QuietHandshakes) for f in uvicorn_log.filters):
        uvicorn_log.addFilter(QuietHandshakes())
    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueries) for f in access_log.filters):
        access_log.addFilter(NoQueries())
    logging.getLogger("websockets.server").setLevel(logging.WARNING)  # "connection open"
    socket = LateSocket()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        backend = make_backend(settings)
        await backend.start()
        secret = await backend.get_secret()
        retired = retired_for(settings.data_dir, settings.redis_url, dict(os.environ))
        identity = Identity(secret, accepted(retired, time.time()))
        hub = Hub(backend, settings, StaffKeys(secret, accepted(retired, time.time())))
        socket.endpoint = SocketEndpoint(hub, identity, settings)
        expiry = asyncio.get_running_loop().create_task(
            _retire(retired, secret, hub, socket.endpoint)
        )
        held = asyncio.get_running_loop().create_task(log_limit.summarise_every())
        app.state.backend = backend
        app.state.hub = hub
        app.state.identity = identity
        app.state.settings = settings
        app.state.endpoint = socket.endpoint
        app.state.metrics = metrics.build_registry(
            app.state, "redis" if settings.redis_url else "embedded", settings.metrics_per_room
        )
        share = None
        if settings.metrics_dir:  # `--workers N`: each worker's figures for the others
            share = WorkerShare(Path(settings.metrics_dir), app.state.metrics)
            share.start()
        app.state.metrics_share = share
        try:
            yield
        finally:
            if share is not None:
                share.stop()
            expiry.cancel()
            await hub.close()
            await backend.close()
            held.cancel()  # its last summary: the lines held back until the end
            with contextlib.suppress(asyncio.CancelledError):
                await held

    routes: list[Any] = [
        Route("/", pages.landing),
        Route("/r/{code}", pages.room_page),
        Route("/r/{code}/moderate", pages.room_page),
        Route("/r/{code}/present", pages.room_page),
        Route("/r/{code}/rapporteur", pages.room_page),
        Route("/r/{code}/interpret", pages.room_page),
        Route("/api/rooms", pages.list_rooms),
        Route("/api/rooms/{code}", pages.get_room),
        Route("/api/rooms/{code}/transcript.{fmt}", transcripts.room_transcript),
        Route("/api/events/{event_id}/transcript.zip", transcripts.event_transcripts),
        Route("/r/{code}/handout", pages.room_page),
        Route("/e/{event_id}/organise", pages.organiser_page),
        Route("/admin", pages.admin_page),
        Route("/api/events", events.events, methods=["GET"]),
        Route("/api/events", events.create_event, methods=["POST"]),
        Route("/api/events/{event_id}/organise", organise.overview),
        Route("/api/events/{event_id}/rooms", organise.create_room, methods=["POST"]),
        Route("/api/events/{event_id}/rooms/order", organise.order_rooms, methods=["PUT"]),
        Route("/api/events/{event_id}/rooms/{code}", organise.change_room, methods=["PATCH"]),
        Route("/api/events/{event_id}/staff", organise.invite, methods=["POST"]),
        Route("/api/events/{event_id}/staff/{kid}/revoke", organise.revoke, methods=["POST"]),
        Route("/api/rooms/{code}/qr.svg", organise.room_qr),
        Route("/metrics", metrics.metrics),
        Route("/healthz", pages.healthz),
        Route("/readyz", pages.readyz),
        Route("/sw.js", assets.service_worker),
        Mount(
            "/static",
            app=assets.CompressedStaticFiles(
                directory=assets.DIST, maps=assets.MAPS if settings.source_maps else None
            ),
            name="static",
        ),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    return WorkshopApp(app, socket, AllowedHosts.of(settings))


def app_from_env() -> WorkshopApp:
    """The app of one `workshop serve --workers N` process, from `WORKSHOP_*` variables."""
    return create_app(from_sources({}))
