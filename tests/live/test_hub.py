"""The Hub without sockets: rooms load on first use, once, and unload when idle."""

from __future__ import annotations

import asyncio

from server.backends.base import Backend
from server.live.hub import Hub
from server.settings import Settings

from .support import ROOM, command, participant, until, welcome


async def test_a_room_loads_once_for_concurrent_joins(backend: Backend) -> None:
    hub = Hub(backend, Settings(room_idle_grace=60.0))
    try:
        rooms = await asyncio.gather(*(hub.room(ROOM.code) for _ in range(10)))
        assert all(r is rooms[0] for r in rooms) and rooms[0] is not None
        assert hub.rooms == {ROOM.code: rooms[0]}
        assert await hub.room("NOPE") is None and "NOPE" not in hub.rooms
    finally:
        await hub.close()


async def test_an_idle_room_unloads_after_the_grace_and_reloads_its_state(
    backend: Backend,
) -> None:
    hub = Hub(backend, Settings(room_idle_grace=0.2))
    try:
        room = await hub.room(ROOM.code)
        assert room is not None
        aiko = participant("Aiko")
        welcome(room, aiko)
        await room.submit(aiko.actor, command("ask", text="Shelters?"))
        await asyncio.sleep(0.5)
        assert hub.rooms.get(ROOM.code) is room  # a member keeps it hot
        room.leave(aiko)
        await until(lambda: ROOM.code not in hub.rooms)
        again = await hub.room(ROOM.code)
        assert again is not None and again is not room
        assert again.state.seq == 1 and "q1" in again.state.questions
    finally:
        await hub.close()


async def test_participant_rates_are_shared_by_one_participants_connections(
    backend: Backend,
) -> None:
    hub = Hub(backend, Settings(ask_rate=0.001, ask_burst=2))
    try:
        first, second = hub.rates("p-aiko"), hub.rates("p-aiko")
        assert first is second and hub.rates("p-bat") is not first
        assert [first.ask.take() for _ in range(3)][:2] == [0.0, 0.0]
        assert second.ask.take() > 0  # the burst is spent, whichever tab asks
    finally:
        await hub.close()
