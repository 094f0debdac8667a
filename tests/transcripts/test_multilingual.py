"""Transcripts of multilingual text (PROTOCOL.md "Additions"): a poll's title and options
written as language maps are rendered in the report's language, falling back when that
language is missing, in every report form; the JSON log keeps the maps as they were."""

from __future__ import annotations

import dataclasses
import io
import json

import docx

from server.backends.base import RoomInfo
from server.backends.embedded import EmbeddedBackend

from .conftest import export
from .support import AIKO, EVENT, MOD, ROOM

TITLE = {"en": "Siren or SMS?", "ja": "サイレンかSMSか？", "mn": "Дуут дохио уу, мессеж үү?"}
SIREN = {"en": "Siren", "ja": "サイレン"}  # no Mongolian: falls back
MN_TEXT, EN_ANSWER = "Хоргодох байрны шалгуур юу вэ?", "The city has criteria."


Script = list[tuple[str, dict[str, object], dict[str, object]]]


async def _play(backend: EmbeddedBackend, script: Script, prefix: str) -> None:
    """Appends (type, data, actor) records to ROOM's log, one command id each."""
    for i, (type_, data, actor) in enumerate(script):
        await backend.append(ROOM, type_, data, actor, f"{prefix}-{i}")


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
    script: Script = [
        ("poll.create", {"title": TITLE, "kind": "single", "options": [SIREN, "SMS"]}, MOD),
        ("poll.open", {"poll_id": "p1"}, MOD),
        ("poll.vote", {"poll_id": "p1", "choice": 0}, AIKO),
        ("poll.close", {"poll_id": "p1"}, MOD),
    ]
    await _play(backend, script, "ml")


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


async def test_every_form_carries_the_translations_beside_the_original(
    backend: EmbeddedBackend,
) -> None:
    await backend.create_event(EVENT)
    who = {**MOD, "pid": "1e7e000000000006", "name": "Ichiro", "roles": ["interpreter"]}
    script: Script = [
        ("ask", {"text": "避難所の基準は何ですか？", "lang": "ja", "anon": False}, AIKO),
        ("answer", {"qid": "q1", "text": "市の基準があります。"}, MOD),
        ("translate", {"qid": "q1", "field": "text", "lang": "mn", "text": MN_TEXT}, who),
        ("translate", {"qid": "q1", "field": "answer", "lang": "en", "text": EN_ANSWER}, who),
    ]  # fmt: skip
    await _play(backend, script, "tr")
    md = (await export(backend, "md", "mn")).decode()
    assert "*Орчуулга (Монгол):* Хоргодох байрны шалгуур юу вэ?" in md
    assert "*Хариултын орчуулга (Англи):* The city has criteria." in md
    html = (await export(backend, "html", "en")).decode()
    assert 'lang="mn">Хоргодох байрны шалгуур юу вэ?' in html
    assert "Translation (Mongolian)" in html and "Answer, translated (English)" in html
    table = (await export(backend, "csv")).decode("utf-8-sig")
    assert "Хоргодох байрны шалгуур юу вэ?" in table and "The city has criteria." in table
    assert "text mn" in table.splitlines()[0]
    docx_bytes = await export(backend, "docx", "ja")
    assert docx_bytes[:2] == b"PK"
    text = "\n".join(
        p.text
        for t in docx.Document(io.BytesIO(docx_bytes)).tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
    )
    assert "翻訳（モンゴル語）: Хоргодох байрны шалгуур юу вэ?" in text


async def test_a_report_reads_first_in_its_own_language(backend: EmbeddedBackend) -> None:
    """Issue 14: under each question, the translation into the report's language comes
    first (then the others); the session's guiding questions open the report in its
    language."""
    prompts = ({"en": "What led you to this?", "ja": "きっかけは何でしたか。"}, "Why now?")
    event = dataclasses.replace(
        EVENT,
        rooms=tuple(
            dataclasses.replace(r, prompts=prompts) if r.code == ROOM else r for r in EVENT.rooms
        ),
    )
    await backend.create_event(event)
    who = {**MOD, "pid": "1e7e000000000006", "name": "Ichiro", "roles": ["interpreter"]}
    ja_text = "避難所の選び方は？"
    script: Script = [
        ("ask", {"text": "How are shelters chosen?", "lang": "en", "anon": False}, AIKO),
        ("translate", {"qid": "q1", "field": "text", "lang": "ja", "text": ja_text}, who),
        ("translate", {"qid": "q1", "field": "text", "lang": "mn", "text": MN_TEXT}, who),
    ]  # fmt: skip
    await _play(backend, script, "rf")
    mn = (await export(backend, "md", "mn")).decode()
    assert mn.index(MN_TEXT) < mn.index("避難所の選び方は？")
    ja = (await export(backend, "md", "ja")).decode()
    assert ja.index("避難所の選び方は？") < ja.index(MN_TEXT)
    assert "## このセッションで考える問い" in ja
    assert "1. きっかけは何でしたか。" in ja and "2. Why now?" in ja
    en = (await export(backend, "html", "en")).decode()
    assert "Guiding questions" in en and "1. What led you to this?" in en
