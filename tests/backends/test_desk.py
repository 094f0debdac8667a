"""Contract: each event's desk log (issue 15; base.desk_code) is a log like a room's, made
with the event, never listed as a room, and given to events stored before desks existed."""

from __future__ import annotations

import sqlite3

import pytest

from server.backends.base import Backend, UnknownRoom, desk_code

from .support import EVENT, ROOM, Kit, Tail, assert_once_in_order, eventually

DESK = desk_code(EVENT.event_id)
STAFF = {"pid": "organiser"}


async def test_a_new_event_has_an_empty_desk_that_is_not_a_room(backend: Backend) -> None:
    assert (await backend.head(DESK)).seq == 0
    assert await backend.get_room(DESK) is None
    assert DESK not in [room.code for room in await backend.list_rooms()]
    assert [room.code for room in (await backend.get_event(EVENT.event_id)).rooms] == [
        "PLAN",
        "WARN",
    ]  # type: ignore[union-attr]


async def test_the_desk_orders_dedupes_and_tails_like_a_room(backend: Backend) -> None:
    tail = Tail()
    backend.subscribe(DESK, tail)
    invite = {"kid": "k1", "role": "moderator", "room": "PLAN", "label": "Chair - Sendai"}
    first = await backend.append(DESK, "staff.invited", invite, STAFF, "c1")
    again = await backend.append(DESK, "staff.invited", invite, STAFF, "c1")
    second = await backend.append(DESK, "staff.revoked", {"kid": "k1"}, STAFF, "c2")
    assert (first.seq, again.seq, second.seq) == (1, 1, 2)
    assert [(r.seq, r.type) for r in await backend.read(DESK, 1)] == [
        (1, "staff.invited"),
        (2, "staff.revoked"),
    ]
    await eventually(lambda: len(tail.got) == 2)
    assert_once_in_order(tail, 1, 2)
    assert [record.data for record, _ in tail.got] == [invite, {"kid": "k1"}]
    assert (await backend.head(ROOM)).seq == 0  # the rooms' logs are untouched


async def test_no_desk_without_its_event(backend: Backend) -> None:
    with pytest.raises(UnknownRoom):
        await backend.append(desk_code("no-such-event"), "staff.revoked", {"kid": "k"}, None, None)
    with pytest.raises(UnknownRoom):
        await backend.head(desk_code("no-such-event"))


async def test_the_desk_survives_a_restart(kit: Kit) -> None:
    async with kit.open() as first:
        await first.create_event(EVENT)
        at = await first.append(DESK, "staff.revoked", {"kid": "legacy-moderator"}, STAFF, "c1")
    async with kit.open() as second:
        assert await second.head(DESK) == at
        assert [r.data for r in await second.read(DESK, 1)] == [{"kid": "legacy-moderator"}]


async def test_an_event_stored_before_desks_gets_one(kit: Kit) -> None:
    """Old data: the event and its rooms, and no desk. The desk appears (empty, a new
    epoch) and the rooms' logs keep what they had."""
    async with kit.open() as old:
        await old.create_event(EVENT)
        kept = await old.append(ROOM, "ask", {"text": "before"}, {"pid": "p"}, "c1")
    await _forget_desk(kit)
    async with kit.open() as new:
        assert (await new.head(DESK)).seq == 0
        assert (await new.append(DESK, "staff.revoked", {"kid": "k"}, STAFF, "c1")).seq == 1
        assert await new.head(ROOM) == kept
        assert DESK not in [room.code for room in await new.list_rooms()]


async def _forget_desk(kit: Kit) -> None:
    """Take the desk away as data written before desk logs existed would lack it."""
    if kit.name == "embedded":
        conn = sqlite3.connect(kit.open().path)  # type: ignore[attr-defined]
        with conn:
            conn.execute("DELETE FROM rooms WHERE code = ?", (DESK,))
        conn.close()
        return
    from server.backends.redis_keys import room_keys

    backend = kit.open()
    async with backend:
        redis = backend._redis  # type: ignore[attr-defined]
        found = [k for k in await redis.keys("*") if DESK.encode() in k]
        assert room_keys(DESK).epoch.encode() in found, found
        await redis.delete(*found)
