"""Event files: the TOML that describes a workshop event and its rooms.

```toml
title = "City-to-city learning between Sendai and Ulaanbaatar"
timezones = ["Asia/Tokyo", "Asia/Ulaanbaatar"]
languages = ["en", "ja", "mn"]

[[rooms]]
code = "SUB-PLAN"
title = "Planning and Investment"
```
A bad file raises `EventFileError` whose message names the field, on one line.
"""

from __future__ import annotations

import secrets
import time
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from protocol import room_code
from protocol.messages import LANGUAGES
from server.backends.base import EventInfo, RoomInfo


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

    title = raw.get("title")
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= 200:
        raise fail("title", "must be a string of 1-200 characters")
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
        room_title = room.get("title")
        if not isinstance(room_title, str) or not 1 <= len(room_title.strip()) <= 200:
            raise fail(f"rooms[{i}].title", "must be a string of 1-200 characters")
        rooms.append(RoomInfo(code=code, title=room_title.strip(), event_id=event_id))
    return EventInfo(
        event_id=event_id,
        title=title.strip(),
        timezones=tuple(zones),
        languages=tuple(languages),
        rooms=tuple(rooms),
        created=time.time(),
    )
