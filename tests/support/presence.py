"""The presence frames one client receives, each with the time it arrived.

For the presence timings that issue 12 fixes (equal everywhere within 2 s, a leave
within 1 s, an abrupt drop within 30 s): the waits poll every 50 ms with a generous
timeout, and the bound is asserted on the arrival times, never on a sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from client.errors import Disconnected
from client.room_client import RoomClient

POLL = 0.05  # seconds between two looks at the frames
WAIT = 60.0  # the most a wait takes before the test fails


class PresenceLog:
    """Collects the `presence` frames of `client` (which nothing else may read
    `frames()` of) in a background task; `stop()` ends it."""

    def __init__(self, client: RoomClient) -> None:
        self.client = client
        self.frames: list[tuple[float, dict[str, Any]]] = []  # (monotonic time, frame)
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        with contextlib.suppress(Disconnected):
            async for frame in self.client.frames():
                if frame.get("t") == "presence":
                    self.frames.append((time.monotonic(), frame))

    def stop(self) -> None:
        self._task.cancel()

    @property
    def count(self) -> int | None:
        """The count of the latest frame, if any came."""
        return int(self.frames[-1][1]["count"]) if self.frames else None

    @property
    def by_org(self) -> dict[str, int]:
        return dict(self.frames[-1][1]["by_org"]) if self.frames else {}

    async def reaches(self, count: int, within: float = WAIT) -> None:
        """Wait until the latest frame says `count`."""
        deadline = time.monotonic() + within
        while self.count != count:
            if time.monotonic() > deadline:
                raise AssertionError(f"presence not {count} in {within} s: {self.frames[-3:]}")
            await asyncio.sleep(POLL)

    def at(self, count: int) -> float:
        """When the latest frame's count was first said: the arrival time of the first
        frame of the run of frames at the end that all say `count`."""
        assert self.count == count, (self.count, count)
        first = self.frames[-1][0]
        for arrived, frame in reversed(self.frames):
            if frame["count"] != count:
                break
            first = arrived
        return first

    async def quiet_for(self, seconds: float) -> None:
        """Wait until no frame came for `seconds` (so the next change is not held back by
        PROTOCOL.md's one frame a second)."""
        while True:
            last = self.frames[-1][0] if self.frames else 0.0
            left = last + seconds - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(left)
