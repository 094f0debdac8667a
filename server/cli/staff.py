"""`workshop staff`: an event's staff links from the command line (issue 15; docs/protocol.md
"Staff links"), on whichever backend the settings choose, beside a running server or not.

    workshop staff add --role moderator|rapporteur|interpreter|organiser [--room CODE]
                       --label TEXT [--event ID] [--json] [--base-url URL]
    workshop staff list [--event ID] [--json]
    workshop staff revoke KID [--event ID]

A link is an invitation in the event's desk log: `add` appends one and prints its key
and links (the key after '#', which browsers never send); `revoke` appends its
revocation, and every server that serves the event closes the sockets that joined with
it within a few seconds. The founding links `workshop links` prints are `event-<role>`.
`--event` may be left out when the backend holds one event, or when `--room` names it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from server.backends.base import Backend, EventInfo
from server.backends.select import make_backend
from server.cli.options import SHARED, add_settings, settings_from
from server.settings import Settings
from server.staff.book import STAFF_ROLES, StaffLink
from server.staff.desk import Desk
from server.staff.keys import StaffKeys

# The page each role's link opens in a room (server/http/pages.py ROOM_VIEWS).
ROLE_PAGES = {"moderator": "moderate", "rapporteur": "rapporteur", "interpreter": "interpret"}


class StaffCommandError(Exception):
    """Something the person at the terminal should fix: printed, exit status 2."""


def add_staff_commands(sub: Any) -> None:
    """Register `staff add|list|revoke` on the `workshop` sub-command parser."""
    staff = sub.add_parser("staff", help="make, list and revoke an event's staff links")
    verbs = staff.add_subparsers(dest="verb", required=True)

    add = verbs.add_parser("add", help="invite someone: a new staff link")
    add.add_argument("--role", required=True, choices=STAFF_ROLES)
    add.add_argument("--room", help="a room code: the link opens that room only")
    add.add_argument("--label", required=True, help="who it is for, e.g. 'Chair - Sendai'")
    add.add_argument("--json", action="store_true", help="print JSON")
    add.add_argument("--base-url", help="base URL for the printed links")

    listed = verbs.add_parser("list", help="every staff link of the event")
    listed.add_argument("--json", action="store_true", help="print JSON")

    revoke = verbs.add_parser("revoke", help="cut a staff link off, everywhere, now")
    revoke.add_argument("kid", help="the link's id, as `staff list` shows it")

    for verb in (add, listed, revoke):
        verb.add_argument("--event", help="the event's id (when the backend holds several)")
        add_settings(verb, SHARED)
        verb.set_defaults(func=cmd_staff)


def cmd_staff(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    work = {"add": _add, "list": _list, "revoke": _revoke}[args.verb]
    try:
        shown = asyncio.run(_on_desk(settings, args, work))
    except StaffCommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # an unreachable backend
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(shown)
    return 0


Work = Callable[[Desk, EventInfo, StaffKeys, argparse.Namespace], Awaitable[str]]


async def _on_desk(settings: Settings, args: argparse.Namespace, work: Work) -> str:
    backend: Backend = make_backend(settings)
    await backend.start()
    try:
        event = await _event(backend, args.event, getattr(args, "room", None))
        desk = Desk(backend, event, lambda kid: None)
        await desk.start()
        try:
            args.base = settings.base_url
            return await work(desk, event, StaffKeys(await backend.get_secret()), args)
        finally:
            await desk.close()
    finally:
        await backend.close()


async def _event(backend: Backend, event_id: str | None, room: str | None) -> EventInfo:
    events = await backend.list_events()
    if event_id is None and room is not None:
        info = await backend.get_room(room.upper())
        if info is None:
            raise StaffCommandError(f"no room {room.upper()}")
        event_id = info.event_id
    if event_id is None:
        if len(events) != 1:
            ids = ", ".join(e.event_id for e in events) or "none yet"
            raise StaffCommandError(f"name the event with --event (events: {ids})")
        return events[0]
    for event in events:
        if event.event_id == event_id:
            return event
    raise StaffCommandError(f"no event {event_id}")


def link_urls(event: EventInfo, link: StaffLink, key: str, base: str) -> dict[str, str]:
    """The pages the link opens, by room code (an organiser's: the organiser page under
    "organise", then every room's moderator page), each with the key after '#'."""
    page = ROLE_PAGES.get(link.role, "moderate")
    codes = [link.room] if link.room is not None else [room.code for room in event.rooms]
    urls = {code: f"{base}/r/{code}/{page}#key={key}" for code in codes}
    if link.role == "organiser":  # the organiser page first (issue 15), then the rooms
        return {"organise": f"{base}/e/{event.event_id}/organise#key={key}", **urls}
    return urls


async def _add(desk: Desk, event: EventInfo, keys: StaffKeys, args: argparse.Namespace) -> str:
    room = args.room.upper() if args.room else None
    if room is not None and room not in {r.code for r in event.rooms}:
        raise StaffCommandError(f"no room {room} in event {event.event_id}")
    if args.role == "organiser" and room is not None:
        raise StaffCommandError("an organiser runs the whole event: leave out --room")
    try:
        link = await desk.invite(args.role, room, args.label.strip(), f"cli-{secrets.token_hex(8)}")
    except ValueError as exc:
        raise StaffCommandError(str(exc)) from None
    key = keys.sign(link.kid, event.event_id, link.role, link.room)
    urls = link_urls(event, link, key, args.base)
    if args.json:
        url = next(iter(urls.values()), "")  # the room's page; an event-wide link's first room
        shown = {**link.to_dict(), "key": key, "url": url, "urls": urls}
        return json.dumps(shown, ensure_ascii=False)
    where = f"room {link.room}" if link.room else "every room"
    lines = [f"{link.role} link {link.kid} ({where}){' for ' + link.label if link.label else ''}"]
    lines += [f"  {code}: {url}" for code, url in urls.items()]
    lines.append(f"revoke it with: workshop staff revoke {link.kid}")
    return "\n".join(lines)


async def _list(desk: Desk, event: EventInfo, keys: StaffKeys, args: argparse.Namespace) -> str:
    links = list(desk.book.links.values())
    if args.json:
        return json.dumps([link.to_dict() for link in links], ensure_ascii=False)
    rows = [f"{'KID':<24} {'ROLE':<12} {'ROOM':<12} {'MADE (UTC)':<17} STATE  LABEL"]
    for link in links:
        state = "revoked" if link.revoked is not None else "active"
        made = datetime.fromtimestamp(link.created, UTC).strftime("%Y-%m-%d %H:%M")
        rows.append(
            f"{link.kid:<24} {link.role:<12} {link.room or '(all)':<12} {made:<17} "
            f"{state:<6} {link.label}"
        )
    return "\n".join(rows)


async def _revoke(desk: Desk, event: EventInfo, keys: StaffKeys, args: argparse.Namespace) -> str:
    link = await desk.revoke(args.kid)
    if link is None:
        raise StaffCommandError(f"event {event.event_id} has no staff link {args.kid}")
    return f"revoked {link.role} link {link.kid}: its sockets close within a few seconds"
