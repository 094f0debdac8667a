"""What every scenario gets: sizes (full or quick), pinning, a scratch folder, the machine."""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.peak_sizes import PEAKS_FULL, PEAKS_QUICK
from bench.procs import Pinning

FULL: dict[str, dict[str, Any]] = {
    "fanout": {"subscribers": 1000, "seconds": 10, "window": 20, "repeat": 3},
    "latency": {"subscribers": 1000, "rate": 20, "seconds": 30, "warmup_seconds": 2},
    "memory": {"connections": 5000, "concurrency": 64},
    "history": {"events": [1_000, 10_000, 100_000], "samples": 20, "resume": 1000},
    "append": {"publishers": 4, "window": 64, "seconds": 10, "backend_appends": 20_000},
    "export": {"events": 100_000, "formats": "json,csv,md,html,docx"},
    **PEAKS_FULL,
}
QUICK: dict[str, dict[str, Any]] = {
    "fanout": {"subscribers": 100, "seconds": 2, "window": 20, "repeat": 1},
    "latency": {"subscribers": 100, "rate": 20, "seconds": 2, "warmup_seconds": 0},
    "memory": {"connections": 200, "concurrency": 64},
    "history": {"events": [2_000], "samples": 5, "resume": 1000},
    "append": {"publishers": 2, "window": 32, "seconds": 2, "backend_appends": 2_000},
    "export": {"events": 2_000, "formats": "json,md"},
    **PEAKS_QUICK,
}


@dataclass
class Context:
    quick: bool
    pin: Pinning
    workers: int
    scratch: Path
    machine: dict[str, Any]
    overrides: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def sizes(self, scenario: str) -> dict[str, Any]:
        sizes = dict((QUICK if self.quick else FULL)[scenario])
        for key, value in self.overrides.items():
            if key in sizes and value is not None:
                sizes[key] = value
        return sizes

    def folder(self, name: str) -> Path:
        path = self.scratch / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def loadgen(self, **config: Any) -> dict[str, Any]:
        """A load generator config with this run's worker count."""
        return {"workers": self.workers, **config}


def redis_available() -> str:
    """'' when the Redis backend can run here, else why not."""
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    if importlib.util.find_spec("server.backends.redis") is None:
        return "the Redis backend (server/backends/redis.py) is not there yet"
    return ""
