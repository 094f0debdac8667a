"""Presence kept in this process's memory: the embedded backend's board (one process).

Each process's set is stamped when it is set; `get_presence` drops sets older than the
time to live, so a set that is not refreshed expires as it does in Redis.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["MemoryPresence"]


class MemoryPresence:
    """`set_presence` / `get_presence` of `PresenceBoard`, with `ttl()` read at each call
    (the backend's `presence_ttl`, which settings and tests change after start)."""

    def __init__(self, ttl: Callable[[], float]) -> None:
        self._ttl = ttl
        self._rooms: dict[str, dict[str, tuple[float, dict[str, str]]]] = {}

    def set(self, room: str, process_id: str, members: dict[str, str]) -> None:
        """Replace the process's members of the room; an empty map removes them."""
        processes = self._rooms.setdefault(room, {})
        if members:
            processes[process_id] = (time.monotonic(), dict(members))
        else:
            processes.pop(process_id, None)
            if not processes:
                del self._rooms[room]

    def get(self, room: str) -> dict[str, str]:
        """The union of the sets refreshed within the time to live; older ones are dropped."""
        processes = self._rooms.get(room, {})
        oldest = time.monotonic() - self._ttl()
        for process_id in [p for p, (at, _) in processes.items() if at < oldest]:
            del processes[process_id]
        union: dict[str, str] = {}
        for _, members in processes.values():
            union.update(members)
        return union
