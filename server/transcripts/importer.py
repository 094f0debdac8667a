"""`workshop import`: a JSON transcript back into a room's log, so the room folds to the
same state it had (every field of what staff see; `tests/transcripts/test_round_trip.py`).

- Entries must be seq 1..N with no gap, and the target room must be empty.
- An entry with a `pseudonym` instead of an actor (an anonymous act or a ballot, see
  `privacy`) gets `{pid: pseudonym, name: "", org: "", roles, pseudonymous: true}`. The
  pseudonyms keep one person's acts together, which is all the fold needs. The only role
  that could matter is a moderator asking anonymously in a premoderated room (their
  question skips review), and that is read back from the recorded outcome.
- The importer folds as it goes and compares each outcome with the recorded one, so a
  transcript that would not rebuild the same room is reported.
- Timestamps: the log is written with its own `ts` when the backend can (a backend
  method `import_records(room, records)`, or the embedded SQLite file written directly),
  else re-appended through `Backend.append`, which stamps the time of the import.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.backends import sqlite_store as store
from server.backends.base import Backend, Record
from server.rooms import RoomState, apply

from .json_log import TranscriptError

IMPORT_BATCH = 1000  # rows per insert


@dataclass(slots=True)
class Rebuilt:
    """What a rebuild saw: records, refusals, and seqs whose outcome differs from the file."""

    room: str
    records: int = 0
    refused: int = 0
    mismatches: int = 0
    mismatched: list[int] = field(default_factory=list)  # the first 20 of them
    timestamps: str = "kept"  # or "restamped" (appended through the generic interface)


def _actor(item: dict[str, Any], state: RoomState) -> dict[str, Any] | None:
    actor = item.get("actor")
    if actor is not None:
        if not isinstance(actor, dict):
            raise TranscriptError(f"seq {item['seq']}: actor must be an object")
        return actor
    pseudonym = item.get("pseudonym")
    if not isinstance(pseudonym, str) or not pseudonym:
        return None
    roles: list[str] = []
    outcome = item.get("outcome") or {}
    result = outcome.get("result") or {}
    if (
        item["type"] == "ask"
        and state.settings.get("premoderation")
        and outcome.get("ok")
        and result.get("status") == "live"
    ):
        roles = ["moderator"]  # a moderator's question skips review
    return {"pid": pseudonym, "name": "", "org": "", "roles": roles, "pseudonymous": True}


def rebuild(entries: Iterable[dict[str, Any]], summary: Rebuilt) -> Iterator[Record]:
    """The log records of a transcript, checked and folded as they pass."""
    state = RoomState()
    expected = 1
    for item in entries:
        seq, ts, type_, data = (item.get(k) for k in ("seq", "ts", "type", "data"))
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise TranscriptError(f"entry {expected}: seq must be an integer")
        if seq != expected:
            raise TranscriptError(f"seq {seq} where {expected} was expected: the log has a gap")
        if not isinstance(ts, int | float) or not isinstance(type_, str):
            raise TranscriptError(f"seq {seq}: ts must be a number and type a string")
        if not isinstance(data, dict):
            raise TranscriptError(f"seq {seq}: data must be an object")
        record = Record(seq, float(ts), type_, data, _actor(item, state), None)
        outcome = apply(state, record)
        recorded = item.get("outcome")
        if isinstance(recorded, dict) and bool(recorded.get("ok")) != outcome.ok:
            summary.mismatches += 1
            if len(summary.mismatched) < 20:
                summary.mismatched.append(seq)
        summary.records += 1
        summary.refused += not outcome.ok
        expected += 1
        yield record


def write_embedded(db: Path, room: str, records: Iterable[Record], synchronous: str) -> int:
    """Write a whole log into an empty room of an embedded data dir, in one transaction,
    keeping each record's seq and ts. Blocking: run it in a thread, with no server
    process writing to that room. Returns the number of records."""
    conn = store.connect(db, synchronous, 10_000)
    try:
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT last_seq FROM rooms WHERE code = ?", (room,)).fetchone()
        if row is None:
            raise TranscriptError(f"room {room} is not in {db}")
        if row[0] != 0 or conn.execute("SELECT 1 FROM log WHERE room = ?", (room,)).fetchone():
            raise TranscriptError(f"room {room} already has a log; import needs an empty room")
        last = 0
        batch: list[tuple[Any, ...]] = []
        for rec in records:
            actor = None if rec.actor is None else store.pack(rec.actor)
            batch.append((room, rec.seq, rec.ts, rec.type, store.pack(rec.data), actor, None))
            last = rec.seq
            if len(batch) >= IMPORT_BATCH:
                conn.executemany("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
                batch.clear()
        conn.executemany("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
        conn.execute("UPDATE rooms SET last_seq = ? WHERE code = ?", (last, room))
        conn.execute("COMMIT")
        return last
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


async def append_all(backend: Backend, room: str, records: Iterable[Record]) -> int:
    """The generic path: re-append every record through the interface, in order (the
    backend stamps new times). Returns the number of records."""
    count = 0
    for rec in records:
        appended = await backend.append(room, rec.type, rec.data, rec.actor, None)
        if appended.seq != rec.seq:
            raise TranscriptError(f"room {room}: seq {rec.seq} was appended as {appended.seq}")
        count += 1
    return count
