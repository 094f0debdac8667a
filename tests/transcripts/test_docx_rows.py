"""The DOCX tables' stamped rows are the rows python-docx writes (issue 17).

`docx_report._table` builds the first one-text row with python-docx and copies it for
the others; any row with a tab, a line break, an empty or a missing cell is built by
python-docx as before. The document's XML must be the same either way."""

from __future__ import annotations

import pytest
from docx import Document

from server.transcripts import docx_report
from server.transcripts.outline import Table

ROWS = [
    ["14:05 JST", "13:05 ULAT", "Aiko asked: 避難所は？"],
    ["14:06 JST", "13:06 ULAT", " leading and trailing space "],
    ["14:07 JST", "13:07 ULAT", "a <tag> & an \"ampersand\" 'quote'"],
    ["14:08 JST", "13:08 ULAT", "a\ttab"],
    ["14:09 JST", "13:09 ULAT", "two\nlines"],
    ["14:10 JST", "", "an empty cell"],
    ["14:11 JST", "13:11 ULAT"],
    ["14:12 JST", "13:12 ULAT", "Асуулт: өвлийн цахилгаан"],
    ["14:13 JST", "13:13 ULAT", "trailing\u3000"],
    ["14:14 JST", "13:14 ULAT", "a carriage\rreturn"],
    ["14:15 JST", "13:15 ULAT", "the last"],
]


def _xml(table: Table) -> str:
    doc = Document()
    docx_report._table(doc, table)
    return str(doc.element.xml)


@pytest.mark.parametrize("numeric", [frozenset(), frozenset({1})])
def test_stamped_rows_are_the_rows_python_docx_writes(
    monkeypatch: pytest.MonkeyPatch, numeric: frozenset[int]
) -> None:
    table = Table(["time JST", "time ULAT", "what"], ROWS, numeric)
    stamped = _xml(table)
    monkeypatch.setattr(docx_report, "_one_text", lambda row, columns: False)
    assert stamped == _xml(table)
    assert stamped.count("<w:tr>") + stamped.count("<w:tr ") == len(ROWS) + 1
