"""Exports of one room (any format) and of a whole event (a zip of every room in every
format), for the HTTP routes and the CLI alike.

The JSON form streams as the log is folded. The other forms fold the whole log first
(keeping only the report's O(questions) data), then render in a worker thread so a big
report never stalls the live rooms on the event loop. The zip is written to a file
object (a spooled temp file for HTTP) one member at a time.
"""

from __future__ import annotations

import asyncio
import json
import time
import zipfile
from collections.abc import AsyncIterator, Callable
from typing import IO, Any

from server.backends.base import Backend, EventInfo, RoomInfo, UnknownRoom, desk_code

from .csv_table import render_csv
from .docx_report import render_docx
from .html_report import render_html
from .json_log import CHUNK, json_chunks
from .markdown import render_markdown
from .privacy import Pseudonyms
from .report import Report
from .session_record import SessionRecord

FORMATS = ("json", "csv", "md", "html", "docx")
MEDIA_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}
RENDERERS: dict[str, Callable[[Report, str], bytes]] = {
    "csv": lambda report, lang: render_csv(report),
    "md": render_markdown,
    "html": render_html,
    "docx": render_docx,
}
MANIFEST = "event.json"
MANIFEST_FORMAT = "workshop.transcripts.v1"


def filename(code: str, fmt: str) -> str:
    return f"{code}-transcript.{fmt}"


def zip_member(code: str, fmt: str) -> str:
    return f"{code}/{filename(code, fmt)}"


async def session_record(backend: Backend, code: str) -> SessionRecord:
    """A record of the room, ready to fold. Raises UnknownRoom."""
    room = await backend.get_room(code)
    if room is None:
        raise UnknownRoom(code)
    return SessionRecord(backend, room, await backend.get_event(room.event_id))


async def pseudonyms(backend: Backend, room: RoomInfo) -> Pseudonyms:
    return Pseudonyms(await backend.get_secret(), room.code)


async def render(record: SessionRecord, fmt: str, lang: str = "en") -> bytes:
    """A report form (csv, md, html, docx) of a record not folded yet."""
    await record.run()
    return await asyncio.to_thread(RENDERERS[fmt], record.report(), lang)


async def room_chunks(
    backend: Backend, record: SessionRecord, fmt: str, lang: str = "en"
) -> AsyncIterator[bytes]:
    """One room in one format, as chunks."""
    if fmt == "json":
        async for chunk in json_chunks(record, await pseudonyms(backend, record.room)):
            yield chunk
        return
    data = await render(record, fmt, lang)
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


def manifest(
    event: EventInfo, rooms: list[dict[str, Any]], lang: str, desk: list[dict[str, Any]]
) -> dict[str, Any]:
    """`event.json` of a whole-event zip: what `workshop import` needs to recreate it, and
    the event's desk log (issue 15): the staff invitations (labels, roles, scopes; never a
    key), their revocations and the organisers' programme changes, in order."""
    return {
        "format": MANIFEST_FORMAT,
        "exported": time.time(),
        "lang": lang,
        "event": {
            "id": event.event_id,
            "title": event.title,
            "timezones": list(event.timezones),
            "languages": list(event.languages),
            "created": event.created,
            "organisations": [org.to_dict() for org in event.organisations],
            "extra": event.extra(),  # the language maps, the registry, the rooms' slots
        },
        "rooms": rooms,
        "desk": list(desk),
    }


async def desk_records(backend: Backend, event: EventInfo) -> list[dict[str, Any]]:
    """The event's desk log as `event.json` lists it: `{seq, ts, type, data}` each (the
    actor is the desk's or an organiser link's kid, already in `data` where it matters)."""
    code = desk_code(event.event_id)
    head = await backend.head(code)
    out: list[dict[str, Any]] = []
    while len(out) < head.seq:
        batch = await backend.read(code, len(out) + 1, head.seq)
        if not batch:
            break
        out += [{"seq": r.seq, "ts": r.ts, "type": r.type, "data": r.data} for r in batch]
    return out


async def write_event_zip(
    backend: Backend, event: EventInfo, out: IO[bytes], lang: str = "en"
) -> None:
    """Every room of the event in every format, plus `event.json`, as a zip into `out`.

    Each room's log is folded once: its JSON member is written as it folds, then the
    report forms are rendered from the same fold."""
    rooms = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for room in event.rooms:
            record = SessionRecord(backend, room, event)
            names = {fmt: zip_member(room.code, fmt) for fmt in FORMATS}
            info = zipfile.ZipInfo(names["json"], time.localtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as member:
                async for chunk in json_chunks(record, await pseudonyms(backend, room)):
                    member.write(chunk)
            report = record.report()
            for fmt in FORMATS[1:]:
                data = await asyncio.to_thread(RENDERERS[fmt], report, lang)
                zf.writestr(names[fmt], data)
            rooms.append(
                {"code": room.code, "title": room.title, "records": record.records, "files": names}
            )
        desk = await desk_records(backend, event)
        text = json.dumps(manifest(event, rooms, lang, desk), ensure_ascii=False, indent=2)
        zf.writestr(MANIFEST, text.encode("utf-8"))
