"""The server's admin link (issue 15; server/http/events.py): printed at the first start and
by `workshop links --admin`, it creates events over HTTP, each with its organiser link; no
other key does."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import Workshop
from tests.support.server import EXAMPLE, ServerProcess
from tests.support.server import workshop as workshop_cli

EVENT = {
    "title": {"en": "MCR2030 follow-up", "ja": "MCR2030 フォローアップ", "mn": "MCR2030 үргэлжлэл"},
    "rooms": [
        {
            "code": "FOLLOW-1",
            "title": {"en": "Commitments", "ja": "コミットメント", "mn": "Амлалт"},
            "starts": "2027-02-03T10:00:00+08:00",
            "ends": "2027-02-03T11:00:00+08:00",
        }
    ],
}


def admin_key(data_dir: Path) -> str:
    done = workshop_cli("links", "--admin", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    found = re.fullmatch(r"\S+/admin#key=(\S+)\n", done.stdout)
    assert found is not None, done.stdout
    return found.group(1)


def test_the_first_start_prints_the_admin_link_once(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, args=("--seed", str(EXAMPLE)))
    server.start()
    server.stop()
    server.start()
    server.stop()
    printed = re.findall(r"server admin .*?(\S+/admin#key=\S+)", server.log())
    assert len(printed) == 1
    assert printed[0].endswith(admin_key(tmp_path))


async def test_the_admin_creates_an_event_and_its_organiser_takes_over(workshop: Workshop) -> None:
    key = admin_key(workshop.server.data_dir)
    async with httpx.AsyncClient(base_url=workshop.server.url) as http:
        assert (await http.post("/api/events", json=EVENT)).status_code == 401
        for other in (workshop.moderator_key, workshop.links["organiser_key"], "x"):
            auth = {"authorization": f"Bearer {other}"}
            assert (await http.post("/api/events", json=EVENT, headers=auth)).status_code == 403
            assert (await http.get("/api/events", headers=auth)).status_code == 403
        auth = {"authorization": f"Bearer {key}"}
        made = await http.post("/api/events", json=EVENT, headers=auth)
        assert made.status_code == 201, made.text
        event = made.json()
        assert event["title"] == EVENT["title"] and event["rooms"] == ["FOLLOW-1"]
        assert event["organiser_url"].startswith(f"/e/{event['event_id']}/organise#key=")
        again = await http.post("/api/events", json=EVENT, headers=auth)
        assert again.status_code == 409  # FOLLOW-1 is taken
        for bad in ({"title": "No rooms"}, {**EVENT, "rooms": [{"code": "X1", "title": ""}]}, [1]):
            refused = await http.post("/api/events", json=bad, headers=auth)
            assert refused.status_code == 400 and refused.json()["detail"], refused.text
        toml = 'title = "From a file"\n[[rooms]]\ncode = "TOML-1"\ntitle = "One"\n'
        from_file = await http.post(
            "/api/events", content=toml, headers={**auth, "content-type": "application/toml"}
        )
        assert from_file.status_code == 201, from_file.text
        listed = (await http.get("/api/events", headers=auth)).json()["events"]
        assert [e["event_id"] for e in listed][-2:] == [
            event["event_id"],
            from_file.json()["event_id"],
        ]

        organiser = event["organiser_url"].split("#key=")[1]
        seen = await http.get(
            f"/api/events/{event['event_id']}/organise",
            headers={"authorization": f"Bearer {organiser}"},
        )
        assert seen.status_code == 200
        assert seen.json()["rooms"][0]["starts"] == "2027-02-03T10:00:00+08:00"
        assert (await http.get("/admin")).status_code == 200
