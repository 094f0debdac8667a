"""HTTP: `GET /metrics` (issue 16; PROTOCOL.md "Additions", "Operations"): Prometheus text
format. With `--metrics-token` (WORKSHOP_METRICS_TOKEN) set, only for `Authorization:
Bearer <token>` (401 without, 403 for another); without one, only for loopback clients
(403 for anyone else), so a public port never shows it by default."""

from __future__ import annotations

import hmac
from collections import Counter
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from server.http.transcripts import bearer
from server.metrics import LiveCollector, registry_for, render
from server.metrics_feeds import FeedCollector
from server.tallies import TallyCollector

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def build_registry(app_state: Any, backend_name: str, per_room: bool) -> CollectorRegistry:
    """The app's registry, reading the hub, the endpoint and the backend when scraped."""
    state = app_state

    def connections() -> list[tuple[bool, int]]:
        endpoint = getattr(state, "endpoint", None)
        sockets = endpoint.connections if endpoint is not None else ()
        return [(c.room is not None, c.queued) for c in list(sockets)]

    def rooms() -> list[tuple[str, int]]:
        return [(code, len(room.members)) for code, room in list(state.hub.rooms.items())]

    def stats() -> Counter[str]:
        found = getattr(state.backend, "stats", None)
        return found if isinstance(found, Counter) else Counter()

    def notes() -> list[int]:
        return [room.state.notes.size for room in list(state.hub.rooms.values())]

    def lags() -> list[tuple[int, float]] | None:
        feed_lags = getattr(state.backend, "feed_lags", None)
        return feed_lags() if callable(feed_lags) else None

    live = LiveCollector(
        connections,
        rooms,
        lambda: state.hub.staff.desks.loaded,
        stats,
        backend_name,
        per_room,
    )
    feeds = FeedCollector(notes, lags, stats)
    return registry_for(live, TallyCollector(backend_name), feeds)


async def metrics(request: Request) -> Response:
    state = request.app.state
    token = state.settings.metrics_token
    if token:
        given = bearer(request)
        if given is None:
            headers = {"www-authenticate": 'Bearer realm="metrics"'}
            return PlainTextResponse("unauthorized", 401, headers=headers)
        if not hmac.compare_digest(given.encode(), token.encode()):
            return PlainTextResponse("forbidden", 403)
    elif (request.client.host if request.client else "") not in LOOPBACK:
        return PlainTextResponse("forbidden: set --metrics-token to scrape from afar", 403)
    share = getattr(state, "metrics_share", None)  # `--workers N`: every worker's, merged
    body = share.merged() if share is not None else render(state.metrics)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"cache-control": "no-store"})
