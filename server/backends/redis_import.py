"""Importing a whole log into an empty Redis room log (`RoomLog.import_log`), all or nothing.

A log can be far larger than one script call should carry, so the records are first
XADDed, a pipeline of `IMPORT_BATCH` at a time, to a staging stream of the room (under
the room's hash tag, so a Redis Cluster keeps it on the room's shard). The staging
stream expires `STAGING_TTL_MS` after its last batch, so an import that dies halfway
leaves nothing behind for long, and nobody reads it. Then one script,
`lua/import.lua`, checks the log is still empty, renames the staging stream into the
log, sets the counter and the dedupe keys, and publishes the last record: every reader
sees the whole log or none of it.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from .base import BackendUnavailable, LogNotEmpty, Position, Record, checked_import
from .redis_keys import RoomKeys, encode_body, redis_errors, text

__all__ = ["IMPORT_BATCH", "STAGING_TTL_MS", "Staged", "commit", "discard", "stage"]

IMPORT_BATCH = 1000  # records per pipeline
STAGING_TTL_MS = 3_600_000  # an abandoned staging stream is gone an hour after its last batch


@dataclass(slots=True)
class Staged:
    """A staging stream holding records 1..n, and the dedupe keys they bring."""

    key: str
    count: int = 0
    dedupe_keys: list[str] = field(default_factory=list)
    dedupe_args: list[Any] = field(default_factory=list)  # per key: seq, ts in ms

    def script_call(self, keys: RoomKeys, dedupe_ttl_ms: int) -> tuple[list[str], list[Any]]:
        """KEYS and ARGV of `lua/import.lua` for this staging stream."""
        names = [keys.seq, keys.epoch, keys.log, self.key, *self.dedupe_keys]
        return names, [self.count, dedupe_ttl_ms, keys.channel, *self.dedupe_args]


async def stage(
    redis: Redis, keys: RoomKeys, records: Iterable[Record], dedupe_ttl: float
) -> Staged:
    """XADD the records (checked: seq 1..n) to a new staging stream of the room.

    On any error (a bad record, the iterable's own, Redis's as BackendUnavailable) the
    staging stream is deleted, best effort, and the error raised."""
    staged = Staged(keys.staging(secrets.token_hex(8)))
    oldest = time.time() - dedupe_ttl
    batch: list[Record] = []
    try:
        for record in checked_import(records):
            batch.append(record)
            pid = record.actor.get("pid") if record.actor is not None else None
            if pid is not None and record.cid is not None and record.ts >= oldest:
                staged.dedupe_keys.append(keys.dedupe(str(pid), record.cid))
                staged.dedupe_args += [record.seq, int(record.ts * 1000)]
            if len(batch) >= IMPORT_BATCH:
                await _add(redis, staged, batch)
                batch = []
        if batch:
            await _add(redis, staged, batch)
    except BaseException:
        await discard(redis, staged)
        raise
    return staged


RunScript = Callable[[str, list[str], list[Any]], Awaitable[Any]]


async def commit(
    redis: Redis,
    run_script: RunScript,
    ensure_log: Callable[[], Awaitable[Any]],
    keys: RoomKeys,
    staged: Staged,
    dedupe_ttl_ms: int,
) -> Position:
    """Make the staging stream the room's log (`lua/import.lua`), then drop whatever is
    left of it. A log found gone is made again by `ensure_log` (a new life) and the
    script run once more; LogNotEmpty if records were appended meanwhile."""
    try:
        names, args = staged.script_call(keys, dedupe_ttl_ms)
        for _ in range(2):
            reply = await run_script("import", names, args)
            if reply == -1:
                await ensure_log()
                continue
            if reply == -2:
                raise LogNotEmpty(f"room {keys.code} had records appended during the import")
            if reply == -3:
                raise BackendUnavailable(f"room {keys.code}: the staged import was lost; retry")
            return Position(int(reply[0]), text(reply[1]))
        raise BackendUnavailable(f"room {keys.code}: its log could not be made")
    finally:
        await discard(redis, staged)


async def discard(redis: Redis, staged: Staged) -> None:
    """Delete the staging stream if it is still there (after a commit it is the log)."""
    with contextlib.suppress(Exception):  # it expires anyway
        await redis.delete(staged.key)


async def _add(redis: Redis, staged: Staged, batch: list[Record]) -> None:
    # Bodies are encoded before anything is sent: a TypeError sends nothing of the batch.
    entries = [
        (f"{r.seq}-0", repr(float(r.ts)), encode_body(r.type, r.data, r.actor, r.cid))
        for r in batch
    ]
    with redis_errors("import"):
        pipe = redis.pipeline(transaction=False)
        for entry_id, ts, body in entries:
            pipe.xadd(staged.key, {"t": ts, "r": body}, id=entry_id)
        pipe.pexpire(staged.key, STAGING_TTL_MS)
        await pipe.execute()
    staged.count += len(batch)
