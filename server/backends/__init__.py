"""Backends: where each room's log is ordered, kept and tailed (DESIGN.md §3).

`base` is the interface and its guarantees; `embedded` is the one-process
SQLite implementation. The Redis backend lives in `redis` and is imported only
when chosen, so `redis` stays an optional import for the embedded default.
"""

from __future__ import annotations

from .base import (
    DEDUPE_TTL,
    PRESENCE_TTL,
    Appended,
    Backend,
    BackendError,
    BackendUnavailable,
    Conflict,
    EventInfo,
    LiveCallback,
    Record,
    RoomInfo,
    UnknownRoom,
)
from .embedded import EmbeddedBackend

__all__ = [
    "DEDUPE_TTL",
    "PRESENCE_TTL",
    "Appended",
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "Conflict",
    "EmbeddedBackend",
    "EventInfo",
    "LiveCallback",
    "Record",
    "RoomInfo",
    "UnknownRoom",
]
