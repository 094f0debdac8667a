"""The sizes of the peak scenarios of issue 17, full and `--quick` (bench/context.py)."""

from __future__ import annotations

from typing import Any

KINDS = ["ask", "vote", "poll.vote", "edit", "notes.update"]
PEAKS_FULL: dict[str, dict[str, Any]] = {
    "poll": {"members": 1000, "window_ms": 1000, "change_share": 0.1, "settle_ms": 10_000},
    "storm": {"members": 5000, "rooms": 10, "rate_per_room": 5, "steady_ms": 2000,
              "rounds": ["graceful", "kill"]},
    "notes": {"writers": [100, 300, 500, 1000], "rate": 1, "seconds": 10, "warmup_seconds": 2},
    "rooms": {"rooms": 100, "members": 50, "rate": 5, "seconds": 10, "warmup_seconds": 2},
    "commands": {"kinds": KINDS, "connections": 20, "window": 16, "seconds": 5,
                 "warmup_seconds": 1, "profile": True},
}  # fmt: skip
PEAKS_QUICK: dict[str, dict[str, Any]] = {
    "poll": {"members": 100, "window_ms": 1000, "change_share": 0.1, "settle_ms": 10_000},
    "storm": {"members": 200, "rooms": 4, "rate_per_room": 5, "steady_ms": 1000,
              "rounds": ["graceful", "kill"]},
    "notes": {"writers": [10, 30], "rate": 1, "seconds": 2, "warmup_seconds": 1},
    "rooms": {"rooms": 10, "members": 10, "rate": 5, "seconds": 2, "warmup_seconds": 1},
    "commands": {"kinds": KINDS, "connections": 10, "window": 8, "seconds": 1,
                 "warmup_seconds": 1, "profile": False},
}  # fmt: skip
