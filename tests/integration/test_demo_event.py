"""The demo event on a real server (issue 14): the workshop's programme as `make run`
serves it: titles in three languages, the registry, the slots, and the discussion's three
guiding questions in the join reply and the room API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from client.room_client import RoomClient
from tests.conftest import Workshop, running, start_event_file
from tests.support.server import ROOT

from .helpers import wait_for_frame

DEMO = ROOT / "examples" / "sendai-ulaanbaatar.toml"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Workshop]:
    yield from running(start_event_file(tmp_path, DEMO.read_text("utf-8")))


async def test_the_programme_reaches_the_room_and_the_api(demo: Workshop) -> None:
    async with httpx.AsyncClient(base_url=demo.server.url, timeout=10) as http:
        discuss = (await http.get("/api/rooms/DISCUSS")).json()
        plan = (await http.get("/api/rooms/SUB-PLAN")).json()
        listed = (await http.get("/api/rooms")).json()["rooms"]
    # The landing page's programme (issue 14): every session's slot, with its offset, and
    # the event's zones, in the file's order.
    slots = {r["code"]: (r["starts"], r["ends"]) for r in listed}
    assert slots == {
        "SUB-PLAN": ("2026-12-10T10:00:00+09:00", "2026-12-10T11:30:00+09:00"),
        "SUB-EWS": ("2026-12-10T13:00:00+09:00", "2026-12-10T14:30:00+09:00"),
        "SUB-ECC": ("2026-12-10T14:45:00+09:00", "2026-12-10T16:15:00+09:00"),
        "DISCUSS": ("2026-12-10T16:30:00+09:00", "2026-12-10T17:30:00+09:00"),
    }
    assert all(r["event"]["timezones"] == ["Asia/Tokyo", "Asia/Ulaanbaatar"] for r in listed)
    assert discuss["title"] == {"en": "Discussion", "ja": "意見交換", "mn": "Хэлэлцүүлэг"}
    assert len(discuss["prompts"]) == 3
    led = "このコミットメントや取り組みを始めたきっかけは何でしたか。"
    assert discuss["prompts"][1]["ja"] == led
    assert "prompts" not in plan  # a session without guiding questions has none
    assert plan["starts"] == "2026-12-10T10:00:00+09:00"
    orgs = {o["id"]: o for o in discuss["event"]["organisations"]}
    assert orgs["ulaanbaatar"]["name"]["mn"] == "Улаанбаатар хот"

    url = demo.server.ws_url
    async with (
        RoomClient(url, "DISCUSS", name="Aiko", org="仙台市", lang="ja") as aiko,
        RoomClient(url, "DISCUSS", name="Bat", org="Sendai City", lang="mn") as bat,
    ):
        assert aiko.room is not None and aiko.room["prompts"] == discuss["prompts"]
        # the join reply's room carries its slot too (an addition; old clients ignore it)
        assert (aiko.room["starts"], aiko.room["ends"]) == (
            "2026-12-10T16:30:00+09:00",
            "2026-12-10T17:30:00+09:00",
        )
        assert aiko.me is not None and aiko.me.get("org_id") == "sendai"
        await wait_for_frame(
            bat, lambda f: f.get("t") == "presence" and f["by_org"] == {"sendai": 2}
        )
