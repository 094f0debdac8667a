"""What the hot path counts for `GET /metrics` (issue 16): plain integers it bumps, turned
into Prometheus families only when scraped (`TallyCollector`).

prometheus-client's own `Counter.inc` and `Histogram.observe` take a lock each call:
0.31 us and 0.78 us on this machine (0.83 us and 1.56 us in its multiprocess mode, which
writes a shared file), against 0.03 us for an integer attribute's add (docs/performance.md).
Per command that would not show; the fan-out is counted once per broadcast, not per
frame, but in a room of 1,000 at 500 events a second even that is every 2 ms. So each
counter here is an int in a slotted object, bumped from the one event-loop thread without
a lock, and read by the collector on the same thread.

- `COMMANDS`: commands by type and outcome (`ok`, or the `ErrorCode` of the reply), from
  `server/live/connection.py`. Labels are bounded: a type outside `protocol.messages.
  COMMANDS` counts as `invalid`, an outcome outside the error registry as `other`.
- `APPEND`: how long a room's appends took, from `LiveRoom.submit`, in preallocated
  buckets (a histogram labelled with this process's backend).
- `FANOUT`: frames handed to member sockets and their bytes, counted per broadcast
  (frames = recipients, bytes = frame length x recipients), by what was sent.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from protocol.codes import ErrorCode
from protocol.messages import COMMANDS as COMMAND_TYPES

INVALID = "invalid"  # a frame that did not parse as any command
OUTCOMES = frozenset({"ok", *(code.value for code in ErrorCode)})
APPEND_BOUNDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
FANOUT_KINDS = ("event", "queue", "results", "presence")


class CommandTally:
    """Commands by `(type, outcome)`, made as they are first seen."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def count(self, kind: str, outcome: str) -> None:
        key = (kind, outcome)
        try:
            self.counts[key] += 1
        except KeyError:
            # Only here, once per new pair: keep the labels bounded.
            kind = kind if kind in COMMAND_TYPES else INVALID
            outcome = str(outcome) if outcome in OUTCOMES else "other"
            key = (kind, outcome)
            self.counts[key] = self.counts.get(key, 0) + 1


class Latency:
    """A histogram in a preallocated list: `counts[i]` holds the observations in
    `(bounds[i-1], bounds[i]]`, the last one those above every bound."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: tuple[float, ...] = APPEND_BOUNDS) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(self.bounds, seconds)] += 1
        self.total += seconds

    def buckets(self) -> list[tuple[str, float]]:
        """Cumulative `(le, count)` pairs, as Prometheus has them."""
        out: list[tuple[str, float]] = []
        running = 0
        for bound, n in zip(self.bounds, self.counts, strict=False):
            running += n
            out.append((repr(bound), running))
        out.append(("+Inf", running + self.counts[-1]))
        return out


class Sent:
    """Frames handed to member sockets, and their bytes."""

    __slots__ = ("bytes", "frames")

    def __init__(self) -> None:
        self.frames = 0
        self.bytes = 0


COMMANDS = CommandTally()
APPEND = Latency()
FANOUT = {kind: Sent() for kind in FANOUT_KINDS}


class TallyCollector(Collector):
    """The tallies as Prometheus families; `backend` labels the append latency."""

    def __init__(self, backend: str) -> None:
        self._backend = backend

    def collect(self) -> Iterator[Metric]:
        commands = CounterMetricFamily(
            "workshop_commands",
            "Commands answered, by type and outcome (ok, or the error code replied)",
            labels=["type", "outcome"],
        )
        for (kind, outcome), n in sorted(COMMANDS.counts.items()):
            commands.add_metric([kind, outcome], n)
        yield commands
        append = HistogramMetricFamily(
            "workshop_append_seconds",
            "How long appending a command to its room's log took",
            labels=["backend"],
        )
        append.add_metric([self._backend], APPEND.buckets(), APPEND.total)
        yield append
        frames = CounterMetricFamily(
            "workshop_fanout_frames",
            "Frames handed to member sockets (one per recipient), by what they carried",
            labels=["kind"],
        )
        sizes = CounterMetricFamily(
            "workshop_fanout_bytes",
            "Bytes of the frames handed to member sockets (frame length x recipients)",
            labels=["kind"],
        )
        for kind, sent in FANOUT.items():
            frames.add_metric([kind], sent.frames)
            sizes.add_metric([kind], sent.bytes)
        yield frames
        yield sizes


__all__ = ["APPEND", "COMMANDS", "FANOUT", "CommandTally", "Latency", "Sent", "TallyCollector"]
