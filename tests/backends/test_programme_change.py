"""Contract: an organiser changes an event's programme as a whole (issue 15,
`Catalogue.change_event`): titles, slots, order and archived flags, and new rooms with
empty logs of their own; rooms are never removed; the change survives a restart and is
seen by a second process on the same Redis."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.backends.base import Backend, Conflict, EventInfo, RoomInfo
from server.backends.redis import RedisBackend

from .support import EVENT, ROOM, Kit

TITLE = {"en": "Emergency Command Center Operations", "ja": "緊急指令センターの運用"}
ECC = RoomInfo("ECC", TITLE, EVENT.event_id, starts="2026-12-10T14:00:00+09:00")


def add_ecc_first(event: EventInfo) -> EventInfo:
    """Adds ECC, renames PLAN, archives WARN, and puts ECC first."""
    plan, warn = event.rooms
    return replace(
        event,
        title={"en": "MCR2030 workshop", "mn": "MCR2030 семинар"},
        rooms=(
            ECC,
            replace(plan, title={"en": "Planning", "ja": "計画"}),
            replace(warn, archived=True),
        ),
    )


async def test_a_change_renames_reorders_archives_and_adds(backend: Backend) -> None:
    changed = await backend.change_event(EVENT.event_id, add_ecc_first)
    for event in (changed, await backend.get_event(EVENT.event_id)):
        assert event is not None
        assert [r.code for r in event.rooms] == ["ECC", "PLAN", "WARN"]
        assert event.title == {"en": "MCR2030 workshop", "mn": "MCR2030 семинар"}
        assert [r.archived for r in event.rooms] == [False, False, True]
        assert event.rooms[1].title == {"en": "Planning", "ja": "計画"}
    assert [r.code for r in await backend.list_rooms()] == ["ECC", "PLAN", "WARN"]
    assert await backend.get_room("ECC") == ECC
    assert (await backend.head("ECC")).seq == 0  # a log of its own, empty
    at = await backend.append("ECC", "ask", {"text": "Who runs the centre at night?"}, None, "c1")
    assert at.seq == 1
    assert (await backend.head(ROOM)).seq == 0


async def test_a_change_keeps_every_room_and_the_event(backend: Backend) -> None:
    with pytest.raises(ValueError):
        await backend.change_event(EVENT.event_id, lambda e: replace(e, rooms=e.rooms[:1]))
    with pytest.raises(ValueError):
        await backend.change_event(EVENT.event_id, lambda e: replace(e, event_id="other"))
    with pytest.raises(ValueError):
        await backend.change_event(
            EVENT.event_id, lambda e: replace(e, rooms=(*e.rooms, e.rooms[0]))
        )
    with pytest.raises(LookupError):
        await backend.change_event("no-such-event", add_ecc_first)
    assert await backend.get_event(EVENT.event_id) == EVENT  # nothing half-done


async def test_an_added_code_must_be_new_everywhere(backend: Backend) -> None:
    other = EventInfo("other", "Other", (), ("en",), (RoomInfo("TAKEN", "Taken", "other"),), 2.0)
    await backend.create_event(other)
    taken = RoomInfo("TAKEN", "Mine", EVENT.event_id)
    with pytest.raises(Conflict):
        await backend.change_event(EVENT.event_id, lambda e: replace(e, rooms=(*e.rooms, taken)))
    assert [r.code for r in (await backend.get_event(EVENT.event_id)).rooms] == ["PLAN", "WARN"]  # type: ignore[union-attr]
    assert (await backend.get_room("TAKEN")) == other.rooms[0]


async def test_a_change_survives_a_restart(kit: Kit) -> None:
    async with kit.open() as first:
        await first.create_event(EVENT)
        await first.change_event(EVENT.event_id, add_ecc_first)
        await first.append("ECC", "ask", {"text": "q"}, None, "c1")
    async with kit.open() as second:
        event = await second.get_event(EVENT.event_id)
        assert event is not None and [r.code for r in event.rooms] == ["ECC", "PLAN", "WARN"]
        assert event.rooms[2].archived and event.rooms[0].starts == ECC.starts
        assert (await second.head("ECC")).seq == 1


async def test_two_processes_change_one_event_without_losing_either(
    pair: tuple[RedisBackend, RedisBackend],
) -> None:
    a, b = pair
    assert await b.get_room("PLAN") is not None  # b holds the entry in memory

    def add(code: str):  # type: ignore[no-untyped-def]
        return lambda e: replace(e, rooms=(*e.rooms, RoomInfo(code, code, e.event_id)))

    await a.change_event(EVENT.event_id, add("ONE"))
    await b.change_event(EVENT.event_id, add("TWO"))  # made from the entry a wrote
    for backend in (a, b):
        event = await backend.get_event(EVENT.event_id)
        assert event is not None and [r.code for r in event.rooms] == ["PLAN", "WARN", "ONE", "TWO"]
    assert await a.get_room("TWO") is not None
