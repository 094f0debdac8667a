"""HTTP routes: the pages, the public room API, health and readiness."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from server.http import assets

# worker-src: the service worker (/sw.js, server/http/assets.py) is a script of this origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; font-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


# The last path segment of a room page -> its view (client/web/src/route.js).
ROOM_VIEWS = {
    "moderate": "moderator",
    "present": "presenter",
    "rapporteur": "rapporteur",
    "interpret": "interpreter",  # issue 14
    "handout": "handout",  # the printable page of a room's link and QR code (issue 15)
}


async def landing(request: Request) -> Response:
    return assets.page(request, "index.html", "landing")


async def room_page(request: Request) -> Response:
    parts = request.url.path.strip("/").split("/")  # "r", code[, view]
    view = ROOM_VIEWS.get(parts[2], "participant") if len(parts) == 3 else "participant"
    return assets.page(request, "room.html", view)


async def organiser_page(request: Request) -> Response:
    """/e/{event_id}/organise: the organiser's page (its key after '#', never sent)."""
    return assets.page(request, "room.html", "organiser")


async def admin_page(request: Request) -> Response:
    """/admin: the server admin's page, which creates events (its key after '#')."""
    return assets.page(request, "room.html", "admin")


async def list_rooms(request: Request) -> Response:
    """Every room, with its slot (`starts`/`ends`, ISO 8601 with the file's offset, or
    null) and its event's zones, so the landing page can show the programme (issue 14)."""
    backend = request.app.state.backend
    events = {e.event_id: e for e in await backend.list_events()}
    rooms = []
    for info in await backend.list_rooms():
        if info.archived:
            continue  # put away by an organiser: its page and transcript stay (issue 15)
        event = events.get(info.event_id)
        rooms.append(
            {
                "code": info.code,
                "title": info.title,
                "event": {
                    "id": info.event_id,
                    "title": event.title if event else "",
                    "timezones": list(event.timezones) if event else [],
                },
                "starts": info.starts,
                "ends": info.ends,
            }
        )
    return JSONResponse({"rooms": rooms})


async def get_room(request: Request) -> Response:
    backend = request.app.state.backend
    code = request.path_params["code"].upper()
    info = await backend.get_room(code)
    if info is None:
        return JSONResponse({"error": "not_found"}, 404)
    event = await backend.get_event(info.event_id)
    hub = request.app.state.hub
    live = hub.rooms.get(code)
    return JSONResponse(
        {
            "code": info.code,
            "title": info.title,
            "state": live.state.state if live else None,
            "event": {
                "id": info.event_id,
                "title": event.title if event else "",
                "timezones": list(event.timezones) if event else [],
                "languages": list(event.languages) if event else [],
                "organisations": [o.to_dict() for o in event.organisations] if event else [],
            },
            **info.slot(),
            **({"prompts": list(info.prompts)} if info.prompts else {}),
        }
    )


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    try:
        ready = await request.app.state.backend.ready()
    except Exception:
        ready = False
    return PlainTextResponse("ready" if ready else "not ready", 200 if ready else 503)
