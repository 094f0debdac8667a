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
- The records go to the backend's `RoomLog.import_log` (embedded or Redis alike), which
  keeps each record's seq and `ts`, all or nothing, into an empty room only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from server.backends.base import Record
from server.rooms import RoomState, apply

from .json_log import TranscriptError


@dataclass(slots=True)
class Rebuilt:
    """What a rebuild saw: records, refusals, and seqs whose outcome differs from the file."""

    room: str
    records: int = 0
    refused: int = 0
    mismatches: int = 0
    mismatched: list[int] = field(default_factory=list)  # the first 20 of them


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
