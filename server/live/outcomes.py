"""The replies a room remembers and awaits: a sender waits here for its command's
outcome, and a retried `(pid, cid)` gets its first outcome again.

The log's dedupe index turns a retry into the first record's seq; this memory turns that
seq back into the reply its sender got: the same `ok` fields, or the same refusal
(PROTOCOL.md, "Idempotency"). It is bounded (the last `limit` seqs) and it travels with
the room's snapshots, so a process that restarts, or loads the room from a snapshot
taken after the first attempt, still answers a retry as the first time (issue 12: it
answered a bare `duplicate`, and `ok` to a command that had been refused).

Records folded after the snapshot get their outcomes again when the room folds its
log's tail: the fold is deterministic.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from protocol.codes import ErrorCode
from server.rooms.outcome import Outcome

OUTCOME_MEMORY = 10_000  # replies remembered per room for retried (pid, cid) pairs


class RecentOutcomes:
    """The replies of the last `limit` folded seqs, and who waits for the next ones."""

    def __init__(self, limit: int = OUTCOME_MEMORY) -> None:
        self._limit = limit
        self._by_seq: OrderedDict[int, Outcome] = OrderedDict()
        self._waiters: dict[int, list[asyncio.Future[Outcome | None]]] = {}

    @property
    def awaited(self) -> bool:
        """Whether a sender still waits for an outcome."""
        return bool(self._waiters)

    def wait(self, seq: int, folded: bool) -> asyncio.Future[Outcome | None]:
        """The outcome of `seq`: at once if it is `folded` (None if no longer
        remembered), else when `remember` is given it."""
        fut: asyncio.Future[Outcome | None] = asyncio.get_running_loop().create_future()
        if folded:
            fut.set_result(self._by_seq.get(seq))
        else:
            self._waiters.setdefault(seq, []).append(fut)
        return fut

    def __len__(self) -> int:
        return len(self._by_seq)

    def get(self, seq: int) -> Outcome | None:
        return self._by_seq.get(seq)

    def remember(self, seq: int, outcome: Outcome) -> None:
        """The outcome of a folded seq: kept, and handed to whoever waits for it."""
        self._by_seq[seq] = outcome
        if len(self._by_seq) > self._limit:
            self._by_seq.popitem(last=False)
        waiters = self._waiters.pop(seq, None)
        if waiters:
            for fut in waiters:
                if not fut.done():
                    fut.set_result(outcome)

    def clear(self) -> None:
        """Forget the replies (a lost log life); senders waiting keep waiting for the
        seqs of the new life."""
        self._by_seq.clear()

    def dump(self) -> list[list[Any]]:
        """For a snapshot: `[seq, code, msg, result]` per seq, oldest first. Only the
        reply is kept; the event went out when the record was folded."""
        return [
            [seq, None if o.code is None else str(o.code), o.msg, o.result]
            for seq, o in self._by_seq.items()
        ]

    def load(self, dumped: list[list[Any]]) -> None:
        """Refill from a snapshot's `dump()` (before the log's tail is folded)."""
        self._by_seq.clear()
        for seq, code, msg, result in dumped[-self._limit :]:
            if code is None:
                self._by_seq[int(seq)] = Outcome(result=dict(result))
            else:
                self._by_seq[int(seq)] = Outcome(code=ErrorCode(code), msg=str(msg))
