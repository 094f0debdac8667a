"""`workshop export` and `workshop import` (issue 6), on whichever backend the settings
choose (`make_backend`): the embedded SQLite data dir, or Redis.

    workshop export ROOM --format json|csv|md|html|docx [--out FILE] [--lang en|ja|mn]
    workshop export EVENT_ID|ROOM --format zip [--out FILE] [--lang ...]
    workshop import FILE [FILE ...] [--room CODE] [--event-title T] [--room-title T]

Without `--out` the export goes to standard output. `import` takes JSON transcripts
(`ROOM-transcript.json`: the room code comes from `--room` or the file name) or
whole-event zips (their `event.json` recreates the event and its rooms). A room that
does not exist is created (JSON files: in one new event); one that exists must be empty.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import secrets
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

from protocol import room_code
from protocol.messages import LANGUAGES
from server.backends.base import Backend, EventInfo, LogNotEmpty, RoomInfo
from server.backends.event_info import with_extra
from server.backends.select import make_backend
from server.cli.options import SHARED, add_settings, settings_from
from server.settings import Settings
from server.transcripts.clock import DEFAULT_ZONES
from server.transcripts.export import (
    FORMATS,
    MANIFEST,
    room_chunks,
    session_record,
    write_event_zip,
)
from server.transcripts.importer import Rebuilt, rebuild
from server.transcripts.json_log import TranscriptError, read_entries
from server.transcripts.labels import LANGS

_SUFFIX = "-transcript"  # of the JSON files `workshop export` writes: CODE-transcript.json


def add_transcript_commands(sub: Any) -> None:
    """Register `export` and `import` on the `workshop` sub-command parser."""
    export = sub.add_parser("export", help="export a room's transcript (or an event's zip)")
    export.add_argument("room", help="room code (an event id or room code with --format zip)")
    export.add_argument("--format", required=True, choices=[*FORMATS, "zip"])
    export.add_argument("--out", help="file to write (default: standard output)")
    export.add_argument("--lang", default="en", choices=LANGS, help="language of the report")
    add_settings(export, SHARED)
    export.set_defaults(func=cmd_export)

    imp = sub.add_parser("import", help="rebuild rooms from JSON transcripts or event zips")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--room", help="room code for a single JSON file (default: from its name)")
    imp.add_argument("--event-title", default="Imported transcripts")
    imp.add_argument("--room-title", help="title of a room created for a JSON file")
    add_settings(imp, SHARED)
    imp.set_defaults(func=cmd_import)


# -- export ------------------------------------------------------------------------------


async def _export(backend: Backend, args: argparse.Namespace, out: IO[bytes]) -> None:
    target = args.room.strip()
    if args.format == "zip":
        event = await backend.get_event(target)
        if event is None:
            room = await backend.get_room(target.upper())
            event = await backend.get_event(room.event_id) if room else None
        if event is None:
            raise LookupError(f"no event or room {target!r}")
        await write_event_zip(backend, event, out, args.lang)
        return
    code = target.upper()
    if await backend.get_room(code) is None:
        raise LookupError(f"no room {code!r}")
    record = await session_record(backend, code)
    async for chunk in room_chunks(backend, record, args.format, args.lang):
        out.write(chunk)


def cmd_export(args: argparse.Namespace) -> int:
    settings = settings_from(args)

    async def run(out: IO[bytes]) -> None:
        backend = make_backend(settings)
        async with backend:
            await _export(backend, args, out)

    try:
        if not args.out:
            asyncio.run(run(sys.stdout.buffer))
            sys.stdout.buffer.flush()
            return 0
        path = Path(args.out)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                asyncio.run(run(out))
            os.replace(tmp, path)  # a complete file or none
        finally:
            Path(tmp).unlink(missing_ok=True)
    except LookupError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    except Exception as exc:  # an unreachable backend, a full disk
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


# -- import ------------------------------------------------------------------------------

Opener = Callable[[], TextIO]


@dataclass(slots=True)
class Plan:
    """One room to fill from one JSON transcript."""

    code: str
    title: str
    open_text: Opener
    source: str


class _ZipText(io.TextIOWrapper):
    """A zip member as text; closing it closes the archive too."""

    def __init__(self, path: Path, member: str) -> None:
        self._archive = zipfile.ZipFile(path)
        super().__init__(self._archive.open(member), encoding="utf-8")

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._archive.close()


def _zip_opener(path: Path, member: str) -> Opener:
    return lambda: _ZipText(path, member)


def _zip_plans(path: Path) -> tuple[EventInfo, list[Plan]]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    ev = manifest["event"]
    rooms = tuple(RoomInfo(r["code"], r["title"], ev["id"]) for r in manifest["rooms"])
    event = EventInfo(
        ev["id"], ev["title"], tuple(ev["timezones"]), tuple(ev["languages"]), rooms, ev["created"]
    )
    event = with_extra(event, ev.get("extra"))  # None in a zip from before the registry
    plans = [
        Plan(r["code"], r["title"], _zip_opener(path, r["files"]["json"]), f"{path}:{r['code']}")
        for r in manifest["rooms"]
    ]
    return event, plans


def _json_plan(path: Path, args: argparse.Namespace, single: bool) -> Plan:
    stem = args.room if single and args.room else path.name.split(".")[0]
    if stem[-len(_SUFFIX) :].lower() == _SUFFIX:
        stem = stem[: -len(_SUFFIX)]
    code = room_code(stem, new=True)
    if code is None:
        raise TranscriptError(f"{path}: no room code in the name; give one with --room")
    title = args.room_title if single and args.room_title else code
    return Plan(code, title, lambda: path.open(encoding="utf-8"), str(path))


async def _prepare(
    backend: Backend, events: list[EventInfo], plans: list[Plan], event_title: str
) -> list[str]:
    """Create what is missing; check every target room is empty. Returns notes to print.

    Zips bring their event; rooms of JSON files that this data does not have yet go
    into one new event."""
    notes = []
    for event in events:
        existing = await backend.get_event(event.event_id)
        missing = [r for r in event.rooms if await backend.get_room(r.code) is None]
        if existing is None and missing == list(event.rooms):
            await backend.create_event(event)
            notes.append(f"created event {event.event_id} ({event.title})")
        elif missing:
            codes = ", ".join(r.code for r in missing)
            raise TranscriptError(f"event {event.event_id}: rooms {codes} clash with this data")
    new = [p for p in plans if await backend.get_room(p.code) is None]
    if new:
        event_id = secrets.token_hex(6)
        rooms = tuple(RoomInfo(p.code, p.title, event_id) for p in new)
        event = EventInfo(event_id, event_title, DEFAULT_ZONES, LANGUAGES, rooms, time.time())
        await backend.create_event(event)
        notes.append(f"created event {event_id} ({event_title}) for {len(rooms)} rooms")
    for plan in plans:
        head = await backend.head(plan.code)
        if head.seq:
            raise TranscriptError(
                f"room {plan.code} already has {head.seq} events; it must be empty"
            )
    return notes


async def _import(
    settings: Settings, events: list[EventInfo], plans: list[Plan], event_title: str
) -> list[Rebuilt]:
    """Each plan's transcript into its room, through `RoomLog.import_log` (seq and times
    kept, all or nothing per room), on whichever backend the settings choose."""
    results = [Rebuilt(plan.code) for plan in plans]
    async with make_backend(settings) as backend:
        for note in await _prepare(backend, events, plans, event_title):
            print(note, file=sys.stderr)
        for plan, result in zip(plans, results, strict=True):
            records = rebuild(read_entries(plan.open_text), result)
            try:
                await backend.import_log(plan.code, records)
            except LogNotEmpty:
                raise TranscriptError(
                    f"room {plan.code} got events while it was imported; it must be empty"
                ) from None
    return results


def cmd_import(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    paths = [Path(f) for f in args.files]
    events: list[EventInfo] = []
    plans: list[Plan] = []
    try:
        for path in paths:
            if not path.is_file():
                raise TranscriptError(f"{path}: no such file")
            if zipfile.is_zipfile(path):
                event, room_plans = _zip_plans(path)
                events.append(event)
                plans += room_plans
            else:
                plans.append(_json_plan(path, args, single=len(paths) == 1))
        codes = [p.code for p in plans]
        if len(set(codes)) != len(codes):
            raise TranscriptError("two files are for the same room")
        results = asyncio.run(_import(settings, events, plans, args.event_title))
    except (TranscriptError, KeyError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for plan, result in zip(plans, results, strict=True):
        line = f"{plan.code}: {result.records} events from {plan.source}"
        line += f" (times kept, {result.refused} refused as recorded)"
        print(line)
        if result.mismatches:
            seqs = ", ".join(map(str, result.mismatched))
            print(f"warning: {plan.code}: {result.mismatches} outcomes differ (seq {seqs})")
    return 1 if any(r.mismatches for r in results) else 0
