"""Staff links across processes on Redis (issue 15): a link made with `workshop staff` on
one Redis works on every server process, and its revocation closes the sockets that
joined with it on all of them, with 1008, within seconds (the desk log's live tail)."""

from __future__ import annotations

import json
import time

from tests.integration.helpers import Raw

from .conftest import ON_BOTH, StartCluster
from .support import ROOM, workshop_cli

CUT_WITHIN = 5.0


@ON_BOTH
async def test_a_revocation_reaches_every_process(cluster: StartCluster) -> None:
    c = cluster(2)
    redis = ("--redis-url", c.redis.url)
    made = workshop_cli(
        "staff",
        "add",
        "--role",
        "interpreter",
        "--room",
        ROOM,
        "--label",
        "Mongolian booth",
        "--json",
        *redis,
        env=c.env,
    )
    assert made.returncode == 0, made.stderr
    link = json.loads(made.stdout)
    booths = [await Raw.open(server.ws_url) for server in c.servers]
    chair = await Raw.open(c.servers[1].ws_url)
    try:
        for booth in booths:
            ok = await booth.join(ROOM, name="Booth", key=link["key"])
            assert ok["t"] == "ok" and "interpreter" in ok["me"]["roles"], ok
        assert (await chair.join(ROOM, name="Chair", key=c.moderator_key))["t"] == "ok"
        revoked = workshop_cli("staff", "revoke", link["kid"], *redis, env=c.env)
        assert revoked.returncode == 0, revoked.stderr
        started = time.monotonic()
        for booth in booths:
            assert await booth.closed(wait=CUT_WITHIN + 5) == 1008
        assert time.monotonic() - started < CUT_WITHIN
        await chair.sync()  # another link: untouched
        again = await Raw.open(c.servers[0].ws_url)
        try:
            refused = await again.join(ROOM, key=link["key"])
            assert (refused["t"], refused["code"]) == ("err", "unauthorized")
        finally:
            await again.close()
    finally:
        for raw in (*booths, chair):
            await raw.close()


@ON_BOTH
async def test_the_organiser_sees_who_is_connected_on_every_process(cluster: StartCluster) -> None:
    import asyncio

    import httpx

    c = cluster(2)
    path = f"/api/events/{c.links['event_id']}"
    auth = {"authorization": f"Bearer {c.links['organiser_key']}"}
    async with httpx.AsyncClient(base_url=c.servers[0].url, headers=auth) as http:
        made = (
            await http.post(
                f"{path}/staff", json={"role": "moderator", "room": ROOM, "label": "Chair"}
            )
        ).json()
        chairs = [await Raw.open(server.ws_url) for server in c.servers]
        try:
            for chair in chairs:
                assert (await chair.join(ROOM, name="Chair", key=made["key"]))["t"] == "ok"

            async def counted() -> int:
                staff = (await http.get(f"{path}/organise")).json()["staff"]
                return next(s["connected"] for s in staff if s["kid"] == made["kid"])

            for _ in range(50):  # the other process posts within a loop step or two
                if await counted() == 2:
                    break
                await asyncio.sleep(0.1)
            assert await counted() == 2
            await chairs[1].close()
            for _ in range(50):
                if await counted() == 1:
                    break
                await asyncio.sleep(0.1)
            assert await counted() == 1
        finally:
            for chair in chairs:
                await chair.close()
