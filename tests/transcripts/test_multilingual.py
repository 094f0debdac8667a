"""Transcripts of multilingual text (PROTOCOL.md "Additions"): a poll's title and options
written as language maps are rendered in the report's language, falling back when that
language is missing, in every report form; the JSON log keeps the maps as they were."""

from __future__ import annotations

import dataclasses
import json

from server.backends.base import RoomInfo
from server.backends.embedded import EmbeddedBackend

from .conftest import export
from .support import AIKO, EVENT, MOD, ROOM

TITLE = {"en": "Siren or SMS?", "ja": "サイレンかSMSか？", "mn": "Дуут дохио уу, мессеж үү?"}
SIREN = {"en": "Siren", "ja": "サイレン"}  # no Mongolian: falls back


async def _poll(backend: EmbeddedBackend) -> None:
    event = dataclasses.replace(
        EVENT,
        title={"en": "Workshop", "ja": "ワークショップ", "mn": "Семинар"},
        rooms=tuple(
            dataclasses.replace(r, title={"en": "Planning", "ja": "計画", "mn": "Төлөвлөлт"})
            if r.code == ROOM else r
            for r in EVENT.rooms
        ),
    )  # fmt: skip
    assert all(isinstance(r, RoomInfo) for r in event.rooms)
    await backend.create_event(event)
    script = [
        ("poll.create", {"title": TITLE, "kind": "single", "options": [SIREN, "SMS"]}, MOD),
        ("poll.open", {"poll_id": "p1"}, MOD),
        ("poll.vote", {"poll_id": "p1", "choice": 0}, AIKO),
        ("poll.close", {"poll_id": "p1"}, MOD),
    ]
    for i, (type_, data, actor) in enumerate(script):
        await backend.append(ROOM, type_, data, actor, f"ml-{i}")


async def test_reports_pick_the_report_language(backend: EmbeddedBackend) -> None:
    await _poll(backend)
    ja = (await export(backend, "md", "ja")).decode()
    assert (
        "サイレンかSMSか？" in ja
        and "| サイレン |" in ja
        and "ワークショップ" in ja
        and "計画" in ja
    )
    assert "Siren or SMS?" not in ja
    mn = (await export(backend, "md", "mn")).decode()
    assert "Дуут дохио уу, мессеж үү?" in mn and "| Siren |" in mn and "Семинар" in mn
    html = (await export(backend, "html", "mn")).decode()
    assert "Дуут дохио уу, мессеж үү?" in html and "Төлөвлөлт" in html
    assert "{'en'" not in ja + mn + html  # never a map's Python form


async def test_the_json_log_keeps_the_maps(backend: EmbeddedBackend) -> None:
    await _poll(backend)
    log = json.loads(await export(backend, "json"))
    create = next(entry for entry in log if entry["type"] == "poll.create")
    assert create["data"]["title"] == TITLE
    assert create["data"]["options"] == [SIREN, "SMS"]
