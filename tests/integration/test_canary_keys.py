"""Canary keys (issue 15): every key and token this test uses, by WebSocket and by HTTP, in
right and wrong places, is looked for in every line the server logged and in every export;
none may be there."""

from __future__ import annotations

import io
import zipfile

import httpx

from tests.conftest import Workshop
from tests.integration.helpers import Raw
from tests.support.server import workshop as workshop_cli

FORMATS = ("json", "csv", "md", "html", "docx")


def readable(body: bytes) -> bytes:
    """An export as text to search: a docx or zip is searched member by member."""
    if body[:2] != b"PK":
        return body
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return b"\n".join(readable(archive.read(name)) for name in archive.namelist())


async def test_no_key_or_token_reaches_a_log_or_an_export(workshop: Workshop) -> None:
    event_id = workshop.links["event_id"]
    organiser = {"authorization": f"Bearer {workshop.links['organiser_key']}"}
    admin_done = workshop_cli("links", "--admin", "--data-dir", str(workshop.server.data_dir))
    canaries = [
        workshop.moderator_key,
        workshop.rapporteur_key,
        workshop.links["organiser_key"],
        workshop.links["interpreter_key"],
        admin_done.stdout.strip().split("#key=")[1],
    ]
    exports: list[bytes] = []
    async with httpx.AsyncClient(base_url=workshop.server.url) as http:
        made = await http.post(
            f"/api/events/{event_id}/staff",
            json={"role": "moderator", "room": "SUB-PLAN", "label": "Chair"},
            headers=organiser,
        )
        assert made.status_code == 201
        canaries.append(made.json()["key"])

        chair, guest, wrong = [await Raw.open(workshop.server.ws_url) for _ in range(3)]
        try:
            ok = await chair.join("SUB-PLAN", name="Chair", key=made.json()["key"])
            assert ok["t"] == "ok"
            seen = await guest.join("SUB-PLAN", name="Guest")
            canaries.append(seen["token"])
            await guest.ask("What did the Sendai Framework change in your city?")
            refused = await wrong.join("SUB-EWS", name="Wrong", key=made.json()["key"])
            assert refused["t"] == "err"
            await chair.sync()
        finally:
            for raw in (chair, guest, wrong):
                await raw.close()

        rapporteur = {"authorization": f"Bearer {workshop.rapporteur_key}"}
        for fmt in FORMATS:
            got = await http.get(f"/api/rooms/SUB-PLAN/transcript.{fmt}", headers=rapporteur)
            assert got.status_code == 200
            exports.append(readable(got.content))
        zipped = await http.get(f"/api/events/{event_id}/transcript.zip", headers=rapporteur)
        assert zipped.status_code == 200
        exports.append(readable(zipped.content))
        # Keys where they do not belong: in a query string, for the wrong room, revoked.
        await http.get(f"/api/rooms/SUB-EWS/transcript.json?key={canaries[-2]}", headers=organiser)
        await http.post(
            f"/api/events/{event_id}/staff/{made.json()['kid']}/revoke", headers=organiser
        )
        await http.get(
            "/api/rooms/SUB-PLAN/transcript.json",
            headers={"authorization": f"Bearer {canaries[-2]}"},
        )

    workshop.server.stop()  # every line written
    # What the server logged once serving: the links `serve` prints for the person who
    # started it come before, on purpose (README: `make run` prints the links to open).
    printed, serving = workshop.server.log().split("INFO:", 1)
    assert "#key=" in printed
    log = serving.encode()
    assert b"SUB-PLAN" in log or b"GET /api" in log  # the log is the real one
    assert b"What did the Sendai Framework" in exports[0]  # the exports are real ones
    for canary in canaries:
        signature = canary.rsplit(".", 1)[-1].encode()  # the part only the server can make
        assert len(signature) >= 20
        assert signature not in log, "a key or token is in the server's log"
        for body in exports:
            assert signature not in body, "a key or token is in an export"
