"""The organiser's API end to end on the embedded default (issue 15; server/http/organise.py):
a real server, real HTTP and WebSocket clients, the demo event's organiser link."""

from __future__ import annotations

import time
from typing import Any

import httpx
import segno

from tests.conftest import Workshop
from tests.integration.helpers import Raw

CUT_WITHIN = 5.0
TITLE = {"en": "Discussion: Sendai Framework", "ja": "討論：仙台防災枠組", "mn": "Хэлэлцүүлэг"}


def api(w: Workshop, key: str | None = None) -> httpx.AsyncClient:
    key = w.links["organiser_key"] if key is None else key
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(base_url=w.server.url, headers=headers)


def base(w: Workshop) -> str:
    return f"/api/events/{w.links['event_id']}"


async def test_only_the_events_organiser_gets_in(workshop: Workshop) -> None:
    async with api(workshop, "") as http:
        refused = await http.get(f"{base(workshop)}/organise")
        assert (
            refused.status_code == 401 and "bearer" in refused.headers["www-authenticate"].lower()
        )
    for key in (workshop.moderator_key, "not-a-key"):
        async with api(workshop, key) as http:
            assert (await http.get(f"{base(workshop)}/organise")).status_code == 403
            made = await http.post(f"{base(workshop)}/rooms", json={"title": "Mine"})
            assert made.status_code == 403
    async with api(workshop) as http:
        assert (await http.get("/api/events/no-such-event/organise")).status_code == 404
        seen = (await http.get(f"{base(workshop)}/organise")).json()
    codes = [room["code"] for room in workshop.links["rooms"]]
    assert [room["code"] for room in seen["rooms"]] == codes
    first = seen["rooms"][0]
    assert first["state"] == "open" and first["archived"] is False and first["present"] == 0
    assert first["settings"] == {
        "premoderation": False,
        "anonymous_allowed": True,
        "notes_locked": False,
    }
    assert first["url"] == f"/r/{codes[0]}" and "starts" in first
    founding = {link["kid"] for link in seen["staff"]}
    assert {"event-moderator", "event-organiser", "event-interpreter"} <= founding
    assert "key" not in seen["staff"][0]  # keys are shown once, when made


async def test_an_organiser_builds_the_programme(workshop: Workshop) -> None:
    async with api(workshop) as http:
        made = await http.post(
            f"{base(workshop)}/rooms",
            json={
                "code": "disc-2",
                "title": TITLE,
                "starts": "2026-12-10T15:00:00+09:00",
                "ends": "2026-12-10T16:00:00+09:00",
            },
        )
        assert made.status_code == 201, made.text
        room = made.json()["room"]
        assert (room["code"], room["title"], room["state"]) == ("DISC-2", TITLE, "open")
        again = await http.post(f"{base(workshop)}/rooms", json={"code": "DISC-2", "title": "x"})
        assert again.status_code == 409
        for bad in (
            {"title": ""},
            {"title": {"fr": "Salle"}},
            {"title": "T", "starts": "10:00"},
            {"title": "T", "starts": "2026-12-10T10:00:00"},  # no offset
            {
                "title": "T",
                "starts": "2026-12-10T10:00:00+09:00",
                "ends": "2026-12-10T09:00:00+09:00",
            },
            {"title": "T", "code": "-X"},
        ):
            refused = await http.post(f"{base(workshop)}/rooms", json=bad)
            assert refused.status_code == 400, (bad, refused.text)
            assert refused.json()["error"] == "bad_request"
        generated = (await http.post(f"{base(workshop)}/rooms", json={"title": "Spare"})).json()
        assert generated["room"]["code"].startswith("R-")

        listed = (await http.get("/api/rooms")).json()["rooms"]
        assert "DISC-2" in [r["code"] for r in listed]
        public = (await http.get("/api/rooms/DISC-2")).json()
        assert public["title"] == TITLE and public["starts"] == "2026-12-10T15:00:00+09:00"

        # A participant joins the new room, then the organiser renames and reschedules it.
        guest = await Raw.open(workshop.server.ws_url)
        try:
            ok = await guest.join("DISC-2", name="Bat")
            assert ok["t"] == "ok" and ok["room"]["title"] == TITLE
            changed = await http.patch(
                f"{base(workshop)}/rooms/DISC-2",
                json={"title": {"en": "Wrap-up"}, "starts": None, "ends": None},
            )
            assert changed.status_code == 200, changed.text
            assert changed.json()["room"]["title"] == {"en": "Wrap-up"}
            assert changed.json()["room"]["starts"] is None
            assert changed.json()["room"]["present"] == 1
            later = await Raw.open(workshop.server.ws_url)
            try:
                rejoined = await later.join("DISC-2", name="Dorj")  # the hot room took it
                assert rejoined["room"]["title"] == {"en": "Wrap-up"}
            finally:
                await later.close()
        finally:
            await guest.close()

        codes = [r["code"] for r in (await http.get(f"{base(workshop)}/organise")).json()["rooms"]]
        new_order = [codes[-2], *codes[:-2], codes[-1]]
        ordered = await http.put(f"{base(workshop)}/rooms/order", json={"codes": new_order})
        assert ordered.status_code == 200, ordered.text
        assert [r["code"] for r in ordered.json()["rooms"]] == new_order
        assert (
            await http.put(f"{base(workshop)}/rooms/order", json={"codes": codes[:2]})
        ).status_code == 400

        archived = await http.patch(f"{base(workshop)}/rooms/DISC-2", json={"archived": True})
        assert archived.json()["room"]["archived"] is True
        assert "DISC-2" not in [r["code"] for r in (await http.get("/api/rooms")).json()["rooms"]]
        assert (await http.get("/api/rooms/DISC-2")).status_code == 200  # still readable
        assert (
            await http.patch(f"{base(workshop)}/rooms/NOPE", json={"archived": True})
        ).status_code == 404
        bad_field = await http.patch(f"{base(workshop)}/rooms/DISC-2", json={"colour": "red"})
        assert bad_field.status_code == 400

    # The programme outlives the server.
    workshop.server.stop()
    workshop.server.start()
    async with api(workshop) as http:
        after = (await http.get(f"{base(workshop)}/organise")).json()["rooms"]
        assert [r["code"] for r in after] == new_order
        assert after[0]["archived"] is True and after[0]["title"] == {"en": "Wrap-up"}


async def test_opening_closing_and_defaults_are_the_rooms_own_commands(workshop: Workshop) -> None:
    code = workshop.links["rooms"][0]["code"]
    member = await Raw.open(workshop.server.ws_url)
    try:
        assert (await member.join(code, name="Aya"))["t"] == "ok"
        async with api(workshop) as http:
            closed = await http.patch(
                f"{base(workshop)}/rooms/{code}",
                json={"state": "closed", "settings": {"premoderation": True}},
            )
            assert closed.status_code == 200, closed.text
            assert closed.json()["room"]["state"] == "closed"
            assert closed.json()["room"]["settings"]["premoderation"] is True
            state = await member.expect(lambda f: f.get("type") == "room.state")
            assert state["data"] == {"state": "closed"}
            settings = await member.expect(lambda f: f.get("type") == "room.settings")
            assert settings["data"]["premoderation"] is True
            refused = await member.ask("Is the room still open?")
            assert refused["t"] == "err"
            reopened = await http.patch(f"{base(workshop)}/rooms/{code}", json={"state": "open"})
            assert reopened.json()["room"]["state"] == "open"
            assert (await member.ask("And now?"))["t"] == "ok"
            for bad in (
                {"state": "ajar"},
                {"settings": {"premoderation": "yes"}},
                {"settings": {}},
            ):
                assert (
                    await http.patch(f"{base(workshop)}/rooms/{code}", json=bad)
                ).status_code == 400
    finally:
        await member.close()


async def test_a_link_made_on_the_page_is_revoked_on_the_page(workshop: Workshop) -> None:
    code = workshop.links["rooms"][1]["code"]
    async with api(workshop) as http:
        made = await http.post(
            f"{base(workshop)}/staff",
            json={"role": "moderator", "room": code.lower(), "label": "Chair"},
        )
        assert made.status_code == 201, made.text
        link: dict[str, Any] = made.json()
        assert (link["role"], link["room"], link["label"], link["revoked"]) == (
            "moderator",
            code,
            "Chair",
            None,
        )
        assert link["url"] == f"/r/{code}/moderate#key={link['key']}"
        body = {"role": "interpreter", "room": None, "label": "Booth", "cid": "page-1"}
        first = (await http.post(f"{base(workshop)}/staff", json=body)).json()
        retried = (await http.post(f"{base(workshop)}/staff", json=body)).json()
        assert first["kid"] == retried["kid"]  # a retry of the same cid: the same link
        listed = (await http.get(f"{base(workshop)}/organise")).json()["staff"]
        assert [s["label"] for s in listed].count("Booth") == 1
        for bad in (
            {"role": "king", "room": None, "label": ""},
            {"role": "organiser", "room": code, "label": ""},
            {"role": "moderator", "room": "NOPE", "label": ""},
            {"role": "moderator", "room": None, "label": "x" * 81},
            {"role": "moderator", "room": None, "label": "", "cid": "no spaces"},
        ):
            refused = await http.post(f"{base(workshop)}/staff", json=bad)
            assert refused.status_code in (400, 404), (bad, refused.text)

        chair = await Raw.open(workshop.server.ws_url)
        try:
            ok = await chair.join(code, name="Chair", key=link["key"])
            assert ok["t"] == "ok" and "moderator" in ok["me"]["roles"]
            staff = (await http.get(f"{base(workshop)}/organise")).json()["staff"]
            assert [s["connected"] for s in staff if s["kid"] == link["kid"]] == [1]
            revoked = await http.post(f"{base(workshop)}/staff/{link['kid']}/revoke")
            assert revoked.status_code == 200 and revoked.json()["link"]["revoked"] is not None
            started = time.monotonic()
            assert await chair.closed(wait=CUT_WITHIN + 5) == 1008
            assert time.monotonic() - started < CUT_WITHIN
        finally:
            await chair.close()
        assert (await http.post(f"{base(workshop)}/staff/no-such-kid/revoke")).status_code == 404


async def test_the_organisers_own_link_can_be_cut_off(workshop: Workshop) -> None:
    async with api(workshop) as http:
        second = (
            await http.post(
                f"{base(workshop)}/staff", json={"role": "organiser", "room": None, "label": "Kobe"}
            )
        ).json()
        assert second["url"] == f"/e/{workshop.links['event_id']}/organise#key={second['key']}"
        async with api(workshop, second["key"]) as theirs:
            assert (await theirs.get(f"{base(workshop)}/organise")).status_code == 200
            assert (
                await http.post(f"{base(workshop)}/staff/{second['kid']}/revoke")
            ).status_code == 200
            assert (await theirs.get(f"{base(workshop)}/organise")).status_code == 403


async def test_the_handout_qr_code_is_the_participant_link(workshop: Workshop) -> None:
    code = workshop.links["rooms"][0]["code"]
    async with httpx.AsyncClient(base_url=workshop.server.url) as http:
        qr = await http.get(f"/api/rooms/{code}/qr.svg")
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
        expected = segno.make(f"{workshop.server.url}/r/{code}", error="m")
        assert qr.text.lstrip().startswith("<svg") and len(qr.text) > 500
        mine = expected.svg_inline(scale=8, border=2)
        assert mine.split(" d=")[-1] == qr.text.split(" d=")[-1].strip()  # the same modules
        assert (await http.get("/api/rooms/NOPE/qr.svg")).status_code == 404
        page = await http.get(f"/e/{workshop.links['event_id']}/organise")
        assert page.status_code == 200 and "content-security-policy" in page.headers
        assert (await http.get(f"/r/{code}/handout")).status_code == 200


async def test_the_event_zip_carries_the_desk_without_keys(workshop: Workshop) -> None:
    import io
    import json
    import zipfile

    async with api(workshop) as http:
        made = (
            await http.post(
                f"{base(workshop)}/staff",
                json={"role": "rapporteur", "room": None, "label": "Rapporteur UNDRR"},
            )
        ).json()
        await http.post(f"{base(workshop)}/staff/{made['kid']}/revoke")
        await http.post(f"{base(workshop)}/rooms", json={"code": "EXTRA", "title": "Extra"})
        zipped = await http.get(f"{base(workshop)}/transcript.zip")
    assert zipped.status_code == 200
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        manifest = json.loads(archive.read("event.json"))
        assert "EXTRA/EXTRA-transcript.json" in archive.namelist()
    desk = manifest["desk"]
    assert [r["type"] for r in desk] == ["staff.invited", "staff.revoked", "programme.changed"]
    assert desk[0]["data"]["label"] == "Rapporteur UNDRR" and desk[1]["data"] == {
        "kid": made["kid"]
    }
    assert desk[2]["data"] == {"added": "EXTRA"}
    assert made["key"] not in json.dumps(manifest)
    assert manifest["event"]["extra"]["order"][-1] == "EXTRA"
