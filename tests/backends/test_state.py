"""Contract: snapshots, presence, the event/room catalogue, the secret."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from server.backends.base import Backend, Conflict, EventInfo, RoomInfo
from server.organisations import Organisation

from .support import EVENT, OTHER, ROOM, Kit


async def test_snapshots_keep_the_latest(backend: Backend) -> None:
    assert await backend.load_snapshot(ROOM) is None
    await backend.save_snapshot(ROOM, 5, b"state@5")
    assert await backend.load_snapshot(ROOM) == (5, b"state@5")
    await backend.save_snapshot(ROOM, 3, b"state@3")  # older: ignored
    assert await backend.load_snapshot(ROOM) == (5, b"state@5")
    await backend.save_snapshot(ROOM, 9, b"\x00state@9\xff")
    assert await backend.load_snapshot(ROOM) == (9, b"\x00state@9\xff")
    assert await backend.load_snapshot(OTHER) is None


async def test_concurrent_snapshots_highest_wins(backend: Backend) -> None:
    await asyncio.gather(*(backend.save_snapshot(ROOM, s, b"s%d" % s) for s in (4, 9, 2, 7, 1)))
    assert await backend.load_snapshot(ROOM) == (9, b"s9")


async def test_presence_set_replace_union(backend: Backend) -> None:
    assert await backend.get_presence(ROOM) == {}
    await backend.set_presence(ROOM, "proc-1", {"p1": "Sendai", "p2": ""})
    await backend.set_presence(ROOM, "proc-2", {"p3": "Ulaanbaatar"})
    await backend.set_presence(OTHER, "proc-1", {"p9": "UNDRR"})
    assert await backend.get_presence(ROOM) == {"p1": "Sendai", "p2": "", "p3": "Ulaanbaatar"}
    await backend.set_presence(ROOM, "proc-1", {"p2": ""})  # replaces proc-1's set
    assert await backend.get_presence(ROOM) == {"p2": "", "p3": "Ulaanbaatar"}
    await backend.set_presence(ROOM, "proc-2", {})
    assert await backend.get_presence(ROOM) == {"p2": ""}
    assert await backend.get_presence(OTHER) == {"p9": "UNDRR"}


async def test_presence_expires_unless_refreshed(backend: Backend) -> None:
    backend.presence_ttl = 0.3
    await backend.set_presence(ROOM, "proc-1", {"p1": "Sendai"})
    await backend.set_presence(ROOM, "proc-2", {"p2": "Sendai"})
    await asyncio.sleep(0.2)
    await backend.set_presence(ROOM, "proc-2", {"p2": "Sendai"})  # refreshed
    await asyncio.sleep(0.2)
    assert await backend.get_presence(ROOM) == {"p2": "Sendai"}


async def test_catalogue(backend: Backend) -> None:
    assert await backend.get_event(EVENT.event_id) == EVENT
    assert await backend.get_room(ROOM) == EVENT.rooms[0]
    later = EventInfo(
        event_id="ub-followup",
        title="Follow-up in Ulaanbaatar",
        timezones=("Asia/Ulaanbaatar",),
        languages=("mn", "en"),
        rooms=(
            RoomInfo("ECC-OPS", "Emergency Command Center Operations", "ub-followup"),
            RoomInfo("DISCUSS", "Discussion", "ub-followup"),
        ),
        created=EVENT.created + 86400,
    )
    await backend.create_event(later)
    assert await backend.get_event("ub-followup") == later
    assert await backend.list_events() == [EVENT, later]
    assert await backend.list_rooms() == [*EVENT.rooms, *later.rooms]
    assert await backend.get_room("DISCUSS") == later.rooms[1]
    assert await backend.get_event("nope") is None
    head = await backend.head("ECC-OPS")
    assert head.seq == 0 and len(head.epoch) == 16
    assert (await backend.append("ECC-OPS", "ask", {}, None, None)).seq == 1


async def test_catalogue_conflicts_change_nothing(backend: Backend) -> None:
    with pytest.raises(Conflict):
        await backend.create_event(dataclasses.replace(EVENT, title="again"))
    clash = EventInfo(
        event_id="other-event",
        title="Clash",
        timezones=("Asia/Tokyo",),
        languages=("ja",),
        rooms=(RoomInfo("FRESH", "Fresh", "other-event"), RoomInfo(ROOM, "Dup", "other-event")),
        created=EVENT.created + 1,
    )
    with pytest.raises(Conflict):
        await backend.create_event(clash)
    assert await backend.get_event("other-event") is None
    assert await backend.get_room("FRESH") is None
    assert await backend.get_room(ROOM) == EVENT.rooms[0]
    assert await backend.list_events() == [EVENT]


async def test_catalogue_rejects_malformed_events(backend: Backend) -> None:
    wrong_owner = dataclasses.replace(
        EVENT, event_id="e2", rooms=(RoomInfo("X1", "x", "someone-else"),)
    )
    repeated = dataclasses.replace(
        EVENT, event_id="e3", rooms=(RoomInfo("X2", "x", "e3"), RoomInfo("X2", "y", "e3"))
    )
    for event in (wrong_owner, repeated):
        with pytest.raises(ValueError):
            await backend.create_event(event)
    assert await backend.list_events() == [EVENT]


async def test_catalogue_survives_reopen(kit: Kit, backend: Backend) -> None:
    epochs = {code: (await backend.head(code)).epoch for code in (ROOM, OTHER)}
    await backend.close()
    async with kit.open() as again:
        assert await again.list_events() == [EVENT]
        assert await again.list_rooms() == list(EVENT.rooms)
        assert {code: (await again.head(code)).epoch for code in (ROOM, OTHER)} == epochs


async def test_secret_is_stable(kit: Kit, backend: Backend) -> None:
    secret = await backend.get_secret()
    assert isinstance(secret, bytes) and len(secret) >= 32
    assert await backend.get_secret() == secret
    await backend.close()
    async with kit.open() as again:
        assert await again.get_secret() == secret


async def test_ready(backend: Backend) -> None:
    assert await backend.ready() is True


async def test_catalogue_keeps_language_maps_the_registry_and_slots(kit: Kit) -> None:
    """PROTOCOL.md "Additions": titles as language maps, the organisations, the rooms'
    times and guiding questions; read back by the same process and by a fresh one on the
    same storage."""
    event = EventInfo(
        event_id="c2c-2026",
        title={"en": "City-to-city learning", "ja": "都市間学習", "mn": "Хот хоорондын суралцахуй"},
        timezones=("Asia/Tokyo", "Asia/Ulaanbaatar"),
        languages=("ja", "mn", "en"),
        rooms=(
            RoomInfo("SUB-PLAN", {"en": "Planning", "ja": "計画"}, "c2c-2026",
                     "2026-12-10T10:00:00+09:00", "2026-12-10T11:30:00+09:00"),
            RoomInfo("DISCUSS", "Open discussion", "c2c-2026",
                     prompts=({"en": "What led you here?", "ja": "きっかけは？"}, "Why?")),
        ),
        created=1_797_000_000.0,
        organisations=(
            Organisation("sendai", {"en": "Sendai City", "ja": "仙台市"}, "sendai"),
            Organisation("undrr-kobe", "UNDRR Kobe Office"),
        ),
    )  # fmt: skip
    first = kit.open()
    await first.start()
    try:
        await first.create_event(event)
        assert await first.get_event("c2c-2026") == event
        assert await first.get_room("SUB-PLAN") == event.rooms[0]
        assert await first.get_room("DISCUSS") == event.rooms[1]
    finally:
        await first.close()
    again = kit.open()
    await again.start()
    try:
        assert await again.get_event("c2c-2026") == event
        assert await again.get_room("SUB-PLAN") == event.rooms[0]
    finally:
        await again.close()
