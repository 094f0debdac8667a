"""What `GET /metrics` tells an operator (issue 16; docs/operations.md "Metrics"), in
Prometheus text format from prometheus-client.

Two kinds, so that the hot path pays nothing it need not:

- **read when scraped** (`LiveCollector`): connections, joined members and rooms by size
  class, send-queue depths, staff desks, and the Redis backend's own counters (feed gaps,
  pub/sub reconnects, garbage and forged messages dropped...). Nothing is counted as it
  happens: the collector looks at the hub, the endpoint and the backend when asked.
- **counted as they happen** (`EVENTS`), for what is rare: log lives that start (epoch
  changes), resumes by kind, slow consumers closed (4008), exports and their duration.

Room codes are not a label by default (one series per room would grow without bound);
`--metrics-per-room` adds `workshop_room_members_by_code`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client import (
    Counter as PromCounter,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

EVENTS = CollectorRegistry(auto_describe=True)
EPOCH_CHANGES = PromCounter(
    "workshop_epoch_changes", "Room logs found in a new life (lost and started again)",
    registry=EVENTS,
)  # fmt: skip
RESUMES = PromCounter(
    "workshop_resumes", "Joins by how the member was brought up to date", ["kind"],
    registry=EVENTS,
)  # fmt: skip
SLOW_CLOSES = PromCounter(
    "workshop_slow_consumer_closes", "Sockets closed with 4008 (too far behind)", registry=EVENTS
)
EXPORTS = Histogram(
    "workshop_export_seconds", "Transcript exports and how long they took", ["format"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=EVENTS,
)  # fmt: skip

SIZE_CLASSES = ((10, "1-9"), (100, "10-99"), (1000, "100-999"))
QUEUE_BUCKETS = (0, 1, 4, 16, 64, 256, 1024)


def size_class(members: int) -> str:
    """A room's class by its members here: bounded labels instead of room codes."""
    for bound, name in SIZE_CLASSES:
        if members < bound:
            return name
    return "1000+"


class LiveCollector(Collector):
    """Reads the process's live state at scrape time. `connections()` gives the open
    sockets' `(joined, queued frames)`; `rooms()` each loaded room's `(code, members)`."""

    def __init__(
        self,
        connections: Callable[[], Iterable[tuple[bool, int]]],
        rooms: Callable[[], Iterable[tuple[str, int]]],
        desks: Callable[[], int],
        backend_stats: Callable[[], Counter[str]],
        backend: str,
        per_room: bool = False,
    ) -> None:
        self._connections = connections
        self._rooms = rooms
        self._desks = desks
        self._backend_stats = backend_stats
        self._backend = backend
        self._per_room = per_room

    def collect(self) -> Iterator[Metric]:
        sockets = list(self._connections())
        yield _gauge("workshop_connections_open", "Open WebSocket connections", len(sockets))
        joined = sum(1 for is_joined, _ in sockets if is_joined)
        yield _gauge("workshop_connections_joined", "Connections that joined a room", joined)
        yield _queue_histogram([depth for _, depth in sockets])

        rooms = list(self._rooms())
        yield _gauge("workshop_rooms_loaded", "Rooms hot on this process", len(rooms))
        by_class = GaugeMetricFamily(
            "workshop_room_members", "Members of the rooms of each size class", labels=["size"]
        )
        counts = GaugeMetricFamily(
            "workshop_rooms_by_size", "Loaded rooms of each size class", labels=["size"]
        )
        members: Counter[str] = Counter()
        classes: Counter[str] = Counter()
        for _, n in rooms:
            members[size_class(n)] += n
            classes[size_class(n)] += 1
        for name in [c for _, c in SIZE_CLASSES] + ["1000+"]:
            by_class.add_metric([name], members[name])
            counts.add_metric([name], classes[name])
        yield by_class
        yield counts
        if self._per_room:
            each = GaugeMetricFamily(
                "workshop_room_members_by_code", "Members of each loaded room", labels=["room"]
            )
            for code, n in rooms:
                each.add_metric([code], n)
            yield each

        desks = self._desks()
        yield _gauge("workshop_staff_desks_loaded", "Events whose staff desk is tailed", desks)
        stats = CounterMetricFamily(
            "workshop_backend_events",
            "What the backend's live tail and catalogue did (Redis: gaps, pubsub_reconnects,"
            " garbage, forged, caught_up, ...)",
            labels=["backend", "what"],
        )
        for what, n in sorted(self._backend_stats().items()):
            stats.add_metric([self._backend, what], n)
        yield stats


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _queue_histogram(depths: list[int]) -> HistogramMetricFamily:
    """The open sockets' send-queue depths now, as a histogram (frames queued each)."""
    return scraped_histogram(
        "workshop_send_queue_frames",
        "Frames waiting in each open socket's send queue, at scrape time",
        QUEUE_BUCKETS,
        depths,
    )


def scraped_histogram(
    name: str, doc: str, bounds: Iterable[float], values: list[int]
) -> HistogramMetricFamily:
    """A histogram of values read at scrape time (each bucket counts values <= its bound)."""
    buckets = [(str(bound), float(sum(1 for v in values if v <= bound))) for bound in bounds]
    buckets.append(("+Inf", float(len(values))))
    return HistogramMetricFamily(name, doc, buckets=buckets, sum_value=sum(values))


class Events(Collector):
    """`EVENTS`, inside a per-app registry."""

    def collect(self) -> Iterator[Metric]:
        yield from EVENTS.collect()


def registry_for(live: LiveCollector, *more: Collector) -> CollectorRegistry:
    """One app's registry: its live state, the rare events, `more` (the hot path's tallies,
    `server/tallies.py`; notes and feeds, `server/metrics_feeds.py`), and the process's CPU,
    memory, file descriptors and garbage collection (prometheus-client's defaults)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(live)
    registry.register(Events())
    for collector in more:
        registry.register(collector)
    ProcessCollector(registry=registry)  # each registers itself
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)


__all__ = [
    "EPOCH_CHANGES",
    "EXPORTS",
    "RESUMES",
    "SLOW_CLOSES",
    "LiveCollector",
    "registry_for",
    "render",
    "scraped_histogram",
    "size_class",
]
