"""The fan-out loop's own cost, without sockets (docs/performance.md, "Before/after the
hot-path counters"): `encode_for_audiences` to members whose `send` does nothing, and what
each way of counting costs.

    .venv/bin/python -m bench.fanout_loop [--members 1000] [--repeat 15]

To compare two checkouts, run this file from each in turn (`PYTHONPATH=. .venv/bin/python
/path/to/bench/fanout_loop.py`): the loop is timed against the checkout's own server code;
the counters' costs only where `server/tallies.py` exists.
"""

from __future__ import annotations

import argparse
import timeit

from prometheus_client import CollectorRegistry, Counter, Histogram

from server.live.fanout import encode_for_audiences
from server.rooms.outcome import EVERYONE, Viewer, event, only


class Sink:
    """A member that takes every frame and does nothing with it."""

    __slots__ = ()

    def send(self, frame: bytes) -> None:
        pass


def best(stmt: object, number: int, repeat: int) -> float:
    """Seconds per call, the best of `repeat` rounds of `number` calls."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout_loop")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    members = {Sink(): Viewer(f"p{i}") for i in range(args.members)}
    everyone = event("question.voted", (EVERYONE, {"qid": "q1", "votes": 12}))
    mine = event(
        "question.asked",
        (only("p7"), {"qid": "q2", "text": "Where is the shelter?", "mine": True}),
        (EVERYONE, {"qid": "q2", "text": "Where is the shelter?"}),
    )
    for name, ev in (("a frame for everyone", everyone), ("an author's own copy", mine)):
        took = best(lambda ev=ev: encode_for_audiences(members, 5, 1.0, ev), 2000, args.repeat)
        print(f"broadcast to {args.members:,}, {name}: {took * 1e6:.1f} us")

    try:
        from server.tallies import APPEND, COMMANDS, FANOUT
    except ImportError:  # a checkout from before the counters
        return
    registry = CollectorRegistry()
    counter = Counter("bench_counter", "", registry=registry)
    histogram = Histogram("bench_histogram", "", registry=registry)
    sent = FANOUT["event"]

    def per_broadcast() -> None:
        sent.frames += 1000
        sent.bytes += 1000 * 120

    ways = (
        ("prometheus-client Counter.inc()", counter.inc),
        ("prometheus-client Histogram.observe()", lambda: histogram.observe(0.003)),
        ("the fan-out's two adds per broadcast", per_broadcast),
        ("tallies Latency.observe()", lambda: APPEND.observe(0.003)),
        ("tallies CommandTally.count()", lambda: COMMANDS.count("ask", "ok")),
    )
    for name, call in ways:
        print(f"{name}: {best(call, 200_000, 5) * 1e9:.0f} ns")


if __name__ == "__main__":
    main()
