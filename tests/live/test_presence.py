"""Presence without sockets (`server/live/presence.py`): who counts, and the push between
processes (two Redis backends on one redis-server play two processes)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from protocol.frames import Presence
from server.backends.base import Backend
from server.backends.redis import RedisBackend
from server.live.presence import Serial
from server.live.room import Actor, LiveRoom
from server.organisations import Organisation
from tests.support.redis import RedisProcess

from .support import EVENT, ROOM, FakeMember, moderator, participant, until, welcome

SECRET = b"live-presence-tests-secret-0123456789abcdef"


def last_presence(member: FakeMember) -> Presence | None:
    frames = member.of_type(Presence)
    return frames[-1] if frames else None


async def test_staff_and_screens_get_presence_but_are_not_counted(room: LiveRoom) -> None:
    chair = moderator()
    screen = FakeMember(Actor(pid="p-screen", name="Presenter", org="", screen=True))
    aiko, bat = participant("Aiko"), participant("Bat", "Ulaanbaatar City")
    for member in (chair, screen, aiko, bat):
        welcome(room, member)
    expected = Presence(2, {"Sendai City": 1, "Ulaanbaatar City": 1})
    await until(lambda: all(last_presence(m) == expected for m in (chair, screen, aiko, bat)))
    assert room.presence.counted() == {"p-Aiko": "Sendai City", "p-Bat": "Ulaanbaatar City"}


REGISTRY = (
    Organisation("sendai", {"en": "Sendai City", "ja": "仙台市"}, "sendai"),
    Organisation("ub", {"en": "Ulaanbaatar City", "mn": "Улаанбаатар хот"}, "ulaanbaatar"),
    Organisation("kobe", {"en": "UNDRR Kobe Office"}, "undrr"),
    Organisation("geti", {"en": "UNDRR ONEA-GETI"}, "undrr"),
    Organisation("tohoku", {"en": "Tohoku University"}),  # no city: in by_org only
)


async def test_presence_counts_registry_ids_and_their_cities(backend: Backend) -> None:
    """Issue 14: one count per registry id, and per city for the projector's "Sendai 2 ·
    Ulaanbaatar 1"; free text and entries without a city are in `by_org` only."""
    event = dataclasses.replace(EVENT, organisations=REGISTRY)
    room = LiveRoom(ROOM, event, backend, replay_limit=50, snapshot_every=20)
    await room.load()
    try:

        def member(name: str, org: str, org_id: str | None) -> FakeMember:
            return FakeMember(Actor(pid=f"p-{name}", name=name, org=org, org_id=org_id))

        people = [
            member("Aiko", "仙台市", "sendai"),
            member("Ben", "Sendai City", "sendai"),
            member("Bat", "Улаанбаатар хот", "ub"),
            member("Kim", "UNDRR Kobe Office", "kobe"),
            member("Lee", "", "geti"),
            member("Sato", "Tohoku University", "tohoku"),
            member("Sara", "NEMA Mongolia", None),
            moderator(),  # staff: not counted, in neither map
        ]
        for person in people:
            welcome(room, person)
        expected = Presence(
            7,
            {"sendai": 2, "ub": 1, "kobe": 1, "geti": 1, "tohoku": 1, "NEMA Mongolia": 1},
            {"sendai": 2, "ulaanbaatar": 1, "undrr": 2},
        )
        await until(lambda: all(last_presence(m) == expected for m in people))
        got = last_presence(people[0])
        assert got is not None and list(got.by_city) == ["sendai", "ulaanbaatar", "undrr"]
    finally:
        await room.close()


async def test_an_event_without_cities_sends_no_by_city(room: LiveRoom) -> None:
    aiko = participant("Aiko")
    welcome(room, aiko)
    await until(lambda: last_presence(aiko) == Presence(1, {"Sendai City": 1}))
    got = last_presence(aiko)
    assert got is not None and "by_city" not in got.to_wire()  # the frame as before


async def test_serial_runs_once_more_for_the_requests_made_while_it_ran() -> None:
    runs: list[int] = []
    gate = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()

    async def action() -> None:
        runs.append(len(runs))
        await gate.wait()

    def spawn(coro: object) -> None:
        tasks.add(asyncio.ensure_future(coro))  # type: ignore[arg-type]

    serial = Serial(action, spawn, spacing=0.05)
    serial.request()
    await until(lambda: runs == [0])
    for _ in range(5):
        serial.request()  # while the first run waits: one more run, not five
    gate.set()
    await until(lambda: runs == [0, 1] and all(t.done() for t in tasks))
    serial.request()  # after the spacing: it runs (at once in a quiet room)
    await until(lambda: runs == [0, 1, 2])


async def test_serial_spaces_runs_even_when_each_ends_before_the_next_request() -> None:
    """A stream of joins, each after the last post finished, still costs one post per
    `spacing` (it used to cost one per join: 5,000 joins, 5,000 posts of 5,000 members)."""
    runs: list[int] = []
    tasks: set[asyncio.Task[None]] = set()

    async def action() -> None:
        runs.append(len(runs))

    def spawn(coro: object) -> None:
        tasks.add(asyncio.ensure_future(coro))  # type: ignore[arg-type]

    serial = Serial(action, spawn, spacing=3600.0)
    serial.request()  # the first request runs at once
    await until(lambda: runs == [0] and all(t.done() for t in tasks))
    for _ in range(5):
        serial.request()
        await asyncio.sleep(0.01)
    assert runs == [0]  # one more run is due, an hour after the first
    pending = [t for t in tasks if not t.done()]
    assert len(pending) == 1
    pending[0].cancel()


@pytest.fixture
async def two_processes(own_redis: RedisProcess) -> AsyncIterator[tuple[LiveRoom, LiveRoom]]:
    """The same room on two backends ("processes" a and b) of one redis-server, with a
    time to live so long that no heartbeat runs during a test: only hints move presence."""
    backends = [RedisBackend(own_redis.url, secret=SECRET) for _ in range(2)]
    rooms: list[LiveRoom] = []
    try:
        for backend, process_id in zip(backends, "ab", strict=True):
            backend.presence_ttl = 600.0
            await backend.start()
            if not rooms:
                await backend.create_event(EVENT)
            room = LiveRoom(ROOM, EVENT, backend, process_id=process_id)
            await room.load()
            rooms.append(room)
        yield rooms[0], rooms[1]
    finally:
        for room in rooms:
            await room.close()
        for backend in backends:
            await backend.close()


async def test_a_join_and_a_leave_reach_the_other_process_by_a_hint(
    two_processes: tuple[LiveRoom, LiveRoom],
) -> None:
    a, b = two_processes
    here, there = participant("Aiko"), participant("Bat", "Ulaanbaatar City")
    welcome(b, there)
    await until(lambda: last_presence(there) == Presence(1, {"Ulaanbaatar City": 1}))
    welcome(a, here)
    both = Presence(2, {"Sendai City": 1, "Ulaanbaatar City": 1})
    await until(lambda: last_presence(there) == both and last_presence(here) == both)
    a.leave(here)
    await until(lambda: last_presence(there) == Presence(1, {"Ulaanbaatar City": 1}))


async def test_hints_missed_while_pubsub_was_down_are_made_up_for(
    two_processes: tuple[LiveRoom, LiveRoom], own_redis: RedisProcess
) -> None:
    """A hint published while b's pub/sub connection is down never reaches b; b reads the
    board when its subscription is confirmed again."""
    a, b = two_processes
    there = participant("Bat", "Ulaanbaatar City")
    welcome(b, there)
    await until(lambda: last_presence(there) == Presence(1, {"Ulaanbaatar City": 1}))
    with own_redis.client() as r:
        r.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
    welcome(a, participant("Aiko"))
    both = Presence(2, {"Sendai City": 1, "Ulaanbaatar City": 1})
    await until(lambda: last_presence(there) == both, within=20.0)
