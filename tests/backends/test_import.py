"""Contract: `import_log` — a numbered log into an empty room, all or nothing."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator

import pytest

from server.backends.base import Backend, LogNotEmpty, Position, Record, UnknownRoom

from .support import OTHER, ROOM, Kit, Tail, assert_once_in_order, eventually

ALICE = {"pid": "a1a1a1a1a1a1a1a1", "name": "Alice", "org": "Sendai", "roles": []}
ANON = {"pid": "anon-5597cfdfb6d5", "name": "", "org": "", "roles": [], "pseudonymous": True}


def transcript(n: int, start: float | None = None) -> list[Record]:
    """n records as a transcript holds them: seq 1..n, their own times, some with cids."""
    t0 = time.time() - n if start is None else start
    out = []
    for seq in range(1, n + 1):
        actor = (ALICE, ANON, None)[seq % 3]
        data = {"text": f"質問 {seq}", "blob": bytes([seq % 256]), "nested": {"l": [seq, None]}}
        cid = f"c{seq}" if seq % 2 else None
        out.append(Record(seq, t0 + seq + 0.123456, "ask", data, actor, cid))
    return out


async def test_import_keeps_every_field_and_the_epoch(backend: Backend) -> None:
    before = await backend.head(ROOM)
    records = transcript(30)
    at = await backend.import_log(ROOM, iter(records))
    assert at == Position(30, before.epoch) == await backend.head(ROOM)
    assert await backend.read(ROOM, 1) == records
    assert [r async for r in backend.read_all(ROOM, batch=7)] == records
    assert (await backend.head(OTHER)).seq == 0  # only that room
    appended = await backend.append(ROOM, "ask", {"text": "after"}, ALICE, "new")
    assert appended == Position(31, before.epoch)


async def test_import_survives_reopen(kit: Kit, backend: Backend) -> None:
    records = transcript(12)
    at = await backend.import_log(ROOM, records)
    await backend.close()
    async with kit.open() as again:
        assert await again.head(ROOM) == at
        assert await again.read(ROOM, 1) == records


async def test_imported_pairs_are_deduped_as_if_appended_at_their_time(backend: Backend) -> None:
    now = time.time()
    records = [
        Record(1, now - 10, "ask", {"text": "recent"}, ALICE, "recent"),
        Record(2, now - 3 * backend.dedupe_ttl, "ask", {"text": "old"}, ALICE, "old"),
        Record(3, now - 5, "vote", {"qid": "q1"}, ALICE, "recent"),  # a repeat in the file
    ]
    at = await backend.import_log(ROOM, records)
    assert await backend.append(ROOM, "ask", {"text": "retry"}, ALICE, "recent") == Position(
        1, at.epoch
    )
    expired = await backend.append(ROOM, "ask", {"text": "retry"}, ALICE, "old")
    assert expired == Position(4, at.epoch)  # remembered only until ts + dedupe_ttl
    assert (await backend.head(ROOM)).seq == 4


async def test_an_empty_import_changes_nothing(backend: Backend) -> None:
    before = await backend.head(ROOM)
    assert await backend.import_log(ROOM, []) == before
    assert await backend.read(ROOM, 1) == []


async def test_a_room_with_records_is_refused(backend: Backend) -> None:
    await backend.append(ROOM, "ask", {}, ALICE, None)
    with pytest.raises(LogNotEmpty):
        await backend.import_log(ROOM, transcript(3))
    assert [r.seq for r in await backend.read(ROOM, 1)] == [1]
    with pytest.raises(LogNotEmpty):  # twice is not once more
        await backend.import_log(ROOM, [])
    await backend.import_log(OTHER, transcript(3))
    with pytest.raises(LogNotEmpty):
        await backend.import_log(OTHER, transcript(3))
    assert (await backend.head(OTHER)).seq == 3


async def test_unknown_room(backend: Backend) -> None:
    with pytest.raises(UnknownRoom):
        await backend.import_log("NOPE", transcript(2))


@pytest.mark.parametrize(
    "seqs",
    [[2, 3], [1, 3], [1, 2, 2], [1, 2, 4, 5], [0, 1]],
    ids=["not-from-1", "gap", "repeat", "late-gap", "zero"],
)
async def test_seqs_must_be_one_to_n(backend: Backend, seqs: list[int]) -> None:
    records = [Record(s, 1.0 + s, "ask", {}, None, None) for s in seqs]
    with pytest.raises(ValueError):
        await backend.import_log(ROOM, records)
    assert (await backend.head(ROOM)).seq == 0 and await backend.read(ROOM, 1) == []
    assert (await backend.import_log(ROOM, transcript(2))).seq == 2  # still empty


async def test_bad_records_write_nothing(backend: Backend) -> None:
    no_time = [*transcript(2), Record(3, math.nan, "ask", {}, None, None)]
    with pytest.raises(ValueError):
        await backend.import_log(ROOM, no_time)
    unencodable = [*transcript(2), Record(3, 3.0, "ask", {"x": object()}, None, None)]
    with pytest.raises(TypeError):
        await backend.import_log(ROOM, unencodable)

    def broken() -> Iterator[Record]:
        yield from transcript(1500)  # more than one batch of any backend's
        raise RuntimeError("the transcript file is cut")

    with pytest.raises(RuntimeError, match="cut"):
        await backend.import_log(ROOM, broken())
    assert (await backend.head(ROOM)).seq == 0 and await backend.read(ROOM, 1) == []


async def test_a_big_import(backend: Backend) -> None:
    records = transcript(2500)
    assert (await backend.import_log(ROOM, (r for r in records))).seq == 2500
    assert [r async for r in backend.read_all(ROOM)] == records


async def test_an_append_racing_an_import_is_all_or_nothing(backend: Backend) -> None:
    """An append that lands while the import runs: either the import wins whole and the
    append follows it, or the import writes nothing (LogNotEmpty)."""
    loop = asyncio.get_running_loop()
    racing: list[asyncio.Task[Position]] = []

    def records() -> Iterator[Record]:
        for record in transcript(2500):
            if record.seq == 1200:  # runs at the import's next await
                racing.append(loop.create_task(backend.append(ROOM, "ask", {}, ALICE, "race")))
            yield record

    try:
        imported: Position | None = await backend.import_log(ROOM, records())
    except LogNotEmpty:
        imported = None
    appended = await racing[0]
    log = [r async for r in backend.read_all(ROOM)]
    if imported is None:
        assert appended.seq == 1 and [r.cid for r in log] == ["race"]
    else:
        assert imported.seq == 2500 and appended.seq == 2501
        assert [r.seq for r in log] == list(range(1, 2502)) and log[-1].cid == "race"


async def test_subscribers_are_handed_the_imported_log(backend: Backend) -> None:
    tail = Tail()
    backend.subscribe(ROOM, tail)
    await backend.head(ROOM)  # registered before: everything past 0 comes
    records = transcript(40)
    at = await backend.import_log(ROOM, records)
    await backend.append(ROOM, "ask", {"text": "after"}, ALICE, None)
    await eventually(lambda: len(tail.got) >= 41)
    await asyncio.sleep(0.05)  # anything extra would show now
    assert_once_in_order(tail, first=1, last=41)
    assert [r for r, _ in tail.got][:40] == records
    assert {epoch for _, epoch in tail.got} == {at.epoch}


async def test_a_one_record_import_is_handed_out_too(backend: Backend) -> None:
    tail = Tail()
    backend.subscribe(ROOM, tail)
    await backend.head(ROOM)
    [record] = transcript(1)
    await backend.import_log(ROOM, [record])
    await eventually(lambda: len(tail.got) == 1)
    assert tail.got[0][0] == record
