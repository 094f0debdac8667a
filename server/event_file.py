"""Event files: the TOML that describes a workshop event and its rooms.

```toml
title = { en = "City-to-city learning between Sendai and Ulaanbaatar", ja = "…", mn = "…" }
timezones = ["Asia/Tokyo", "Asia/Ulaanbaatar"]
languages = ["en", "ja", "mn"]     # also the order a text falls back in

[[organisations]]                  # the registry (optional)
id = "sendai"
name = { en = "Sendai City", ja = "仙台市", mn = "Сендай хот" }
city = "sendai"                    # optional grouping

[[rooms]]
code = "SUB-PLAN"
title = "Planning and Investment"  # a string or a language map
starts = 2026-12-10T10:00:00+09:00 # optional, with its offset
ends = 2026-12-10T11:30:00+09:00
prompts = [                        # optional: the session's guiding questions (≤ 10)
  { en = "What led you to make this commitment?", ja = "…", mn = "…" },
]
```
A bad file raises `EventFileError` whose message names the field, on one line.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from protocol import room_code
from protocol.codes import ProtocolError
from protocol.lang_text import LANGUAGES, LangText, check_lang_text
from server.backends.base import EventInfo, RoomInfo
from server.organisations import ORG_ID, Organisation

MAX_PROMPTS = 10  # guiding questions per room
PROMPT_MAX = 500  # characters in each language, as a question


class EventFileError(ValueError):
    """The event file is not valid; the message names the file and the field."""


def load_event(path: Path) -> EventInfo:
    """Read and validate an event file; the event gets a new random id."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EventFileError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EventFileError(f"{path}: not valid TOML ({exc})") from None
    return parse_event(raw, str(path))


def parse_event(raw: dict[str, Any], where: str = "event") -> EventInfo:
    def fail(field: str, why: str) -> EventFileError:
        return EventFileError(f"{where}: {field}: {why}")

    def text(value: object, field: str) -> LangText:
        try:
            return check_lang_text(value, field, 1, 200)
        except ProtocolError:
            why = "must be a string of 1-200 characters, or a map of them by language (en, ja, mn)"
            raise fail(field, why) from None

    def prompts(value: object, field: str) -> tuple[LangText, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or len(value) > MAX_PROMPTS:
            raise fail(field, f"must be a list of at most {MAX_PROMPTS} texts")
        out: list[LangText] = []
        for i, prompt in enumerate(value):
            try:
                out.append(check_lang_text(prompt, f"{field}[{i}]", 1, PROMPT_MAX))
            except ProtocolError:
                why = f"must be a string of 1-{PROMPT_MAX} characters, or a map of them"
                raise fail(f"{field}[{i}]", why) from None
        return tuple(out)

    def moment(value: object, field: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise fail(field, "must be a TOML date-time with an offset (2026-12-10T10:00:00+09:00)")
        return value.isoformat()

    title = text(raw.get("title"), "title")
    zones = raw.get("timezones", ["Asia/Tokyo", "Asia/Ulaanbaatar"])
    if not isinstance(zones, list) or not zones or not all(isinstance(z, str) for z in zones):
        raise fail("timezones", "must be a non-empty list of IANA zone names")
    for i, zone in enumerate(zones):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise fail(f"timezones[{i}]", f"unknown time zone {zone!r}") from None
    languages = raw.get("languages", list(LANGUAGES))
    if (
        not isinstance(languages, list)
        or not languages
        or not all(lang in LANGUAGES for lang in languages)
    ):
        raise fail("languages", f"must be a non-empty list drawn from {', '.join(LANGUAGES)}")
    organisations: list[Organisation] = []
    orgs_raw = raw.get("organisations", [])
    if not isinstance(orgs_raw, list):
        raise fail("organisations", "must be [[organisations]] tables")
    for i, org in enumerate(orgs_raw):
        where_ = f"organisations[{i}]"
        if not isinstance(org, dict):
            raise fail(where_, "must be a table with id and name")
        org_id = org.get("id")
        if not isinstance(org_id, str) or not ORG_ID.fullmatch(org_id):
            raise fail(f"{where_}.id", "must be 1-40 of a-z, 0-9, '-' and '_'")
        if any(o.org_id == org_id for o in organisations):
            raise fail(f"{where_}.id", f"{org_id} appears twice")
        city = org.get("city")
        if city is not None and (not isinstance(city, str) or not ORG_ID.fullmatch(city)):
            raise fail(f"{where_}.city", "must be 1-40 of a-z, 0-9, '-' and '_'")
        organisations.append(Organisation(org_id, text(org.get("name"), f"{where_}.name"), city))
    rooms_raw = raw.get("rooms")
    if not isinstance(rooms_raw, list) or not rooms_raw:
        raise fail("rooms", "must have at least one [[rooms]] table")
    event_id = secrets.token_hex(6)
    rooms: list[RoomInfo] = []
    seen: set[str] = set()
    for i, room in enumerate(rooms_raw):
        if not isinstance(room, dict):
            raise fail(f"rooms[{i}]", "must be a table with code and title")
        code = room_code(room.get("code"), new=True)
        if code is None:
            why = "must be 2-32 characters of A-Z, 0-9 and '-', starting with a letter or digit"
            raise fail(f"rooms[{i}].code", why)
        if code in seen:
            raise fail(f"rooms[{i}].code", f"{code} appears twice")
        seen.add(code)
        starts = moment(room.get("starts"), f"rooms[{i}].starts")
        ends = moment(room.get("ends"), f"rooms[{i}].ends")
        if starts and ends and dt.datetime.fromisoformat(ends) <= dt.datetime.fromisoformat(starts):
            raise fail(f"rooms[{i}].ends", "must be after starts")
        named = text(room.get("title"), f"rooms[{i}].title")
        asked = prompts(room.get("prompts"), f"rooms[{i}].prompts")
        rooms.append(RoomInfo(code, named, event_id, starts, ends, asked))
    return EventInfo(
        event_id=event_id,
        title=title,
        timezones=tuple(zones),
        languages=tuple(languages),
        rooms=tuple(rooms),
        created=time.time(),
        organisations=tuple(organisations),
    )
