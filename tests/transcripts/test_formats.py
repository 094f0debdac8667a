"""Each format parsed back and checked for content, with Japanese and Mongolian text
(issue 6, "Tests"): JSON, CSV, Markdown, HTML and DOCX of the scripted session."""

from __future__ import annotations

import base64
import csv
import io
import json
import re

import docx
from docx.oxml.ns import qn

from server.backends.embedded import EmbeddedBackend

from .conftest import export
from .support import (
    ANSWER_JA,
    ANSWER_MN,
    NOTES_JA,
    NOTES_MN,
    NOTES_TEXT,
    NOTES_UPDATES,
    POLL_OPTIONS,
    POLL_RATING,
    POLL_SINGLE,
    POLL_WORDS,
    Q_ANON_DISMISSED,
    Q_ANON_MN,
    Q_DISMISSED,
    Q_JA,
    Q_MN,
    Q_PENDING,
    QUESTIONS,
    Session,
    script,
)

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} (JST|ULAT)$")


async def test_json_is_the_whole_log_one_object_per_seq(
    backend: EmbeddedBackend, session: Session
) -> None:
    data = await export(backend, "json")
    entries = json.loads(data)
    assert [e["seq"] for e in entries] == list(range(1, session.records + 1))
    assert [e["type"] for e in entries] == [t for t, _, _ in script()]
    for e in entries:
        assert {"seq", "ts", "type", "data", "outcome"} <= e.keys()
        assert isinstance(e["ts"], float)
        assert ("actor" in e) != ("pseudonym" in e)
        assert isinstance(e["outcome"]["ok"], bool)
    # The layout `workshop import` streams: "[", one entry per line, "]".
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == session.records + 2
    text = data.decode("utf-8")
    assert Q_JA in text and Q_MN in text and ANSWER_MN in text  # UTF-8, not \u escapes
    first = entries[0]
    assert first["actor"]["name"] == "佐藤 愛子" and first["actor"]["org"] == "Sendai City"
    assert first["outcome"] == {
        "ok": True,
        "event": "question.asked",
        "result": {"qid": "q1", "status": "live"},
    }
    refused = entries[24]
    assert refused["type"] == "vote" and refused["outcome"]["ok"] is False
    assert refused["outcome"]["code"] == "not_found"  # never public: not even seen
    notes = entries[41]
    assert notes["type"] == "notes.update" and notes["b64"] == [["data", "u"]]
    assert base64.b64decode(notes["data"]["u"]) == NOTES_UPDATES[0]
    assert notes["outcome"]["ok"] is True


async def test_csv_one_row_per_question_with_bom(
    backend: EmbeddedBackend, session: Session
) -> None:
    data = await export(backend, "csv")
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel reads Japanese and Mongolian"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0].keys()) == [
        "text", "language", "author", "organisation", "votes", "status", "answer",
        "asked JST", "asked ULAT", "answered JST", "answered ULAT",
        "text en", "text ja", "text mn", "answer en", "answer ja", "answer mn",  # issue 14
    ]  # fmt: skip
    assert [r["text"] for r in rows] == QUESTIONS
    by_text = {r["text"]: r for r in rows}
    ja = by_text[Q_JA]
    assert (ja["language"], ja["author"], ja["organisation"]) == ("ja", "佐藤 愛子", "Sendai City")
    assert (ja["votes"], ja["status"], ja["answer"]) == ("2", "answered", ANSWER_JA)
    for key in ("asked JST", "asked ULAT", "answered JST", "answered ULAT"):
        assert STAMP.match(ja[key]), ja[key]
        assert ja[key].endswith(key.split()[1])
    mn = by_text[Q_MN]
    assert (mn["language"], mn["author"], mn["status"], mn["answer"]) == (
        "mn", "Батбаяр", "live", ANSWER_MN,
    )  # fmt: skip
    assert mn["answered JST"] == "" and mn["votes"] == "1"
    anon = by_text[Q_ANON_MN]
    assert (anon["author"], anon["organisation"], anon["votes"]) == ("anonymous", "", "3")
    assert by_text[Q_PENDING]["status"] == "pending"
    assert by_text[Q_DISMISSED]["status"] == "dismissed"
    assert by_text[Q_ANON_DISMISSED]["author"] == "anonymous"


async def test_markdown_report(backend: EmbeddedBackend, session: Session) -> None:
    text = (await export(backend, "md")).decode("utf-8")
    for q in [Q_JA, Q_MN, Q_ANON_MN, Q_ANON_DISMISSED, Q_DISMISSED]:
        assert q in text, q
    assert r"How are schools prepared for \<b\>winter\</b\> storms?" in text  # escaped
    assert "地域ごとの危険度と収容人数で選びます。" in text and "二行目の回答。" in text
    assert ANSWER_MN in text
    assert "JST" in text and "ULAT" in text
    assert "## Dismissed questions (2)" in text and "## Withdrawn questions (1)" in text
    # Poll results with their voters.
    assert "### " + POLL_SINGLE in text
    assert "| 洪水 / Үер | 2 |" in text and "| 地震 / Газар хөдлөлт | 1 |" in text
    assert "single choice · closed · 3 voters" in text
    assert POLL_RATING in text and "| 5 stars | 1 |" in text and "| 4 stars | 1 |" in text
    assert POLL_WORDS in text and "| 協力 | 1 |" in text and "| хамтын ажиллагаа | 1 |" in text
    assert "Hidden words (not counted): spam" in text
    # Ordered: answered first, unanswered apart, by votes.
    answered = text.index("## Answered questions")
    unanswered = text.index("## Unanswered questions")
    assert answered < text.index(Q_JA) < unanswered < text.index(Q_ANON_MN) < text.index(Q_MN)
    assert "## Timeline" in text and "Room closed (read only)" in text
    assert "Now answering: " + Q_MN in text
    assert "## Notes" in text and NOTES_JA in text and NOTES_MN in text
    assert "2 edits to the shared notes by 2 people." in text


async def test_html_report_is_standalone_escaped_and_printable(
    backend: EmbeddedBackend, session: Session
) -> None:
    page = (await export(backend, "html")).decode("utf-8")
    assert page.startswith("<!doctype html>") and '<html lang="en">' in page
    assert "<script" not in page and "<link" not in page and "src=" not in page
    assert "@media print" in page and "@page" in page
    for q in [Q_JA, Q_MN, Q_ANON_MN, Q_ANON_DISMISSED, Q_DISMISSED]:
        assert q in page, q
    assert "&lt;b&gt;winter&lt;/b&gt;" in page and "<b>winter" not in page
    assert ANSWER_JA in page and ANSWER_MN in page
    assert f'lang="mn">{Q_MN}<' in page and f'lang="ja">{Q_JA}<' in page
    assert "JST" in page and "ULAT" in page
    assert "Dismissed questions (2)" in page
    assert "3 voters" in page and "洪水 / Үер" in page
    assert f'<p class="pre">{NOTES_TEXT}</p>' in page  # line breaks kept (pre-wrap)


async def test_reports_in_japanese_and_mongolian(
    backend: EmbeddedBackend, session: Session
) -> None:
    ja = (await export(backend, "md", "ja")).decode("utf-8")
    assert "## 回答済みの質問" in ja and "## 却下された質問（2 件）" in ja and "投票者 3 人" in ja
    mn = (await export(backend, "html", "mn")).decode("utf-8")
    assert '<html lang="mn">' in mn and "Татгалзсан асуултууд (2)" in mn and "3 санал өгөгч" in mn
    for text in (ja, mn):
        assert Q_JA in text and Q_MN in text and "JST" in text and "ULAT" in text


async def test_docx_reads_back_with_headings_table_and_fonts(
    backend: EmbeddedBackend, session: Session
) -> None:
    document = docx.Document(io.BytesIO(await export(backend, "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Answered questions" in headings and "Dismissed questions (2)" in headings
    assert POLL_SINGLE in headings and "Timeline" in headings
    assert document.paragraphs[0].style.name == "Title"
    questions = next(t for t in document.tables if t.rows[0].cells[0].text == "Question")
    cells = [[c.text for c in row.cells] for row in questions.rows]
    assert cells[0] == ["Question", "Votes", "Status", "Asked by", "Asked"]
    first = cells[1]
    assert first[0].startswith(Q_JA) and "地域ごとの危険度" in first[0]
    assert first[1:4] == ["2", "answered", "佐藤 愛子 (Sendai City)"]
    assert "JST" in first[4] and "ULAT" in first[4]
    every_cell = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for q in QUESTIONS:
        assert q in every_cell, q
    assert ANSWER_MN in every_cell and "洪水 / Үер" in every_cell
    # Fonts for Japanese (eastAsia) and Mongolian Cyrillic (ascii/hAnsi/cs), no theme fonts.
    for name in ("Normal", "Heading 1", "Title"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "MS Gothic"
        assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Arial"
        assert fonts.get(qn("w:asciiTheme")) is None
    langs = {lang.get(qn("w:val")) for lang in document.element.body.iter(qn("w:lang"))}
    assert {"ja-JP", "mn-MN"} <= langs
    assert POLL_OPTIONS[1] in every_cell
    paragraphs = [p.text for p in document.paragraphs]
    assert NOTES_JA in paragraphs and NOTES_MN in paragraphs
