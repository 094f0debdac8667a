"""`workshop`: serve rooms, create events, print invite links.

workshop serve [--host H] [--port P] [--data-dir D] [--seed FILE.toml] [limits...]
workshop serve --redis-url URL [--workers N] ...   (WORKSHOP_SECRET must be set)
workshop create-event FILE.toml [--data-dir D] [--json] [--base-url URL]
workshop links [--data-dir D] [--json] [--base-url URL]
workshop export ROOM --format json|csv|md|html|docx|zip [--out FILE] [--lang en|ja|mn]
workshop import FILE [FILE ...] [--room CODE]
workshop backup PATH [--data-dir D]   (a live SQLite copy and the secret, into a new folder)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import logging.config
import os
import shutil
import sys
import tempfile
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from protocol.lang_text import LangText
from server.backends.base import Backend, BackendError, EventInfo
from server.backends.select import make_backend
from server.cli.doctor import refusal
from server.cli.options import SHARED, add_settings, settings_from
from server.event_file import EventFileError, load_event
from server.logs import FORMATS, LEVELS, log_config
from server.metrics_workers import clear
from server.settings import Settings, env_name
from server.staff.keys import StaffKeys


def event_links(event: EventInfo, keys: StaffKeys, base: str) -> dict[str, Any]:
    """The founding invite links of one event (keys after '#', which browsers never send):
    the same keys each time, revocable with `workshop staff revoke event-<role>`."""
    moderator_key = keys.founding_key(event.event_id, "moderator")
    rapporteur_key = keys.founding_key(event.event_id, "rapporteur")
    interpreter_key = keys.founding_key(event.event_id, "interpreter")
    organiser_key = keys.founding_key(event.event_id, "organiser")
    return {
        "event_id": event.event_id,
        "title": event.title,
        "moderator_key": moderator_key,
        "rapporteur_key": rapporteur_key,
        "interpreter_key": interpreter_key,  # `translate` and the interpret page (issue 14)
        "organiser_key": organiser_key,  # staff links and the programme (issue 15)
        "organiser_url": f"{base}/e/{event.event_id}/organise#key={organiser_key}",
        "rooms": [
            {
                "code": room.code,
                "title": room.title,
                "url": f"{base}/r/{room.code}",
                "moderator_url": f"{base}/r/{room.code}/moderate#key={moderator_key}",
                "presenter_url": f"{base}/r/{room.code}/present",
                "rapporteur_url": f"{base}/r/{room.code}/rapporteur#key={rapporteur_key}",
                "interpreter_url": f"{base}/r/{room.code}/interpret#key={interpreter_key}",
            }
            for room in event.rooms
        ],
    }


def _titled(text: LangText) -> str:
    """A title for a person at a terminal: each language's text, " / " between them."""
    return text if isinstance(text, str) else " / ".join(text.values())


def print_links(links: dict[str, Any], out: Any = sys.stdout) -> None:
    print(f"\n{_titled(links['title'])}  (event {links['event_id']})", file=out)
    print(f"  organiser:      {links['organiser_url']}", file=out)
    for room in links["rooms"]:
        print(f"\n  {_titled(room['title'])}  [{room['code']}]", file=out)
        print(f"    participants: {room['url']}", file=out)
        print(f"    moderator:    {room['moderator_url']}", file=out)
        print(f"    presenter:    {room['presenter_url']}", file=out)
        print(f"    rapporteur:   {room['rapporteur_url']}", file=out)
        print(f"    interpreter:  {room['interpreter_url']}", file=out)
    print(file=out)


async def _with_backend(settings: Settings, work: Any) -> Any:
    backend: Backend = make_backend(settings)
    await backend.start()
    try:
        return await work(backend, StaffKeys(await backend.get_secret()))
    finally:
        await backend.close()


async def _all_links(backend: Backend, keys: StaffKeys, base: str) -> list[dict[str, Any]]:
    return [event_links(e, keys, base) for e in await backend.list_events()]


def cmd_create_event(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        event = load_event(Path(args.file))
    except EventFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    async def work(backend: Backend, keys: StaffKeys) -> dict[str, Any]:
        await backend.create_event(event)
        return event_links(event, keys, settings.base_url)

    try:
        links = asyncio.run(_with_backend(settings, work))
    except Exception as exc:  # a clash of room codes, an unreachable backend
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(links, ensure_ascii=False, indent=2))
    else:
        print_links(links)
    return 0


def admin_link(keys: StaffKeys, base: str) -> str:
    """The server's admin page with its key after '#' (issue 15; server/http/events.py)."""
    return f"{base}/admin#key={keys.admin_key()}"


def cmd_links(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.admin:

        async def admin(backend: Backend, keys: StaffKeys) -> str:
            return admin_link(keys, settings.base_url)

        link = asyncio.run(_with_backend(settings, admin))
        print(json.dumps({"admin_url": link}) if args.json else link)
        return 0

    async def work(backend: Backend, keys: StaffKeys) -> list[dict[str, Any]]:
        return await _all_links(backend, keys, settings.base_url)

    all_links = asyncio.run(_with_backend(settings, work))
    if args.json:
        print(json.dumps(all_links, ensure_ascii=False, indent=2))
    else:
        for links in all_links:
            print_links(links)
    return 0


class UnsafeStart(Exception):
    """The backend may lose acknowledged events, or anyone may reach it."""


def cmd_serve(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings.workers != 1 and not settings.redis_url:
        raise SystemExit(
            "error: --workers needs --redis-url (or REDIS_URL): the embedded backend"
            " serves from one process"
        )
    if settings.workers < 1:
        raise SystemExit("error: --workers must be at least 1")
    if settings.log_format not in FORMATS:
        raise SystemExit(f"error: --log-format must be one of {', '.join(FORMATS)}")
    if settings.log_level not in LEVELS:
        raise SystemExit(f"error: --log-level must be one of {', '.join(LEVELS)}")
    logging.config.dictConfig(log_config(settings.log_format, settings.log_level))
    seed = Path(args.seed) if args.seed else None

    first_start: list[str] = []

    async def work(backend: Backend, keys: StaffKeys) -> list[dict[str, Any]]:
        unsafe = refusal(backend, settings)
        if unsafe is not None:
            raise UnsafeStart(unsafe)
        if not await backend.list_events():
            first_start.append(admin_link(keys, settings.base_url))
            if seed is not None:
                await backend.create_event(load_event(seed))
        return await _all_links(backend, keys, settings.base_url)

    try:
        all_links = asyncio.run(_with_backend(settings, work))
    except (EventFileError, UnsafeStart) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BackendError as exc:  # e.g. Redis unreachable at start
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if settings.log_format == "json":
        # The links carry keys, and JSON logs go to a log store: say how to get them.
        logging.getLogger("workshop").info(
            "invite links are not printed with --log-format json: run `workshop links`%s",
            " (and `workshop links --admin`)" if first_start else "",
            extra={"event": "links.withheld"},
        )
        all_links, first_start = [], []
    for links in all_links:
        print_links(links)
    for link in first_start:  # once: later, `workshop links --admin` prints it
        print(f"  server admin (creates events; keep it to yourself): {link}\n")
    sys.stdout.flush()
    run_server(settings)
    return 0


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options, the WebSocket ones chosen on purpose (see docs/performance.md)."""
    from server.http.deadline import protocol_factory  # imports uvicorn: only when serving

    return {
        "host": settings.host,
        "port": settings.port,
        "backlog": settings.backlog,
        "interface": "asgi3",  # the app's __call__ returns a coroutine, not one itself
        # Slowloris and oversized heads: server/http/deadline.py.
        "http": protocol_factory(settings.request_timeout, settings.request_head_limit),
        "ws": "websockets-sansio",
        "ws_max_size": settings.frame_limit,
        "ws_per_message_deflate": False,  # costs fan-out throughput; a decompression-bomb risk
        "ws_ping_interval": settings.ws_ping_interval,
        "ws_ping_timeout": settings.ws_ping_timeout,
        "lifespan": "on",
        "server_header": False,  # names the software to anyone who asks, and costs every response
        "timeout_graceful_shutdown": 5,
        "log_level": settings.log_level,
        "log_config": log_config(settings.log_format, settings.log_level),
    }


def run_server(settings: Settings) -> None:
    """Serve with uvicorn: one process, or `workers` sharing the port."""
    import uvicorn

    from server.http.app import create_app

    options = uvicorn_options(settings)
    if settings.workers > 1:
        # N processes share the listening socket; each builds its app from the
        # environment (docs/scaling.md), so every setting goes there first. Their
        # /metrics figures meet in one folder (server/metrics_workers.py).
        made = not settings.metrics_dir
        folder = Path(settings.metrics_dir or tempfile.mkdtemp(prefix="workshop-metrics-"))
        clear(folder)
        _export(replace(settings, metrics_dir=str(folder)))
        try:
            uvicorn.run(
                "server.http.app:app_from_env", factory=True, workers=settings.workers, **options
            )
        finally:
            if made:
                shutil.rmtree(folder, ignore_errors=True)
        return
    uvicorn.Server(uvicorn.Config(create_app(settings), **options)).run()


def _export(settings: Settings) -> None:
    """Put every setting in `WORKSHOP_*` variables, for worker processes to read back."""
    for f in fields(Settings):
        if f.name == "extra":
            continue
        value = getattr(settings, f.name)
        os.environ[env_name(f.name)] = ",".join(value) if isinstance(value, tuple) else str(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workshop", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the rooms")
    add_settings(serve)
    serve.add_argument("--seed", help="event file to create when there is no event yet")
    serve.set_defaults(func=cmd_serve)

    create = sub.add_parser("create-event", help="create an event and its rooms")
    create.add_argument("file")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.add_argument("--base-url", help="base URL for the printed links")
    add_settings(create, SHARED)
    create.set_defaults(func=cmd_create_event)

    links = sub.add_parser("links", help="print every event's invite links")
    links.add_argument("--json", action="store_true")
    links.add_argument("--admin", action="store_true", help="print the server's admin link")
    links.add_argument("--base-url", help="base URL for the printed links")
    add_settings(links, SHARED)
    links.set_defaults(func=cmd_links)

    from server.cli.transcripts import add_transcript_commands  # export, import (issue 6)

    add_transcript_commands(sub)
    from server.cli.staff import add_staff_commands  # staff add|list|revoke (issue 15)

    add_staff_commands(sub)
    from server.cli.doctor import add_doctor_command  # doctor (issue 16)

    add_doctor_command(sub)
    from server.cli.rotate import add_rotate_command  # rotate-secret (issue 15)

    add_rotate_command(sub)
    from server.cli.backup import add_backup_command  # backup (issue 16)

    add_backup_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
