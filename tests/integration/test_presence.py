"""Presence: distinct participants by organisation, converging after joins and leaves.

Presence frames are coalesced, so a test never counts frames: it waits until one says
the expected numbers.
"""

from __future__ import annotations

from client.room_client import RoomClient
from tests.conftest import Workshop

from .helpers import Raw, wait_for_frame

SENDAI = "Sendai City"
UB = "Ulaanbaatar City"


async def converges(watcher: RoomClient, count: int, by_org: dict[str, int]) -> None:
    await wait_for_frame(
        watcher,
        lambda f: f.get("t") == "presence" and (f["count"], f["by_org"]) == (count, by_org),
    )


async def test_presence_counts_distinct_participants_by_org(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    watcher = RoomClient(url, "SUB-PLAN", name="Watcher", org="UNDRR")
    a = RoomClient(url, "SUB-PLAN", name="A", org=SENDAI)
    b = RoomClient(url, "SUB-PLAN", name="B", org=SENDAI)
    c = RoomClient(url, "SUB-PLAN", name="C", org=UB)
    elsewhere = RoomClient(url, "SUB-EWS", name="D", org=UB)  # another room: not counted
    clients = [watcher, a, b, c, elsewhere]
    try:
        await watcher.connect()
        await converges(watcher, 1, {"UNDRR": 1})
        for client in (a, b, c, elsewhere):
            await client.connect()
        await converges(watcher, 4, {"UNDRR": 1, SENDAI: 2, UB: 1})

        # A second tab of A (same token, so the same pid) is the same participant.
        assert a.token is not None
        a_tab = RoomClient(url, "SUB-PLAN", name="A", org=SENDAI, token=a.token)
        clients.append(a_tab)
        await a_tab.connect()
        await b.close()
        await converges(watcher, 3, {"UNDRR": 1, SENDAI: 1, UB: 1})
        await a.close()  # A's other tab is still here
        await c.close()
        await converges(watcher, 2, {"UNDRR": 1, SENDAI: 1})
        await a_tab.close()
        await converges(watcher, 1, {"UNDRR": 1})

        # Someone joining now gets the current presence without waiting for a change.
        async with RoomClient(url, "SUB-PLAN", name="Late", org="") as late:
            await converges(late, 2, {"UNDRR": 1, "": 1})
    finally:
        for client in clients:
            await client.close()


async def test_abrupt_disconnects_leave_presence(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    async with RoomClient(url, "SUB-PLAN", name="Watcher", org=SENDAI) as watcher:
        gone = [await Raw.open(url) for _ in range(3)]
        try:
            for i, raw in enumerate(gone):
                assert (await raw.join(name=f"G{i}", org=UB))["t"] == "ok"
            await converges(watcher, 4, {SENDAI: 1, UB: 3})
            for raw in gone:
                raw.abort()  # the TCP connection dies without a close frame
            await converges(watcher, 1, {SENDAI: 1})
        finally:
            for raw in gone:
                await raw.close()
