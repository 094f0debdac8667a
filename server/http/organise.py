"""HTTP: the organiser's API (issue 15; docs/protocol.md "The organiser's API"), behind
`Authorization: Bearer <organiser key>` of the event, as the organiser page sends it:

    GET   /api/events/{event_id}/organise             the programme, its rooms and staff links
    POST  /api/events/{event_id}/rooms                a new room
    PATCH /api/events/{event_id}/rooms/{code}         rename, reschedule, archive, open or
                                                      close, room defaults
    PUT   /api/events/{event_id}/rooms/order          the rooms in a new order
    POST  /api/events/{event_id}/staff                a new staff link (its key, shown once;
                                                      idempotent by the body's `cid`)
    POST  /api/events/{event_id}/staff/{kid}/revoke   cut a staff link off
    GET   /api/rooms/{code}/qr.svg                    the room's participant link as a QR code

The programme lives in the catalogue (`Catalogue.change_event`); each change is also a
`programme.changed` record on the event's desk log, which tells every process to read the
event again. Opening, closing and the room defaults are the room's own commands
(`room.open`, `room.close`, `settings`), appended to its log as the organiser: the
moderators see them as they see their own. No key: 401; a key that is not this event's
organiser link (or a revoked one): 403; an unknown event or room: 404; an invalid body:
400 `{error: "bad_request", detail}`; a room code in use: 409.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from protocol import ProtocolError, room_code
from protocol.lang_text import check_lang_text
from protocol.messages import RoomClose, RoomOpen, RoomSettings
from server.backends.base import BackendUnavailable, Conflict, EventInfo, RoomInfo
from server.http.transcripts import bearer
from server.live.actor import Actor
from server.rooms.state import DEFAULT_SETTINGS
from server.staff.book import STAFF_ROLES, StaffLink
from server.staff.desk import Desk

BODY_MAX = 16 * 1024
TITLE_MAX = 200  # as in an event file
CID = re.compile(r"[A-Za-z0-9_-]{1,64}")
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a hall


class Refused(Exception):
    def __init__(self, status: int, error: str, detail: str = "") -> None:
        super().__init__(detail or error)
        self.status, self.error, self.detail = status, error, detail


def _answer(body: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(body, status, headers={"cache-control": "no-store"})


def _refusal(refused: Refused) -> Response:
    headers = {"cache-control": "no-store"}
    if refused.status == 401:
        headers["www-authenticate"] = 'Bearer realm="workshop"'
    body = {"error": refused.error, **({"detail": refused.detail} if refused.detail else {})}
    return JSONResponse(body, refused.status, headers=headers)


def bad(detail: str) -> Refused:
    return Refused(400, "bad_request", detail)


class Organising:
    """One request of an organiser: the event, its desk and the one who asks."""

    def __init__(self, request: Request, event: EventInfo, desk: Desk, kid: str) -> None:
        self.request = request
        self.hub = request.app.state.hub
        self.backend = request.app.state.backend
        self.event = event
        self.desk = desk
        self.actor = Actor(pid=f"staff-{kid}", name="", org="", roles=("organiser", "moderator"))

    @classmethod
    async def of(cls, request: Request) -> Organising:
        key = bearer(request)
        if key is None:
            raise Refused(401, "unauthorized")
        hub = request.app.state.hub
        event = await request.app.state.backend.get_event(request.path_params["event_id"])
        if event is None:
            raise Refused(404, "not_found")
        admitted = await hub.staff.admit(key, event, None)
        if "organiser" not in admitted.roles or admitted.grant is None:
            raise Refused(403, "forbidden")
        desk = await hub.staff.desks.desk(event)
        return cls(request, event, desk, admitted.grant.kid)

    async def body(self) -> dict[str, Any]:
        raw = await self.request.body()
        if len(raw) > BODY_MAX:
            raise Refused(413, "too_large")
        try:
            found = json.loads(raw or b"{}")
        except ValueError:
            raise bad("the body is not JSON") from None
        if not isinstance(found, dict):
            raise bad("the body must be a JSON object")
        return found

    # -- what the page shows -----------------------------------------------------------

    async def room_view(self, info: RoomInfo) -> dict[str, Any]:
        live = await self.hub.room(info.code)
        present = await self.backend.get_presence(info.code)
        return {
            "code": info.code,
            "title": info.title,
            "starts": info.starts,
            "ends": info.ends,
            "archived": info.archived,
            "state": live.state.state if live else "open",
            "settings": dict(live.state.settings) if live else dict(DEFAULT_SETTINGS),
            "url": f"/r/{info.code}",
            "present": len(present),
        }

    def link_view(self, link: StaffLink, connected: dict[str, int] | None = None) -> dict[str, Any]:
        """The link as the page lists it; `connected`: counts on every process, by kid
        (else this process's own, for a link just made or revoked)."""
        here = self.hub.staff.desks.connected(self.event.event_id, link.kid)
        return {**link.to_dict(), "connected": (connected or {}).get(link.kid, here)}

    async def overview(self) -> dict[str, Any]:
        event = self.event
        everywhere = await self.hub.staff.desks.connected_everywhere(event.event_id)
        return {
            "event": {
                "event_id": event.event_id,
                "title": event.title,
                "languages": list(event.languages),
                "timezones": list(event.timezones),
            },
            "rooms": [await self.room_view(info) for info in event.rooms],
            "staff": [self.link_view(link, everywhere) for link in self.desk.book.links.values()],
        }

    # -- changes -------------------------------------------------------------------------

    async def change(self, what: dict[str, Any], change: Any) -> EventInfo:
        try:
            self.event = await self.backend.change_event(self.event.event_id, change)
        except LookupError:
            raise Refused(404, "not_found") from None
        except Conflict as exc:
            raise Refused(409, "conflict", str(exc)) from None
        except ValueError as exc:
            raise bad(str(exc)) from None
        await self.desk.replanned(what, f"organise-{uuid.uuid4().hex}")
        await self.hub.reread(self.event.event_id)
        return self.event

    async def run(self, code: str, command: Any) -> None:
        live = await self.hub.room(code)
        if live is None:
            raise Refused(404, "not_found")
        reply = await live.submit(self.actor, command)
        if getattr(reply, "code", None) is not None:  # an Err
            raise Refused(503, "unavailable", str(getattr(reply, "msg", "")))

    def room(self, code: str) -> RoomInfo:
        for info in self.event.rooms:
            if info.code == code:
                return info
        raise Refused(404, "not_found")


# -- field rules -----------------------------------------------------------------------


def title_of(value: object) -> Any:
    try:
        return check_lang_text(value, "title", 1, TITLE_MAX)
    except ProtocolError:
        raise bad(
            f"title: a string of 1-{TITLE_MAX} characters, or a map of them by language"
        ) from None


def moment(value: object, field: str) -> str | None:
    """An ISO 8601 date-time with its offset, or None (no slot)."""
    if value is None:
        return None
    try:
        when = (
            dt.datetime.fromisoformat(value)
            if isinstance(value, str) and len(value) <= 40
            else None
        )
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise bad(f"{field}: an ISO 8601 date-time with its offset (2026-12-10T10:00:00+09:00)")
    return when.isoformat()


def slot(starts: str | None, ends: str | None) -> None:
    if starts and ends and dt.datetime.fromisoformat(ends) <= dt.datetime.fromisoformat(starts):
        raise bad("ends: must be after starts")


def new_code() -> str:
    return "R-" + "".join(secrets.choice(CODE_LETTERS) for _ in range(4))


# -- routes ------------------------------------------------------------------------------


Work = Callable[["Organising"], Awaitable[Response]]


async def _handle(request: Request, work: Work) -> Response:
    try:
        organising = await Organising.of(request)
        return await work(organising)
    except Refused as refused:
        return _refusal(refused)
    except BackendUnavailable:
        return _refusal(Refused(503, "unavailable"))


async def overview(request: Request) -> Response:
    async def work(o: Organising) -> Response:
        return _answer(await o.overview())

    return await _handle(request, work)


async def create_room(request: Request) -> Response:
    async def work(o: Organising) -> Response:
        body = await o.body()
        given = body.get("code")
        code = room_code(given, new=True) if given not in (None, "") else new_code()
        if code is None:
            raise bad("code: 2-32 of A-Z, 0-9 and '-', starting with a letter or digit")
        if any(r.code == code for r in o.event.rooms):
            raise Refused(409, "conflict", f"room {code!r} exists")
        starts, ends = moment(body.get("starts"), "starts"), moment(body.get("ends"), "ends")
        slot(starts, ends)
        room = RoomInfo(code, title_of(body.get("title")), o.event.event_id, starts, ends)
        event = await o.change(
            {"added": code},
            lambda e: replace(e, rooms=(*e.rooms, replace(room, event_id=e.event_id))),
        )
        return _answer(
            {"room": await o.room_view(next(r for r in event.rooms if r.code == code))}, 201
        )

    return await _handle(request, work)


async def change_room(request: Request) -> Response:
    async def work(o: Organising) -> Response:
        code = request.path_params["code"].upper()
        before = o.room(code)
        body = await o.body()
        unknown = set(body) - {"title", "starts", "ends", "archived", "state", "settings"}
        if unknown:
            raise bad(f"unknown fields: {', '.join(sorted(unknown))}")
        fields: dict[str, Any] = {}
        if "title" in body:
            fields["title"] = title_of(body["title"])
        for name in ("starts", "ends"):
            if name in body:
                fields[name] = moment(body[name], name)
        slot(fields.get("starts", before.starts), fields.get("ends", before.ends))
        if "archived" in body:
            if not isinstance(body["archived"], bool):
                raise bad("archived: true or false")
            fields["archived"] = body["archived"]
        state = body.get("state")
        if state not in (None, "open", "closed"):
            raise bad("state: 'open' or 'closed'")
        settings = body.get("settings")
        if settings is not None and (
            not isinstance(settings, dict)
            or not settings
            or any(
                k not in DEFAULT_SETTINGS or not isinstance(v, bool) for k, v in settings.items()
            )
        ):
            raise bad(f"settings: a map of {', '.join(DEFAULT_SETTINGS)} to true or false")
        if fields:

            def edit(e: EventInfo) -> EventInfo:
                return replace(
                    e, rooms=tuple(replace(r, **fields) if r.code == code else r for r in e.rooms)
                )

            await o.change({"changed": code, "fields": sorted(fields)}, edit)
        cid = f"organise-{uuid.uuid4().hex}"
        if state is not None:
            await o.run(code, (RoomOpen if state == "open" else RoomClose)(id=0, cid=cid))
        if settings:
            await o.run(code, RoomSettings(id=0, cid=cid + "-s", **settings))
        return _answer({"room": await o.room_view(o.room(code))})

    return await _handle(request, work)


async def order_rooms(request: Request) -> Response:
    async def work(o: Organising) -> Response:
        codes = (await o.body()).get("codes")
        if (
            not isinstance(codes, list)
            or not all(isinstance(c, str) for c in codes)
            or sorted(codes) != sorted(r.code for r in o.event.rooms)
        ):
            raise bad("codes: every room code of the event, once each, in the new order")

        def reorder(e: EventInfo) -> EventInfo:
            by_code = {r.code: r for r in e.rooms}
            if sorted(by_code) != sorted(codes):
                raise ValueError("the rooms changed meanwhile: read the programme again")
            return replace(e, rooms=tuple(by_code[c] for c in codes))

        event = await o.change({"ordered": codes}, reorder)
        return _answer({"rooms": [await o.room_view(r) for r in event.rooms]})

    return await _handle(request, work)


async def invite(request: Request) -> Response:
    async def work(o: Organising) -> Response:
        body = await o.body()
        role, room, label = body.get("role"), body.get("room"), body.get("label", "")
        if role not in STAFF_ROLES:
            raise bad(f"role: one of {', '.join(STAFF_ROLES)}")
        if room is not None:
            if not isinstance(room, str):
                raise bad("room: a room code of the event, or null for every room")
            room = o.room(room.upper()).code
        if not isinstance(label, str):
            raise bad("label: a text of at most 80 characters")
        cid = body.get("cid", uuid.uuid4().hex)  # the page's own: a retry makes no second link
        if not isinstance(cid, str) or not CID.fullmatch(cid):
            raise bad("cid: 1-64 of A-Z, a-z, 0-9, '-' and '_'")
        try:
            link = await o.desk.invite(role, room, label.strip(), f"organise-{cid}")
        except ValueError as exc:
            raise bad(str(exc)) from None
        keys = o.hub.staff.keys
        key = keys.sign(link.kid, o.event.event_id, link.role, link.room)
        return _answer({**o.link_view(link), "key": key, "url": staff_url(o.event, link, key)}, 201)

    return await _handle(request, work)


def staff_url(event: EventInfo, link: StaffLink, key: str) -> str:
    """The page a new link opens (a path: the page makes it absolute), key after '#'."""
    if link.role == "organiser":
        return f"/e/{event.event_id}/organise#key={key}"
    page = {"moderator": "moderate", "rapporteur": "rapporteur", "interpreter": "interpret"}
    code = link.room or event.rooms[0].code
    return f"/r/{code}/{page[link.role]}#key={key}"


async def revoke(request: Request) -> Response:
    async def work(o: Organising) -> Response:
        kid = request.path_params["kid"]
        link = await o.desk.revoke(kid)
        if link is None:
            raise Refused(404, "not_found")
        return _answer({"link": o.link_view(link)})

    return await _handle(request, work)


async def room_qr(request: Request) -> Response:
    """The room's participant link as an SVG QR code (public: the link is)."""
    code = request.path_params["code"].upper()
    info = await request.app.state.backend.get_room(code)
    if info is None:
        return JSONResponse({"error": "not_found"}, 404)
    settings = request.app.state.settings  # the public URL, else the one the page used
    base = settings.base_url if settings.public_url else str(request.base_url).rstrip("/")
    link = f"{base}/r/{info.code}"
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False)
    return Response(
        out.getvalue(), media_type="image/svg+xml", headers={"cache-control": "no-cache"}
    )
