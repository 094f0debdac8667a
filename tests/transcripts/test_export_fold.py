"""The export's fast paths change nothing (issue 17).

An export reads the log a batch at a time (`Backend.read_batches`), with each small blob
decoded once per read and its value shared by the records of the batch; folds each
batch in a synchronous loop (`SessionRecord.fold`); and writes each JSON line from its
parts (`json_log.line`). On the fold determinism suite's random log (every command,
refused, malformed and unknown records, binary notes updates) this checks that the
records, every outcome (events and audiences included) and the final state are those of
the live fold over the same records decoded one at a time, and that every line is the
text of the general path (`dumps(entry(...))`).
"""

from __future__ import annotations

import time

import pytest

from server.backends import sqlite_store as store
from server.backends.base import EventInfo, Record, RoomInfo
from server.backends.embedded import EmbeddedBackend
from server.rooms import RoomState, apply
from server.transcripts.json_log import dumps, entry, line
from server.transcripts.privacy import Pseudonyms
from server.transcripts.session_record import SessionRecord
from tests.rooms.random_mix import SEEDS, _log, observable

ROOM = "RND-LOG"
BATCH = 97  # not a divisor of the log's length, so the last batch is a short one


async def _room(backend: EmbeddedBackend, seed: int) -> tuple[RoomInfo, EventInfo]:
    room = RoomInfo(ROOM, "Random log", "evrandom0001")
    event = EventInfo(
        "evrandom0001", "Random", ("Asia/Tokyo",), ("en",), (room,), time.time()
    )  # fmt: skip
    await backend.create_event(event)
    log = [Record(r.seq, r.ts, r.type, r.data, r.actor, None) for r in _log(seed)]
    await backend.import_log(ROOM, log)
    return room, event


def _one_at_a_time(seed: int) -> list[Record]:
    """The log as stored, each record decoded on its own (no shared values)."""
    return [
        Record(
            r.seq,
            r.ts,
            r.type,
            store.unpack(store.pack(r.data)),
            None if r.actor is None else store.unpack(store.pack(r.actor)),
            None,
        )
        for r in _log(seed)
    ]


@pytest.mark.parametrize("seed", SEEDS)
async def test_the_export_folds_as_the_live_rooms(backend: EmbeddedBackend, seed: int) -> None:
    room, event = await _room(backend, seed)
    record = SessionRecord(backend, room, event, batch=BATCH)
    steps = [step async for step in record.steps()]

    expected = _one_at_a_time(seed)
    live = RoomState()
    outcomes = [apply(live, rec) for rec in expected]
    assert [step.record for step in steps] == expected
    assert [step.outcome for step in steps] == outcomes
    assert observable(record.state) == observable(live)
    assert record.records == len(expected)
    # ... and the reader did share values: most actors of a batch are one of a few maps.
    shared = {id(step.record.actor) for step in steps[:BATCH] if step.record.actor is not None}
    assert len(shared) < BATCH // 4


@pytest.mark.parametrize("seed", SEEDS)
async def test_a_line_from_its_parts_is_the_general_one(
    backend: EmbeddedBackend, seed: int
) -> None:
    room, event = await _room(backend, seed)
    pseudonyms = Pseudonyms(await backend.get_secret(), ROOM)
    record = SessionRecord(backend, room, event, batch=BATCH)
    lines = 0
    binary = 0
    async for records in record.batches():
        texts: dict[int, str] = {}
        for step in record.fold(records):
            general = dumps(entry(step, pseudonyms))
            assert line(step, pseudonyms, texts) == general
            lines += 1
            binary += '"b64":' in general
    assert lines == len(_log(seed))
    assert binary  # the mix's notes updates took the general path, and still match
