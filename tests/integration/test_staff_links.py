"""Staff links end to end on the embedded default (issue 15): `workshop staff` beside a
running server makes a one-room link that works in its room only, and revoking it (or a
founding link) closes the sockets that joined with it, with 1008, within seconds."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from tests.conftest import Workshop
from tests.integration.helpers import Raw
from tests.support.server import workshop as workshop_cli

CUT_WITHIN = 5.0  # seconds: the live tail or the desk's 2 s poll, with room to spare


def staff(w: Workshop, *args: str) -> Any:
    """Run `workshop staff ARGS` on the server's data dir, beside it, as an organiser would."""
    done = workshop_cli("staff", *args, "--data-dir", str(w.server.data_dir))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if "--json" in args else done.stdout


async def test_a_one_room_link_opens_its_room_only_until_revoked(workshop: Workshop) -> None:
    link = staff(
        workshop, "add", "--role", "moderator", "--room", "sub-plan", "--label", "Chair", "--json"
    )
    assert (link["role"], link["room"], link["label"]) == ("moderator", "SUB-PLAN", "Chair")
    assert (
        link["url"] == link["urls"]["SUB-PLAN"]
        and list(link["urls"]) == ["SUB-PLAN"]
        and link["urls"]["SUB-PLAN"].endswith("#key=" + link["key"])
    )
    listed = staff(workshop, "list", "--json")
    assert [entry["kid"] for entry in listed][-1] == link["kid"]

    elsewhere = await Raw.open(workshop.server.ws_url)
    chair = await Raw.open(workshop.server.ws_url)
    try:
        refused = await elsewhere.join("SUB-EWS", key=link["key"])
        assert (refused["t"], refused["code"]) == ("err", "unauthorized")
        ok = await chair.join("SUB-PLAN", name="Chair", key=link["key"])
        assert ok["t"] == "ok" and ok["me"]["roles"] == ["participant", "moderator", "rapporteur"]

        base, auth = workshop.server.url, {"authorization": f"Bearer {link['key']}"}
        async with httpx.AsyncClient(base_url=base) as http:
            assert (
                await http.get("/api/rooms/SUB-PLAN/transcript.json", headers=auth)
            ).status_code == 200
            assert (
                await http.get("/api/rooms/SUB-EWS/transcript.json", headers=auth)
            ).status_code == 403
            zipped = f"/api/events/{workshop.links['event_id']}/transcript.zip"
            assert (await http.get(zipped, headers=auth)).status_code == 403  # not the whole event

        said = staff(workshop, "revoke", link["kid"])
        assert link["kid"] in said
        started = time.monotonic()
        assert await chair.closed(wait=CUT_WITHIN + 5) == 1008
        assert time.monotonic() - started < CUT_WITHIN
        async with httpx.AsyncClient(base_url=base) as http:
            assert (
                await http.get("/api/rooms/SUB-PLAN/transcript.json", headers=auth)
            ).status_code == 403
    finally:
        await elsewhere.close()
        await chair.close()

    again = await Raw.open(workshop.server.ws_url)
    try:
        refused = await again.join("SUB-PLAN", key=link["key"])
        assert (refused["t"], refused["code"]) == ("err", "unauthorized")
        revoked = [
            entry for entry in staff(workshop, "list", "--json") if entry["kid"] == link["kid"]
        ]
        assert revoked[0]["revoked"] is not None
    finally:
        await again.close()


async def test_revoking_a_founding_link_cuts_every_room_and_spares_the_others(
    workshop: Workshop,
) -> None:
    chairs = [await Raw.open(workshop.server.ws_url) for _ in range(2)]
    rapporteur = await Raw.open(workshop.server.ws_url)
    try:
        for raw, room in zip(chairs, ("SUB-PLAN", "DISCUSS"), strict=True):
            assert (await raw.join(room, key=workshop.moderator_key))["t"] == "ok"
        assert (await rapporteur.join("SUB-PLAN", key=workshop.rapporteur_key))["t"] == "ok"
        staff(workshop, "revoke", "event-moderator")
        for raw in chairs:
            assert await raw.closed(wait=CUT_WITHIN + 5) == 1008
        await rapporteur.sync()  # still here, still served
    finally:
        for raw in (*chairs, rapporteur):
            await raw.close()
    fresh = await Raw.open(workshop.server.ws_url)
    try:
        refused = await fresh.join("SUB-EWS", key=workshop.moderator_key)
        assert (refused["t"], refused["code"]) == ("err", "unauthorized")
    finally:
        await fresh.close()


async def test_staff_commands_say_what_is_wrong(workshop: Workshop) -> None:
    data_dir = str(workshop.server.data_dir)
    cases = [
        (("add", "--role", "moderator", "--room", "NOPE", "--label", ""), "no room NOPE"),
        (("add", "--role", "organiser", "--room", "SUB-PLAN", "--label", "x"), "whole event"),
        (("add", "--role", "moderator", "--label", "x" * 81), "not a valid invitation: label"),
        (("revoke", "never-made"), "no staff link never-made"),
        (("list", "--event", "no-such-event"), "no event no-such-event"),
    ]
    for args, said in cases:
        done = workshop_cli("staff", *args, "--data-dir", data_dir)
        assert done.returncode == 2 and said in done.stderr, (args, done.stderr)
