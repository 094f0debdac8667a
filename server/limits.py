"""Rate limits: token buckets per participant and per connection."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(slots=True)
class Bucket:
    """A token bucket: `rate` tokens a second, at most `burst` saved up."""

    rate: float
    burst: int
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def take(self, now: float | None = None) -> float:
        """Take one token. Returns 0 on success, else the seconds until one is free."""
        now = time.monotonic() if now is None else now
        if self.tokens < 0:
            self.tokens = float(self.burst)
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass(slots=True)
class FloodWatch:
    """Counts `rate_limited` replies in a sliding window; too many means flooding."""

    limit: int
    window: float = 10.0
    stamps: list[float] = field(default_factory=list)

    def hit(self, now: float | None = None) -> bool:
        """Record one refusal; True when the connection should be closed (4029)."""
        now = time.monotonic() if now is None else now
        self.stamps = [t for t in self.stamps if now - t < self.window]
        self.stamps.append(now)
        return len(self.stamps) > self.limit
