"""Rate limits: token buckets per participant, per connection and per client address."""

from __future__ import annotations

import functools
import ipaddress
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from server.settings import Settings

ADDRESSES = 10_000
"""Client addresses each per-address limit keeps buckets for, at most (least recently
used forgotten first): about 240 bytes each, so a flood of addresses stays under 3 MB
a limit."""


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


class Buckets:
    """Token buckets by key (a client address), bounded in memory.

    A bucket idle for `burst / rate` seconds is full again, the same as a new one, so it
    is forgotten; and past `capacity` keys the least recently used is forgotten first.
    The dict is kept in order of last use, which is also the order of the buckets'
    stamps, so expiring is a walk from the front that stops at the first live bucket.
    A `rate` or `burst` of 0 turns the limit off: every take succeeds, nothing is kept.
    """

    __slots__ = ("_buckets", "_refill", "burst", "capacity", "rate")

    def __init__(self, rate: float, burst: int, capacity: int = ADDRESSES) -> None:
        self.rate = rate
        self.burst = burst
        self.capacity = capacity
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._refill = burst / rate if self.on else 0.0  # seconds from empty to full

    @property
    def on(self) -> bool:
        return self.rate > 0 and self.burst > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def __contains__(self, key: object) -> bool:
        return key in self._buckets

    def take(self, key: str, now: float | None = None) -> float:
        """Take one token from `key`'s bucket: 0 on success, else the seconds to wait."""
        if not self.on:
            return 0.0
        now = time.monotonic() if now is None else now
        buckets = self._buckets
        while buckets:  # forget the buckets that are full again, oldest first
            oldest = next(iter(buckets.values()))
            if now - oldest.stamp < self._refill:
                break
            buckets.popitem(last=False)
        bucket = buckets.get(key)
        if bucket is None:
            if len(buckets) >= self.capacity:
                buckets.popitem(last=False)
            bucket = buckets[key] = Bucket(self.rate, self.burst, stamp=now)
        else:
            buckets.move_to_end(key)
        return bucket.take(now)


class AddressLimits:
    """What one client address may do across all its identities, on this process.

    Per-participant buckets are keyed by pid, and a pid costs nothing: one address asked
    2,110 questions in 10 s over 422 connections, each with a new identity (issue 12,
    item 7). These meter the minting of identities and the asks and votes of all of an
    address's identities together. The defaults leave room for a venue behind one NAT.
    """

    __slots__ = ("asks", "identities", "votes")

    def __init__(self, settings: Settings, capacity: int = ADDRESSES) -> None:
        s = settings
        self.identities = Buckets(s.ip_identity_rate, s.ip_identity_burst, capacity)
        self.asks = Buckets(s.ip_ask_rate, s.ip_ask_burst, capacity)
        self.votes = Buckets(s.ip_vote_rate, s.ip_vote_burst, capacity)

    def new_identity(self, ip: str) -> float:
        """Take a token for minting one identity from `ip`: 0, or the seconds to wait."""
        return self.identities.take(address_key(ip))

    def command(self, t: str, ip: str) -> float:
        """Take a token for a command of type `t` from `ip` (asks, and question and poll
        votes; other types are not metered per address): 0, or the seconds to wait."""
        if t == "ask":
            return self.asks.take(address_key(ip))
        if t in ("vote", "poll.vote"):
            return self.votes.take(address_key(ip))
        return 0.0


@functools.lru_cache(maxsize=4096)
def address_key(ip: str) -> str:
    """The key a client address is limited by: an IPv4 address itself, an IPv6 address
    by its /64 (one home, venue or host network: whoever holds a /64 has 2^64 addresses
    to rotate through). An IPv4-mapped IPv6 address is its IPv4 address; anything that
    is not an address (no peer address, a Unix socket) is kept as it is."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
