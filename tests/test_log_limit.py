"""server/log_limit.py: each event name writes its burst, then its rate; what is held
back is counted and summed up in one line per name; other lines pass untouched."""

from __future__ import annotations

import asyncio
import logging

from server.log_limit import LineBudget, StateLines, summarise, summarise_every


class Kept(logging.Handler):
    """The records a logger wrote, after its filters."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def logger_with(budget: LineBudget) -> tuple[logging.Logger, Kept]:
    kept = Kept()
    kept.addFilter(StateLines(budget))
    out = logging.getLogger(f"tests.log_limit.{id(budget)}")
    out.propagate = False
    out.setLevel(logging.INFO)
    out.addHandler(kept)
    return out, kept


def test_a_name_gets_its_burst_then_its_rate() -> None:
    budget = LineBudget(rate=2.0, burst=3)
    assert [budget.admit("key.refused", now=100.0) for _ in range(5)] == [1, 1, 1, 0, 0]
    assert budget.admit("key.refused", now=100.5)  # one token in half a second at 2/s
    assert not budget.admit("key.refused", now=100.5)
    assert budget.admit("redis.down", now=100.5)  # another name has a bucket of its own
    assert budget.take_held() == {"key.refused": 3}
    assert budget.take_held() == {}  # counted once


def test_the_filter_holds_back_state_lines_only_and_summarises_them() -> None:
    budget = LineBudget(rate=1e-9, burst=2)  # no token comes back during the test
    out, kept = logger_with(budget)
    for _ in range(1000):
        out.info("a staff key was refused", extra={"event": "key.refused"})
        out.info("a line that is not a state change")
    refused = [r for r in kept.records if getattr(r, "event", None) == "key.refused"]
    assert len(refused) == 2
    assert len(kept.records) == 1002

    assert summarise(budget, out) == 1
    summary = kept.records[-1]
    assert summary.getMessage() == "998 similar lines suppressed"
    assert summary.__dict__["event"] == "key.refused" and summary.__dict__["suppressed"] == 998
    assert summarise(budget, out) == 0  # nothing held back since


def test_many_names_share_one_bucket_past_the_cap() -> None:
    budget = LineBudget(rate=1e-9, burst=1)
    admitted = sum(budget.admit(f"made.up.{i}", now=1.0) for i in range(10_000))
    assert admitted <= 257  # 256 names, then one shared "other"
    assert sum(budget.take_held().values()) == 10_000 - admitted


async def test_summaries_run_until_cancelled_and_once_more() -> None:
    written: list[int] = []
    three = asyncio.Event()

    def write() -> None:
        written.append(1)
        if len(written) == 3:
            three.set()

    task = asyncio.create_task(summarise_every(0.001, write))
    await three.wait()
    before = len(written)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(written) == before + 1  # the last summary, as the server stops
