"""What the contract tests share: the test event, its rooms, and waiting helpers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from server.backends.base import Backend, EventInfo, RoomInfo

EVENT = EventInfo(
    event_id="mcr2030-sendai-ub",
    title="MCR2030 city-to-city learning: Sendai and Ulaanbaatar",
    timezones=("Asia/Tokyo", "Asia/Ulaanbaatar"),
    languages=("en", "ja", "mn"),
    rooms=(
        RoomInfo("PLAN", "Planning and Investment", "mcr2030-sendai-ub"),
        RoomInfo("WARN", "Early Warning and Training", "mcr2030-sendai-ub"),
    ),
    created=1_700_000_000.0,
)
ROOM, OTHER = "PLAN", "WARN"
SECRET = b"contract-suite-secret-0123456789abcdef"  # shared by every process on one Redis


@dataclass(frozen=True)
class Kit:
    """How to reach one backend's storage, from this process or from a child."""

    name: str
    open: Callable[[], Backend]  # a new, unstarted backend over the same storage
    child_setup: str  # Python source binding `backend` (unstarted) in a child process


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until `check()` holds; live delivery may lag `append` on some backends."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)
