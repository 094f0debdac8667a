"""What the contract tests share: the test event, its rooms, waiting, and a live tail."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.backends.base import Backend, EventInfo, Record, RoomInfo

if TYPE_CHECKING:  # `redis` stays out of the embedded runs' imports
    from server.backends.redis import RedisBackend

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


async def open_redis(url: str, **options: Any) -> RedisBackend:
    """A started Redis backend with the suite's secret."""
    from server.backends.redis import RedisBackend

    backend = RedisBackend(url, **{"secret": SECRET, **options})
    await backend.start()
    return backend


class Tail:
    """A live subscriber that keeps `(record, epoch)` pairs and the threads it ran on."""

    def __init__(self) -> None:
        self.got: list[tuple[Record, str]] = []
        self.threads: set[int] = set()

    def __call__(self, record: Record, epoch: str) -> None:
        self.got.append((record, epoch))
        self.threads.add(threading.get_ident())

    @property
    def seqs(self) -> list[int]:
        return [record.seq for record, _ in self.got]

    def lives(self) -> list[tuple[str, list[int]]]:
        """The seqs handed out, grouped by epoch in the order the epochs came."""
        runs: list[tuple[str, list[int]]] = []
        for record, epoch in self.got:
            if not runs or runs[-1][0] != epoch:
                runs.append((epoch, []))
            runs[-1][1].append(record.seq)
        return runs


def assert_once_in_order(tail: Tail, first: int | None = None, last: int | None = None) -> None:
    """Guarantee 4 for one epoch: each seq once, each the one after the previous; from
    `first` and up to `last` when given."""
    seqs = tail.seqs
    assert len({epoch for _, epoch in tail.got}) <= 1, tail.lives()
    if seqs:
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
    if first is not None:
        assert seqs and seqs[0] == first, (first, seqs[:5])
    if last is not None:
        assert seqs and seqs[-1] == last, (last, seqs[-5:])
