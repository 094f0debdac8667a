"""`GET /metrics` under `workshop serve --workers N` (issue 16): the workers' figures merged.

The N uvicorn workers share one port, so a scrape reaches whichever accepts it, and most
of what it reports is read from that worker's live state (sockets, rooms, feeds) or kept
in its own memory (the hot path's tallies, `server/tallies.py`). prometheus-client's
multiprocess mode cannot see either: it shares only its own Counter/Histogram/Gauge
values, through memory-mapped files, and each of its increments costs 0.8-1.6 us where
the tallies cost 0.03 us (docs/performance.md). So each worker shares what it would answer:

- every `SHARE_EVERY` seconds, at each scrape it answers, and when it stops, a worker
  writes its own exposition (prometheus-client's text) to `<folder>/<pid>-<id>.prom`,
  atomically (a temporary file, then a rename);
- the worker that answers a scrape parses every file (prometheus-client's parser) and
  answers the sum: per series, the values of every live worker added up, since every
  `workshop_*` figure is a count or a total (connections, members, frames...). The
  process's own series (`process_*`, `python_*`) are not added: each worker's are kept,
  labelled `worker="<pid>"`. `*_created` takes the earliest;
- a worker that is gone (its pid no longer runs) keeps its counters and histograms in
  the sum, as they were at its last write, so a worker's death does not read as a counter
  reset; its gauges and process series are dropped. `workshop_workers_merged` says how
  many live workers the answer covers, and `workshop_worker_connections_open` each live
  worker's open connections (labelled `worker`), so an uneven spread shows.

Figures of the other workers are at most `SHARE_EVERY` seconds old; a worker killed with
-9 loses what it counted since its last write. The supervisor makes the folder (unless
`--metrics-dir` names one) and empties it at start, so a new run adds no old counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector

SHARE_EVERY = 1.0  # seconds between two writes of a worker's figures
SUFFIX = ".prom"
PER_WORKER = ("process_", "python_")  # a process's own series: labelled, never added up
KEPT_WHEN_GONE = frozenset({"counter", "histogram", "summary"})


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process by now: not our worker
        return False
    return True


def clear(folder: Path) -> None:
    """Remove what workers of an earlier run left (the supervisor, at start)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"*{SUFFIX}*"):
        with contextlib.suppress(FileNotFoundError):
            old.unlink()


class WorkerShare:
    """One worker's side: write its figures, and merge everyone's for a scrape."""

    def __init__(self, folder: Path, registry: CollectorRegistry) -> None:
        self.folder = folder
        self.registry = registry
        self.pid = os.getpid()
        self.path = folder / f"{self.pid}-{secrets.token_hex(4)}{SUFFIX}"
        self._task: asyncio.Task[None] | None = None

    def write(self) -> bytes:
        """This worker's figures now, also left in its file for the others."""
        text = generate_latest(self.registry)
        scratch = self.path.with_name(self.path.name + ".tmp")
        scratch.write_bytes(text)
        os.replace(scratch, self.path)
        return text

    def start(self) -> None:
        self.write()
        self._task = asyncio.get_running_loop().create_task(self._keep_writing())

    async def _keep_writing(self) -> None:
        while True:
            await asyncio.sleep(SHARE_EVERY)
            try:
                self.write()
            except OSError:  # a full disk or a removed folder: the next round tries again
                continue

    def stop(self) -> None:
        """The last write: a stopped worker's counters stay in the others' answers."""
        if self._task is not None:
            self._task.cancel()
        with contextlib.suppress(OSError):
            self.write()

    def merged(self) -> bytes:
        """The answer to a scrape: every worker's figures, merged (see the module doc)."""
        texts: list[tuple[str, str, bool]] = [
            (str(self.pid), self.write().decode(), True)
        ]  # fmt: skip
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            if path == self.path:
                continue
            pid = path.name.split("-", 1)[0]
            try:
                text = path.read_text()
            except FileNotFoundError:
                continue
            texts.append((pid, text, pid.isdigit() and alive(int(pid))))
        registry = CollectorRegistry(auto_describe=False)
        registry.register(Merged(texts))
        return generate_latest(registry)


class Merged(Collector):
    """Families parsed from each worker's text `(pid, text, alive)`, added up."""

    def __init__(self, texts: list[tuple[str, str, bool]]) -> None:
        self._texts = texts

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        values: dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]] = {}
        spread = GaugeMetricFamily(
            "workshop_worker_connections_open",
            "Open WebSocket connections of each live worker process",
            labels=["worker"],
        )
        for pid, text, running in self._texts:
            for family in text_string_to_metric_families(text):
                if running and family.name == "workshop_connections_open":
                    spread.add_metric([pid], sum(s.value for s in family.samples))
                own = family.name.startswith(PER_WORKER)
                if not running and (own or family.type not in KEPT_WHEN_GONE):
                    continue
                merged = families.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                series = values.setdefault(merged.name, {})
                for sample in family.samples:
                    labels = {**sample.labels, "worker": pid} if own else sample.labels
                    key = (sample.name, tuple(labels.items()))
                    if key not in series:
                        series[key] = sample.value
                    elif sample.name.endswith("_created"):
                        series[key] = min(series[key], sample.value)
                    else:
                        series[key] += sample.value
        for name, family in families.items():
            for (sample_name, pairs), value in values[name].items():
                family.add_sample(sample_name, dict(pairs), value)
            yield family
        yield spread
        yield GaugeMetricFamily(
            "workshop_workers_merged",
            "Live worker processes whose figures this answer adds up (--workers N)",
            value=sum(1 for _, _, running in self._texts if running),
        )


__all__ = ["SHARE_EVERY", "WorkerShare", "clear"]
