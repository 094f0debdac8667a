"""The registry of organisations on a real server (issue 14): a join names a registry id
(`org_id`) or types a name in any language; presence and the report's attendance count
one organisation once, under its id; `me` echoes the id; free text still works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from client.room_client import RoomClient
from tests.conftest import Workshop, running, start_event_file

from .helpers import wait_for_frame

EVENT = """
title = { en = "City-to-city learning", ja = "都市間学習", mn = "Хот хоорондын суралцахуй" }

[[organisations]]
id = "sendai"
name = { en = "Sendai City", ja = "仙台市", mn = "Сендай хот" }
city = "sendai"

[[organisations]]
id = "ub"
name = { en = "Ulaanbaatar City", ja = "ウランバートル市", mn = "Улаанбаатар хот" }
city = "ulaanbaatar"

[[rooms]]
code = "SUB-PLAN"
title = { en = "Planning and Investment", ja = "計画と投資", mn = "Төлөвлөлт ба хөрөнгө оруулалт" }
starts = 2026-12-10T10:00:00+09:00
ends = 2026-12-10T11:30:00+09:00
"""


@pytest.fixture
def multilingual(tmp_path: Path) -> Iterator[Workshop]:
    yield from running(start_event_file(tmp_path, EVENT))


async def test_one_organisation_is_counted_once_whatever_language_it_was_named_in(
    multilingual: Workshop,
) -> None:
    url = multilingual.server.ws_url
    picked = RoomClient(url, "SUB-PLAN", name="Aiko", org_id="sendai", lang="ja")
    typed_ja = RoomClient(url, "SUB-PLAN", name="Kenji", org="仙台市", lang="ja")
    typed_en = RoomClient(url, "SUB-PLAN", name="Bat", org=" ulaanbaatar  city ", lang="mn")
    other = RoomClient(url, "SUB-PLAN", name="Sara", org="Tohoku University")
    clients = [picked, typed_ja, typed_en, other]
    try:
        for c in clients:
            await c.connect()
        expected = {"sendai": 2, "ub": 1, "Tohoku University": 1}
        await wait_for_frame(
            other, lambda f: f.get("t") == "presence" and (f["count"], f["by_org"]) == (4, expected)
        )
        assert picked.me is not None and picked.me.get("org_id") == "sendai"
        assert picked.me["org"] == "仙台市"  # named in the asker's language when only the id came
        assert typed_en.me is not None and typed_en.me.get("org_id") == "ub"
        assert other.me is not None and "org_id" not in other.me
        for i, c in enumerate(clients):
            await c.command("ask", text=f"Question {i} from the floor", lang="en", anon=False)
    finally:
        for c in clients:
            await c.close()

    headers = {"Authorization": f"Bearer {multilingual.rapporteur_key}"}
    base = multilingual.server.url
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        ja = (await http.get("/api/rooms/SUB-PLAN/transcript.md", params={"lang": "ja"})).text
        mn = (await http.get("/api/rooms/SUB-PLAN/transcript.md", params={"lang": "mn"})).text
        room = (await http.get("/api/rooms/SUB-PLAN")).json()
    assert "| 仙台市 | 2 |" in ja and "| ウランバートル市 | 1 |" in ja
    assert "| Сендай хот | 2 |" in mn and "| Tohoku University | 1 |" in mn
    assert "計画と投資" in ja and "都市間学習" in ja
    assert room["title"]["mn"] == "Төлөвлөлт ба хөрөнгө оруулалт"
    assert room["starts"] == "2026-12-10T10:00:00+09:00"
    assert [o["id"] for o in room["event"]["organisations"]] == ["sendai", "ub"]
