"""How many lines each state change may write (issue 16, "Logs"): a flood of one change
(ten thousand bad keys, a Redis that flaps) must not fill a disk.

Every log call that names a state change gives it an `event` (`room.loaded`, `redis.down`,
`key.refused`, …; docs/operations.md lists them). `StateLines`, a filter on the log's
handlers, lets each event name write `burst` lines at once and then `rate` a second (a
token bucket per name, `server.limits.Bucket`) and counts what it holds back;
`summarise()` writes one "N similar lines suppressed" line per held-back name, every
`SUMMARY_EVERY` seconds while the server runs and once when it stops. Lines without an
`event` (uvicorn's, errors) pass untouched.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

from server.limits import Bucket

RATE = 1.0  # lines a second per event name, once its burst is spent
BURST = 10
SUMMARY_EVERY = 10.0  # seconds between "suppressed" summaries
NAMES = 256  # event names tracked at most: they come from the code, not from clients

log = logging.getLogger("workshop.log")


class LineBudget:
    """Per event name, a token bucket of lines, and the count of lines it held back."""

    def __init__(self, rate: float = RATE, burst: int = BURST) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, Bucket] = {}
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()  # log calls may come from the SQLite writer thread

    def admit(self, event: str, now: float | None = None) -> bool:
        """True if a line of `event` may be written now; else it is counted as held back."""
        with self._lock:
            bucket = self._buckets.get(event)
            if bucket is None:
                if len(self._buckets) >= NAMES:
                    event = "other"  # never a bucket per unbounded name
                    bucket = self._buckets.get(event)
                if bucket is None:
                    stamp = time.monotonic() if now is None else now
                    bucket = self._buckets[event] = Bucket(self.rate, self.burst, stamp=stamp)
            if bucket.take(now) == 0.0:
                return True
            self._held[event] = self._held.get(event, 0) + 1
            return False

    def take_held(self) -> dict[str, int]:
        """The lines held back per event name since the last call (and forget them)."""
        with self._lock:
            held, self._held = self._held, {}
        return held


LINES = LineBudget()
"""The process's budget: one for every handler, so a line is counted once."""


class StateLines(logging.Filter):
    """Holds back the lines of an event name past its budget (see the module's doc)."""

    def __init__(self, budget: LineBudget | None = None) -> None:
        super().__init__()
        self.budget = LINES if budget is None else budget

    def filter(self, record: logging.LogRecord) -> bool:
        event = getattr(record, "event", None)
        if not event or hasattr(record, "suppressed"):
            return True  # not a state change, or a summary of held-back lines
        return self.budget.admit(str(event))


def summarise(budget: LineBudget = LINES, out: logging.Logger = log) -> int:
    """Write one line per event name that had lines held back; return how many names."""
    held = budget.take_held()
    for event, count in sorted(held.items()):
        out.warning(
            "%d similar lines suppressed", count, extra={"event": event, "suppressed": count}
        )
    return len(held)


async def summarise_every(
    seconds: float = SUMMARY_EVERY, write: Callable[[], object] = summarise
) -> None:
    """Run `write` every `seconds`, and once more when cancelled (the server stopping)."""
    try:
        while True:
            await asyncio.sleep(seconds)
            write()
    finally:
        write()
