"""Contract: the room log — order, durability, dedupe, reads."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from server.backends.base import Backend, BackendUnavailable, Position, Record, UnknownRoom

from .support import OTHER, ROOM, Kit, eventually

ALICE = {"pid": "a1a1a1a1a1a1a1a1", "name": "Alice", "org": "Sendai", "roles": []}
BOLD = {"pid": "b2b2b2b2b2b2b2b2", "name": "Bold", "org": "Ulaanbaatar", "roles": ["moderator"]}


async def fill(backend: Backend, n: int, room: str = ROOM) -> None:
    for i in range(n):
        await backend.append(room, "ask", {"text": f"q{i + 1}"}, ALICE, None)


async def test_seqs_are_gapless_from_one_under_concurrency(backend: Backend) -> None:
    rooms = [ROOM if i % 2 else OTHER for i in range(200)]
    results = await asyncio.gather(
        *(backend.append(room, "ask", {"i": i}, ALICE, f"c{i}") for i, room in enumerate(rooms))
    )
    for room in (ROOM, OTHER):
        seqs = sorted(r.seq for r, rm in zip(results, rooms, strict=True) if rm == room)
        assert seqs == list(range(1, 101))
        records = await backend.read(room, 1)
        assert [r.seq for r in records] == list(range(1, 101))
        assert (await backend.head(room)).seq == 100
    assert len({(r.seq, r.epoch) for r in results}) == 200
    by_i = {r.data["i"]: r.seq for room in (ROOM, OTHER) for r in await backend.read(room, 1)}
    assert all(by_i[i] == results[i].seq for i in range(200))


async def test_append_sets_fields(backend: Backend) -> None:
    before = time.time()
    appended = await backend.append(ROOM, "ask", {"text": "How do sirens reach?"}, ALICE, "c1")
    after = time.time()
    head = await backend.head(ROOM)
    assert appended == head == Position(1, head.epoch)
    assert re.fullmatch(r"[0-9a-f]{16}", head.epoch)
    [record] = await backend.read(ROOM, 1)
    assert (record.seq, record.type, record.data, record.actor, record.cid) == (
        1,
        "ask",
        {"text": "How do sirens reach?"},
        ALICE,
        "c1",
    )
    assert before <= record.ts <= after
    assert Record.from_wire(record.to_wire()) == record


@pytest.mark.parametrize(
    "wire",
    [
        {},
        {"seq": 0, "ts": 1.0, "type": "ask", "data": {}},
        {"seq": 1, "ts": 1.0, "type": "ask", "data": []},
        {"seq": 1, "ts": 1.0, "type": "ask", "data": {}, "actor": "x"},
        {"seq": 1, "ts": 1.0, "type": "ask", "data": {}, "cid": 5},
        [],
    ],
)
def test_malformed_wire_records_are_refused(wire: object) -> None:
    with pytest.raises(ValueError):
        Record.from_wire(wire)  # type: ignore[arg-type]


async def test_empty_room_head_and_distinct_epochs(backend: Backend) -> None:
    a, b = await backend.head(ROOM), await backend.head(OTHER)
    assert isinstance(a, Position) and a.seq == b.seq == 0 and a.epoch != b.epoch


async def test_durable_across_reopen(kit: Kit, backend: Backend) -> None:
    await fill(backend, 5)
    await backend.append(OTHER, "ask", {"text": "x"}, BOLD, "k")
    await backend.save_snapshot(ROOM, 4, b"state@4")
    before = await backend.read(ROOM, 1)
    head_before = await backend.head(ROOM)
    other_before = await backend.head(OTHER)
    await backend.close()

    async with kit.open() as again:
        assert await again.head(ROOM) == head_before
        assert await again.head(OTHER) == other_before
        assert await again.read(ROOM, 1) == before
        assert await again.load_snapshot(ROOM) == (4, b"state@4")
        appended = await again.append(ROOM, "ask", {"text": "after"}, ALICE, None)
        assert appended == Position(6, head_before.epoch)
        repeat = await again.append(OTHER, "ask", {"text": "x"}, BOLD, "k")  # dedupe survives
        assert repeat == other_before == await again.head(OTHER)


async def test_dedupe_same_pid_and_cid(backend: Backend) -> None:
    first = await backend.append(ROOM, "vote", {"qid": "q1"}, ALICE, "c-1")
    again = await backend.append(ROOM, "vote", {"qid": "changed"}, ALICE, "c-1")
    assert again == first  # the first record's position
    other_pid = await backend.append(ROOM, "vote", {"qid": "q1"}, BOLD, "c-1")
    other_room = await backend.append(OTHER, "vote", {"qid": "q1"}, ALICE, "c-1")
    assert (other_pid.seq, other_room.seq) == (2, 1)
    records = await backend.read(ROOM, 1)
    assert [r.data["qid"] for r in records] == ["q1", "q1"]


async def test_none_cid_or_actor_is_never_deduped(backend: Backend) -> None:
    seqs = [
        (await backend.append(ROOM, "ask", {}, ALICE, None)).seq,
        (await backend.append(ROOM, "ask", {}, ALICE, None)).seq,
        (await backend.append(ROOM, "ask", {}, None, "c")).seq,
        (await backend.append(ROOM, "ask", {}, None, "c")).seq,
        (await backend.append(ROOM, "ask", {}, {"name": "no pid"}, "c")).seq,
        (await backend.append(ROOM, "ask", {}, {"name": "no pid"}, "c")).seq,
    ]
    assert seqs == [1, 2, 3, 4, 5, 6]


async def test_concurrent_duplicates_append_once(backend: Backend) -> None:
    results = await asyncio.gather(
        *(backend.append(ROOM, "vote", {"n": n}, ALICE, "same") for n in range(20)),
        *(backend.append(ROOM, "vote", {"n": n}, BOLD, f"b{n}") for n in range(5)),
    )
    alice = results[:20]
    assert len(set(alice)) == 1
    assert (await backend.head(ROOM)).seq == 6
    assert [r.seq for r in await backend.read(ROOM, 1)] == [1, 2, 3, 4, 5, 6]


async def test_dedupe_expires_after_ttl(backend: Backend) -> None:
    backend.dedupe_ttl = 0.2
    first = await backend.append(ROOM, "vote", {}, ALICE, "c")
    await asyncio.sleep(0.3)
    later = await backend.append(ROOM, "vote", {}, ALICE, "c")
    assert (first.seq, later.seq) == (1, 2)
    assert await backend.append(ROOM, "vote", {}, ALICE, "c") == Position(2, later.epoch)
    assert (await backend.head(ROOM)).seq == 2


async def test_unknown_room(backend: Backend) -> None:
    with pytest.raises(UnknownRoom):
        await backend.append("NOPE", "ask", {}, ALICE, "c")
    with pytest.raises(UnknownRoom):
        await backend.head("NOPE")
    with pytest.raises(UnknownRoom):
        await backend.read("NOPE", 1)
    with pytest.raises(UnknownRoom):
        await backend.save_snapshot("NOPE", 1, b"x")
    assert await backend.load_snapshot("NOPE") is None
    assert await backend.get_room("NOPE") is None
    assert await backend.get_room("plan") is None  # codes are exact; the server upper-cases


@pytest.mark.parametrize(
    ("first", "last", "limit", "expected"),
    [
        (1, None, 1000, list(range(1, 11))),
        (0, None, 1000, list(range(1, 11))),
        (-5, 3, 1000, [1, 2, 3]),
        (3, 5, 1000, [3, 4, 5]),
        (5, 5, 1000, [5]),
        (10, None, 1000, [10]),
        (10, 99, 1000, [10]),
        (11, None, 1000, []),
        (6, 5, 1000, []),
        (1, 0, 1000, []),
        (1, None, 3, [1, 2, 3]),
        (8, None, 5, [8, 9, 10]),
        (2, 9, 1, [2]),
        (1, None, 0, []),
    ],
)
async def test_read_ranges(
    backend: Backend, first: int, last: int | None, limit: int, expected: list[int]
) -> None:
    await fill(backend, 10)
    records = await backend.read(ROOM, first, last, limit)
    assert [r.seq for r in records] == expected
    assert [r.data["text"] for r in records] == [f"q{s}" for s in expected]


async def test_read_empty_log(backend: Backend) -> None:
    assert await backend.read(ROOM, 1) == []
    assert [r async for r in backend.read_all(ROOM)] == []


async def test_read_all_streams_in_order_across_batches(backend: Backend) -> None:
    await fill(backend, 25)
    await fill(backend, 3, OTHER)
    every = [r.seq async for r in backend.read_all(ROOM, batch=4)]
    assert every == list(range(1, 26))
    assert [r.seq async for r in backend.read_all(ROOM, first=10, batch=7)] == list(range(10, 26))
    assert [r.seq async for r in backend.read_all(ROOM, first=25, batch=1)] == [25]
    assert [r.seq async for r in backend.read_all(ROOM, first=26)] == []
    assert [r async for r in backend.read_all(ROOM, batch=1000)] == await backend.read(ROOM, 1)


async def test_binary_and_unicode_round_trip(backend: Backend) -> None:
    data = {
        "update": b"\x00\x01\xff\xfe yjs",
        "nested": {"parts": [b"", b"\x80", 1, 2.5, None, True]},
        "text": "避難所はどこですか? Хаана байна вэ?",
        "big": 2**60,
    }
    actor = {"pid": "p1", "name": "佐藤 / Батбаяр", "org": "", "roles": [], "raw": b"\x00"}
    got: list[Record] = []
    backend.subscribe(ROOM, lambda record, epoch: got.append(record))
    await backend.append(ROOM, "notes.update", data, actor, "c")
    [record] = await backend.read(ROOM, 1)
    assert record.data == data and record.actor == actor
    assert isinstance(record.data["update"], bytes)
    assert isinstance(record.data["nested"]["parts"][0], bytes)
    await eventually(lambda: len(got) == 1)
    assert got[0] == record  # live equals read back


async def test_unencodable_data_is_the_callers_error(backend: Backend) -> None:
    with pytest.raises(TypeError):
        await backend.append(ROOM, "ask", {"x": object()}, ALICE, "c")
    assert (await backend.append(ROOM, "ask", {}, ALICE, "c")).seq == 1


async def test_closed_backend_is_unavailable(kit: Kit) -> None:
    b = kit.open()
    await b.start()
    await b.close()
    await b.close()  # idempotent
    with pytest.raises(BackendUnavailable):
        await b.append(ROOM, "ask", {}, ALICE, None)
    assert await b.ready() is False
