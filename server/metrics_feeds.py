"""More of what `GET /metrics` reads when scraped (issue 16): the loaded rooms' notes
documents, and how the Redis backend's live feeds keep up.

Nothing here is counted on the hot path. The notes' sizes are read from each loaded room
(`NotesDoc.size`, no encoding); the feeds' lag from each tailed room's feed
(`RoomFeed.lag`); the Redis counters come from the backend's `stats` (also exported whole as
`workshop_backend_events`), under names of their own for the ones an operator alerts on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from server.metrics import scraped_histogram

NOTES_BUCKETS = tuple(1024 * 4**i for i in range(8))  # 1 KiB .. 16 MiB
# The backend's `stats` keys that get a family of their own: (key, name, help).
REDIS_COUNTERS = (
    ("gaps", "workshop_redis_feed_gaps",
     "Seqs missing from pub/sub, filled from the stream"),
    ("caught_up", "workshop_redis_feed_records_from_stream",
     "Records a feed read from the stream instead of pub/sub (gaps, reconnects, baselines)"),
    ("pubsub_reconnects", "workshop_redis_pubsub_reconnects",
     "Times the pub/sub connection was made again after it was lost"),
    ("pubsub_errors", "workshop_redis_pubsub_errors",
     "Times the pub/sub connection failed or could not be made"),
    ("garbage", "workshop_redis_garbage_dropped",
     "Messages on a room's channel dropped as undecodable or unauthenticated"),
    ("forged", "workshop_redis_forged_dropped",
     "Of those, records without a valid MAC or with a nonce seen before"),
    ("overflows", "workshop_redis_feed_overflows",
     "Feeds that kept too many messages aside while syncing and read the stream instead"),
)  # fmt: skip


class FeedCollector(Collector):
    """`notes()` gives each loaded room's notes size in bytes; `lags()` each tailed room's
    `(records, seconds)` behind, or None on a backend without feeds (the embedded one
    delivers in-process)."""

    def __init__(
        self,
        notes: Callable[[], Iterable[int]],
        lags: Callable[[], list[tuple[int, float]] | None],
        stats: Callable[[], Counter[str]],
    ) -> None:
        self._notes = notes
        self._lags = lags
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
        yield _notes_histogram(list(self._notes()))
        lags = self._lags()
        if lags is None:
            return
        yield GaugeMetricFamily(
            "workshop_redis_feed_lag_records",
            "Seqs known to be in a room's log and not yet delivered here, the most of any feed",
            value=max((records for records, _ in lags), default=0),
        )
        yield GaugeMetricFamily(
            "workshop_redis_feed_lag_seconds",
            "How long the feed furthest behind has not been live (0: every feed is live)",
            value=max((seconds for _, seconds in lags), default=0.0),
        )
        yield GaugeMetricFamily(
            "workshop_redis_feeds_behind",
            "Rooms' feeds not live now (syncing from the stream, or waiting to resubscribe)",
            value=sum(1 for records, seconds in lags if records or seconds),
        )
        stats = self._stats()
        for key, name, doc in REDIS_COUNTERS:
            yield CounterMetricFamily(name, doc, value=stats[key])


def _notes_histogram(sizes: list[int]) -> HistogramMetricFamily:
    return scraped_histogram(
        "workshop_notes_bytes",
        "The loaded rooms' notes documents, by size in bytes (at scrape time)",
        NOTES_BUCKETS,
        sizes,
    )


__all__ = ["FeedCollector"]
