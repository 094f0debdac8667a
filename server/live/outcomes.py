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

Each reply is packed once, by the first snapshot that carries it, and later snapshots
join the packed bytes: they used to build and pack 10,000 lists every 500 events, 15-22 %
of the server's CPU under votes (bench/command_split.py; docs/performance.md, "Command
cost"). Packing at fold time instead cost every command a `packb`, snapshot or not.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

import msgpack

from protocol.codes import ErrorCode
from server.rooms.outcome import Outcome

OUTCOME_MEMORY = 10_000  # replies remembered per room for retried (pid, cid) pairs


class RecentOutcomes:
    """The replies of the last `limit` folded seqs, and who waits for the next ones."""

    def __init__(self, limit: int = OUTCOME_MEMORY) -> None:
        self._limit = limit
        self._by_seq: OrderedDict[int, Outcome] = OrderedDict()
        self._packed: dict[int, bytes] = {}  # seq -> `[seq, code, msg, result]`, once dumped
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
            fut.set_result(self.get(seq))
        else:
            self._waiters.setdefault(seq, []).append(fut)
        return fut

    def __len__(self) -> int:
        return len(self._by_seq)

    def get(self, seq: int) -> Outcome | None:
        return self._by_seq.get(seq)

    def remember(self, seq: int, outcome: Outcome) -> None:
        """The outcome of a folded seq: kept, and handed to whoever waits for it."""
        self._keep(seq, outcome)
        waiters = self._waiters.pop(seq, None)
        if waiters:
            for fut in waiters:
                if not fut.done():
                    fut.set_result(outcome)

    def _keep(self, seq: int, outcome: Outcome) -> None:
        self._by_seq[seq] = outcome
        self._packed.pop(seq, None)  # a refold's outcome replaces the packed one
        if len(self._by_seq) > self._limit:
            gone, _ = self._by_seq.popitem(last=False)
            self._packed.pop(gone, None)

    def clear(self) -> None:
        """Forget the replies (a lost log life); senders waiting keep waiting for the
        seqs of the new life."""
        self._by_seq.clear()
        self._packed.clear()

    def dump(self) -> bytes:
        """For a snapshot: `[seq, code, msg, result]` per seq, oldest first, as a stream
        of msgpack values. Only the reply is kept; the event went out when the record was
        folded."""
        packed = self._packed
        parts = []
        for seq, o in self._by_seq.items():
            part = packed.get(seq)
            if part is None:
                code = None if o.code is None else str(o.code)
                part = packed[seq] = msgpack.packb([seq, code, o.msg, o.result], use_bin_type=True)
            parts.append(part)
        return b"".join(parts)

    def load(self, dumped: bytes | list[list[Any]]) -> None:
        """Refill from a snapshot's `dump()` (before the log's tail is folded); a list is
        a snapshot saved before the replies were packed one by one."""
        self.clear()
        entries: list[Any]
        if isinstance(dumped, bytes):
            unpacker = msgpack.Unpacker(raw=False, strict_map_key=True)
            unpacker.feed(dumped)
            entries = list(unpacker)
        else:
            entries = list(dumped)
        for seq, code, msg, result in entries[-self._limit :]:
            if code is None:
                outcome = Outcome(result=dict(result))
            else:
                outcome = Outcome(code=ErrorCode(code), msg=str(msg))
            self._keep(int(seq), outcome)
