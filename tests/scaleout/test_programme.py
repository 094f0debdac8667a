"""An organiser's programme across processes on Redis (issue 15): a room made on one process
opens on the other, and a rename reaches the other's hot room through the desk log."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.integration.helpers import Raw

from .conftest import ON_BOTH, StartCluster
from .support import ROOM

WITHIN = 5.0  # seconds for the desk log's live tail to bring the change


@ON_BOTH
async def test_a_change_on_one_process_reaches_the_other(cluster: StartCluster) -> None:
    c = cluster(2)
    one, two = c.servers
    path = f"/api/events/{c.links['event_id']}"
    auth = {"authorization": f"Bearer {c.links['organiser_key']}"}
    watcher = await Raw.open(two.ws_url)
    try:
        assert (await watcher.join(ROOM, name="Bold"))["t"] == "ok"  # ROOM is hot on `two`
        async with httpx.AsyncClient(base_url=one.url, headers=auth) as http:
            made = await http.post(f"{path}/rooms", json={"code": "ECC", "title": "Command centre"})
            assert made.status_code == 201, made.text
            renamed = await http.patch(f"{path}/rooms/{ROOM}", json={"title": {"mn": "Төлөвлөлт"}})
            assert renamed.status_code == 200, renamed.text
        guest = await Raw.open(two.ws_url)
        try:
            assert (await guest.join("ECC", name="Saraa"))["t"] == "ok"
        finally:
            await guest.close()
        started = time.monotonic()
        while True:
            late = await Raw.open(two.ws_url)
            try:
                title = (await late.join(ROOM, name="Tuya"))["room"]["title"]
            finally:
                await late.close()
            if title == {"mn": "Төлөвлөлт"} or time.monotonic() - started > WITHIN + 5:
                break
            await asyncio.sleep(0.2)
        assert title == {"mn": "Төлөвлөлт"}
        assert time.monotonic() - started < WITHIN
        async with httpx.AsyncClient(base_url=two.url) as http:
            listed = (await http.get("/api/rooms")).json()["rooms"]
            assert "ECC" in [r["code"] for r in listed]
    finally:
        await watcher.close()
