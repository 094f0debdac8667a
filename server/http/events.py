"""HTTP: the admin's API (issue 15; docs/protocol.md "The admin link"), behind
`Authorization: Bearer <admin key>` (`StaffKeys.admin_key`: printed at the first start
and by `workshop links --admin`):

    GET  /api/events   every event, with the link of its organiser page
    POST /api/events   a new event: the event file's shape as JSON (`starts`/`ends` as ISO
                       8601 strings with an offset), or the event file itself as TOML
                       (`Content-Type: application/toml`); 201 with its organiser link

No header: 401; another key: 403; an invalid event: 400 `{error, detail}` (the event
file's own message); a room code in use: 409. Every answer is `no-store`.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.backends.base import BackendUnavailable, Conflict, EventInfo
from server.event_file import EventFileError, parse_event
from server.http.transcripts import bearer
from server.staff.keys import StaffKeys

BODY_MAX = 64 * 1024


def _answer(body: dict[str, Any], status: int = 200) -> Response:
    headers = {"cache-control": "no-store"}
    if status == 401:
        headers["www-authenticate"] = 'Bearer realm="workshop"'
    return JSONResponse(body, status, headers=headers)


def _admitted(request: Request) -> Response | None:
    key = bearer(request)
    if key is None:
        return _answer({"error": "unauthorized"}, 401)
    keys: StaffKeys = request.app.state.hub.staff.keys
    return None if keys.is_admin(key) else _answer({"error": "forbidden"}, 403)


def organiser_url(keys: StaffKeys, event: EventInfo) -> str:
    key = keys.founding_key(event.event_id, "organiser")
    return f"/e/{event.event_id}/organise#key={key}"


def _summary(keys: StaffKeys, event: EventInfo) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "title": event.title,
        "created": event.created,
        "rooms": [room.code for room in event.rooms],
        "organiser_url": organiser_url(keys, event),
    }


def _moments(raw: dict[str, Any]) -> dict[str, Any]:
    """JSON's ISO strings as the TOML date-times `parse_event` reads."""
    for room in raw.get("rooms") or ():
        for name in ("starts", "ends"):
            if isinstance(room, dict) and isinstance(room.get(name), str):
                try:
                    room[name] = dt.datetime.fromisoformat(room[name])
                except ValueError:
                    raise EventFileError(
                        f"event: rooms.{name}: not an ISO 8601 date-time"
                    ) from None
    return raw


async def events(request: Request) -> Response:
    refused = _admitted(request)
    if refused is not None:
        return refused
    keys = request.app.state.hub.staff.keys
    found = await request.app.state.backend.list_events()
    return _answer({"events": [_summary(keys, event) for event in found]})


async def create_event(request: Request) -> Response:
    refused = _admitted(request)
    if refused is not None:
        return refused
    body = await request.body()
    if len(body) > BODY_MAX:
        return _answer({"error": "too_large"}, 413)
    try:
        if request.headers.get("content-type", "").startswith("application/toml"):
            raw = tomllib.loads(body.decode("utf-8"))
        else:
            raw = json.loads(body or b"null")
        if not isinstance(raw, dict):
            raise EventFileError("event: must be a table (a JSON object)")
        event = parse_event(_moments(raw))
    except (EventFileError, tomllib.TOMLDecodeError, ValueError) as exc:
        return _answer({"error": "bad_request", "detail": str(exc)}, 400)
    try:
        await request.app.state.backend.create_event(event)
    except Conflict as exc:
        return _answer({"error": "conflict", "detail": str(exc)}, 409)
    except BackendUnavailable:
        return _answer({"error": "unavailable"}, 503)
    return _answer(_summary(request.app.state.hub.staff.keys, event), 201)
