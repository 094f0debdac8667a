"""The pure parts of resuming: reconnect backoff, the gapless rule, bounded feeds.

No I/O here, so each can be tested on its own (PROTOCOL.md "Events" and close codes).
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from enum import StrEnum
from typing import Generic, TypeVar

from client.errors import Disconnected
from protocol.codes import CloseCode

Item = TypeVar("Item")

# Close codes after which the client reconnects and resumes: those of the registry
# (protocol/codes.py), plus a close frame with no code (1005) and a lost connection (1006).
RESUME_CODES = frozenset({int(code) for code in CloseCode if code.resume} | {1005, 1006})


def backoff(
    initial: float = 0.5, cap: float = 20.0, rng: Callable[[], float] = random.random
) -> Iterator[float]:
    """Delays before each reconnect attempt: 0.5 s doubling to 20 s, with full jitter.

    Full jitter (a uniform draw below the ceiling) spreads the reconnects of a whole
    room after a server restart (close 1012) instead of bunching them.
    """
    ceiling = initial
    while True:
        yield rng() * ceiling
        ceiling = min(cap, ceiling * 2)


class Verdict(StrEnum):
    """What to do with an event, by the gapless rule."""

    APPLY = "apply"  # seq == last + 1
    DUPLICATE = "duplicate"  # seq <= last: seen already, drop
    GAP = "gap"  # seq > last + 1: rejoin with since=last
    UNSYNCED = "unsynced"  # no snapshot yet in this epoch: drop, one is coming


class Sequencer:
    """The gapless rule of PROTOCOL.md ("Events"), with no I/O so it can be tested alone."""

    def __init__(self) -> None:
        self.last: int | None = None
        self.epoch: str | None = None

    def joined(self, epoch: str) -> None:
        """A join reply named the log's epoch; seqs of two epochs are never compared."""
        if epoch != self.epoch:
            self.epoch = epoch
            self.last = None

    def snapshot(self, seq: int) -> None:
        """A snapshot is the room as of `seq`: the next event to apply is seq + 1."""
        self.last = seq

    def offer(self, seq: int) -> Verdict:
        """Judge event `seq`, advancing `last` when it applies."""
        if self.last is None:
            return Verdict.UNSYNCED
        if seq <= self.last:
            return Verdict.DUPLICATE
        if seq > self.last + 1:
            return Verdict.GAP
        self.last = seq
        return Verdict.APPLY


class Feed(Generic[Item]):
    """A bounded inbox for async readers; when full, the oldest item is dropped and counted."""

    def __init__(self, maxlen: int) -> None:
        self._items: deque[Item] = deque()
        self._maxlen = maxlen
        self._wakeup = asyncio.Event()
        self._ended = False
        self._error: Disconnected | None = None
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: Item) -> None:
        if self._maxlen <= 0:  # a feed nobody reads (inbox=0, e.g. for load generators)
            self.dropped += 1
            return
        if len(self._items) >= self._maxlen:
            self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        self._wakeup.set()

    def end(self, error: Disconnected | None) -> None:
        """No more items: readers drain what is left, then stop (or get `error`)."""
        self._ended = True
        self._error = error
        self._wakeup.set()

    async def get(self) -> Item:
        """The next item; raises `Disconnected` once the feed has ended and is empty."""
        while not self._items:
            if self._ended:
                error = self._error or Disconnected("closed by the client")
                raise Disconnected(error.reason, error.code)
            self._wakeup.clear()
            await self._wakeup.wait()
        return self._items.popleft()

    def __aiter__(self) -> AsyncIterator[Item]:
        return self

    async def __anext__(self) -> Item:
        try:
            return await self.get()
        except Disconnected:
            if self._error is None:  # ended by the client's owner: a normal end
                raise StopAsyncIteration from None
            raise
