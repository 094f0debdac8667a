"""Times in the event's zones, side by side ("2026-11-27 14:05 JST", "… 13:05 ULAT").

USERS.md: exports in UTC only, or in one device's zone only, are a known complaint; two
cities in two zones need both. The labels are the zones' usual abbreviations and stay the
same in every language (as in the browser client's `time.js`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEFAULT_ZONES = ("Asia/Tokyo", "Asia/Ulaanbaatar")
ZONE_LABELS = {"Asia/Tokyo": "JST", "Asia/Ulaanbaatar": "ULAT", "UTC": "UTC"}


def zone_label(name: str) -> str:
    """JST, ULAT, or the zone's own abbreviation, or its offset as "UTC+08:00"."""
    if name in ZONE_LABELS:
        return ZONE_LABELS[name]
    now = datetime.now(ZoneInfo(name))
    abbreviation = now.tzname() or ""
    if abbreviation.isalpha():
        return abbreviation
    offset = now.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else name


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    label: str
    info: ZoneInfo


class Clock:
    """Formats server timestamps (UTC seconds) in each of the event's zones."""

    def __init__(self, zones: Sequence[str] = ()) -> None:
        names = tuple(zones) or DEFAULT_ZONES
        self.zones = tuple(Zone(n, zone_label(n), ZoneInfo(n)) for n in names)

    @property
    def labels(self) -> list[str]:
        return [z.label for z in self.zones]

    def local(self, ts: float, zone: Zone) -> datetime:
        return datetime.fromtimestamp(ts, UTC).astimezone(zone.info)

    def stamp(self, ts: float | None, zone: Zone) -> str:
        """The moment as "2026-11-27 14:05 JST", or "" for no time."""
        if ts is None:
            return ""
        return f"{self.local(ts, zone):%Y-%m-%d %H:%M} {zone.label}"

    def stamps(self, ts: float | None) -> list[str]:
        """The same moment in every zone."""
        return [self.stamp(ts, z) for z in self.zones]

    def clock_times(self, ts: float) -> list[str]:
        """The moment as "14:05 JST" in every zone (for timelines: dates are given once)."""
        return [f"{self.local(ts, z):%H:%M} {z.label}" for z in self.zones]

    def dual(self, ts: float | None) -> str:
        return " / ".join(self.stamps(ts))

    def spans(self, first: float | None, last: float | None) -> list[str]:
        """The span in each zone: "2026-11-27 14:00–16:30 JST" (with both dates if they differ)."""
        if first is None or last is None:
            return []
        out = []
        for z in self.zones:
            a, b = self.local(first, z), self.local(last, z)
            if a.date() == b.date():
                out.append(f"{a:%Y-%m-%d %H:%M}–{b:%H:%M} {z.label}")
            else:
                out.append(f"{a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M} {z.label}")
        return out
