"""HTTP: `GET /api/rooms/{code}/transcript.{json,csv,md,html,docx}` and
`GET /api/events/{event_id}/transcript.zip` (issue 6; PROTOCOL.md "HTTP").

Only `Authorization: Bearer <key>` with a staff key that gives the rapporteur role (a
moderator, rapporteur or organiser link of the room's event, for that room or the whole
event; an event's zip needs an event-wide one; never a revoked one) gets data. No header
or a malformed one: 401 with `WWW-Authenticate: Bearer`. A key that is not valid, a key
of another event, or a participant's identity token: 403.
Keys are never read from the URL and never logged. `?lang=ja|mn` picks the report's
language (English by default). Every response is an attachment and is not cached.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from collections.abc import AsyncIterator
from typing import IO

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from server.backends.base import BackendUnavailable, EventInfo
from server.metrics import EXPORTS
from server.staff.access import StaffAccess
from server.transcripts.export import (
    FORMATS,
    MEDIA_TYPES,
    filename,
    render,
    room_chunks,
    session_record,
    write_event_zip,
)
from server.transcripts.labels import pick_lang

log = logging.getLogger("workshop.transcripts")

_BEARER = re.compile(r"^Bearer +([A-Za-z0-9._~+/=-]{1,512})$", re.IGNORECASE)
ZIP_SPOOL = 8 * 1024 * 1024  # a zip beyond this goes to a temp file on disk
ZIP_CHUNK = 256 * 1024


def _refuse(status: int, error: str) -> Response:
    headers = {"cache-control": "no-store"}
    if status == 401:
        headers["www-authenticate"] = 'Bearer realm="workshop"'
    return JSONResponse({"error": error}, status, headers=headers)


def bearer(request: Request) -> str | None:
    """The key of a well-formed `Authorization: Bearer` header, else None."""
    found = _BEARER.match(request.headers.get("authorization", "").strip())
    return found.group(1) if found else None


async def may_export(staff: StaffAccess, key: str, event: EventInfo, room: str | None) -> bool:
    """Whoever the key makes a rapporteur in `room` (None: every room of the event)."""
    return "rapporteur" in (await staff.admit(key, event, room)).roles


def _headers(name: str, length: int | None = None) -> dict[str, str]:
    headers = {
        "content-disposition": f'attachment; filename="{name}"',
        "cache-control": "no-store",
    }
    if length is not None:
        headers["content-length"] = str(length)
    return headers


async def room_transcript(request: Request) -> Response:
    fmt = request.path_params["fmt"].lower()
    code = request.path_params["code"].upper()
    if fmt not in FORMATS:
        return _refuse(404, "not_found")
    key = bearer(request)
    if key is None:
        return _refuse(401, "unauthorized")
    backend = request.app.state.backend
    try:
        room = await backend.get_room(code)
        if room is None:
            return _refuse(404, "not_found")
        event = await backend.get_event(room.event_id)
        if event is None or not await may_export(request.app.state.hub.staff, key, event, code):
            return _refuse(403, "forbidden")
        lang = pick_lang(request.query_params.get("lang"))
        record = await session_record(backend, code)
        name = filename(code, fmt)
        if fmt == "json":
            await backend.head(code)  # fails here (503), not halfway through the body
            chunks = room_chunks(backend, record, fmt, lang)
            return StreamingResponse(chunks, media_type=MEDIA_TYPES[fmt], headers=_headers(name))
        with EXPORTS.labels(fmt).time():
            data = await render(record, fmt, lang)
    except BackendUnavailable:
        return _refuse(503, "unavailable")
    log.info("transcript %s of %s: %d events", fmt, code, record.records)
    return Response(data, media_type=MEDIA_TYPES[fmt], headers=_headers(name, len(data)))


async def _stream_file(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(spool.read, ZIP_CHUNK):
            yield chunk
    finally:
        spool.close()


async def event_transcripts(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    key = bearer(request)
    if key is None:
        return _refuse(401, "unauthorized")
    backend = request.app.state.backend
    spool = tempfile.SpooledTemporaryFile(max_size=ZIP_SPOOL)  # noqa: SIM115 (closed by the stream)
    try:
        event = await backend.get_event(event_id)
        if event is None:
            spool.close()
            return _refuse(404, "not_found")
        if not await may_export(request.app.state.hub.staff, key, event, None):
            spool.close()
            return _refuse(403, "forbidden")
        lang = pick_lang(request.query_params.get("lang"))
        with EXPORTS.labels("zip").time():
            await write_event_zip(backend, event, spool, lang)
        size = spool.tell()
        spool.seek(0)
    except BackendUnavailable:
        spool.close()
        return _refuse(503, "unavailable")
    except BaseException:
        spool.close()
        raise
    log.info("transcripts of event %s: %d rooms, %d bytes", event_id, len(event.rooms), size)
    name = f"{event.event_id}-transcripts.zip"
    return StreamingResponse(
        _stream_file(spool), media_type=MEDIA_TYPES["zip"], headers=_headers(name, size)
    )
