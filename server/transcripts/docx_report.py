"""The DOCX report: the same outline as a real Word document (python-docx), with
headings, a questions table, and fonts that render Japanese and Mongolian.

Fonts: Word picks a run's font by script. `w:eastAsia` (Japanese) is set to a CJK font
and `w:ascii`/`w:hAnsi`/`w:cs` (Latin and Mongolian Cyrillic) to one with Cyrillic, on
the document defaults and on every style used, with the template's theme fonts removed
(they would win over named fonts). Runs of people's text carry their language (ja-JP,
mn-MN, en-GB) for spelling and line breaking. The document is built in memory once the
log is folded: its size is O(questions), not O(log).
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from .labels import Labels
from .outline import Block, Heading, Para, Questions, Table, outline
from .report import Report

LATIN_FONT = "Arial"  # has Cyrillic; on every Windows and macOS (Liberation Sans elsewhere)
EAST_ASIAN_FONT = "MS Gothic"  # on every Windows, and shipped with Office for Mac
LANG_TAGS = {"en": "en-GB", "ja": "ja-JP", "mn": "mn-MN"}
STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid")
MUTED = RGBColor(0x55, 0x5E, 0x69)


def _child(parent: Any, name: str) -> Any:
    found = parent.find(qn(name))
    if found is None:
        found = OxmlElement(name)
        parent.append(found)
    return found


def set_fonts(rpr: Any) -> None:
    """Named fonts for Latin/Cyrillic and East Asian text on one `w:rPr`."""
    fonts = rpr.get_or_add_rFonts()  # in its schema position
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")  # rPr children after w:lang


def set_lang(rpr: Any, lang: str) -> None:
    """`w:lang` of one `w:rPr` (kept in its schema position: Word is strict about it)."""
    tag = rpr.find(qn("w:lang"))
    if tag is None:
        tag = OxmlElement("w:lang")
        later = [rpr.find(qn(name)) for name in _AFTER_LANG]
        following = next((el for el in later if el is not None), None)
        if following is None:
            rpr.append(tag)
        else:
            following.addprevious(tag)
    tag.set(qn("w:val"), LANG_TAGS.get(lang, "en-GB"))
    tag.set(qn("w:eastAsia"), "ja-JP")


def _prepare(doc: Any, lang: str) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = _child(_child(defaults, "w:rPrDefault"), "w:rPr")
        set_fonts(rpr)
        set_lang(rpr, lang)
    for name in STYLES:
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        set_fonts(style.element.get_or_add_rPr())
    doc.styles["Normal"].font.size = Pt(10.5)


def _run(paragraph: Any, text: str, lang: str | None = None, **fmt: Any) -> Any:
    run = paragraph.add_run(text)
    if lang is not None:
        set_lang(run._r.get_or_add_rPr(), lang)
    run.bold = fmt.get("bold")
    run.italic = fmt.get("italic")
    if fmt.get("muted"):
        run.font.color.rgb = MUTED
    if fmt.get("size"):
        run.font.size = Pt(fmt["size"])
    return run


def _repeat_header(row: Any) -> None:
    _child(row._tr.get_or_add_trPr(), "w:tblHeader").set(qn("w:val"), "true")


def _cell_text(cell: Any, text: str, lang: str | None = None, **fmt: Any) -> None:
    lines = text.split("\n") or [""]
    first = cell.paragraphs[0]
    _run(first, lines[0], lang, **fmt)
    for line in lines[1:]:
        _run(cell.add_paragraph(), line, lang, **fmt)


_BREAKS = frozenset("\t\r\n")  # what python-docx writes as elements of their own
_T, _SPACE = qn("w:t"), qn("xml:space")


def _one_text(row: Sequence[str], columns: int) -> bool:
    """Whether a row fills every column and every cell is one `w:t` (text without a tab
    or a line break, as python-docx writes it), so it can be stamped from another."""
    return len(row) == columns and all(v and not _BREAKS.intersection(v) for v in row)


def _stamp(template: Any, row: Sequence[str]) -> Any:
    """A copy of a one-text row's `w:tr` with `row`'s texts: the same XML python-docx
    writes for it, at a fraction of the cost (issue 17: the timeline's 1,000 rows were a
    third of a 100k-event DOCX export)."""
    tr = copy.deepcopy(template)
    for t, text in zip(tr.iter(_T), row, strict=True):
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_SPACE, "preserve")
        else:
            t.attrib.pop(_SPACE, None)
    return tr


def _table(doc: Any, block: Table) -> None:
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    for i, name in enumerate(block.columns):
        _cell_text(table.rows[0].cells[i], name, bold=True)
    _repeat_header(table.rows[0])
    columns = len(block.columns)
    template = None  # the `w:tr` of the first one-text row, as python-docx wrote it
    for row in block.rows:
        if template is not None and _one_text(row, columns):
            table._tbl.append(_stamp(template, row))  # rows are the table's last children
            continue
        added = table.add_row()
        cells = added.cells
        for i, value in enumerate(row):
            _cell_text(cells[i], value)
            if i in block.numeric:
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if template is None and _one_text(row, columns):
            template = copy.deepcopy(added._tr)


def _questions(doc: Any, block: Questions, labels: Labels) -> None:
    """The questions table: question (and answer) | votes | status | asked by | times."""
    columns = [labels("question"), labels("votes"), labels("status"), labels("by"), labels("asked")]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for i, name in enumerate(columns):
        _cell_text(table.rows[0].cells[i], name, bold=True)
    _repeat_header(table.rows[0])
    for item in block.items:
        cells = table.add_row().cells
        _cell_text(cells[0], item.text, item.lang)
        if item.answer:
            answer = cells[0].add_paragraph()
            _run(answer, labels("answer") + ": ", bold=True, size=9.5)
            lines = item.answer.split("\n")
            _run(answer, lines[0], item.lang, italic=True, size=9.5)
            for line in lines[1:]:
                _run(cells[0].add_paragraph(), line, item.lang, italic=True, size=9.5)
        for label, lang, text in item.translations:
            translated = cells[0].add_paragraph()
            _run(translated, label + ": ", italic=True, size=9.5)
            first, *rest = text.split("\n")
            _run(translated, first, lang, size=9.5)
            for line in rest:
                _run(cells[0].add_paragraph(), line, lang, size=9.5)
        _cell_text(cells[1], str(item.votes))
        cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _cell_text(cells[2], item.status_label)
        _cell_text(cells[3], item.who)
        times = list(item.asked)
        if item.answered:
            times += [f"{labels('answered_at')}:", *item.answered]
        _cell_text(cells[4], "\n".join(times), size=9)


def _block(doc: Any, block: Block, labels: Labels) -> None:
    if isinstance(block, Heading):
        doc.add_heading(block.text, level=block.level)
    elif isinstance(block, Para):
        if block.kind == "pre":
            for line in block.text.split("\n"):
                _run(doc.add_paragraph(), line)
        else:
            note = block.kind == "note"
            _run(doc.add_paragraph(), block.text, italic=note or None, muted=note, size=None)
    elif isinstance(block, Table):
        _table(doc, block)
    else:
        _questions(doc, block, labels)


def render_docx(report: Report, lang: str = "en") -> bytes:
    labels = Labels(lang)
    doc = Document()
    _prepare(doc, labels.lang)
    props = doc.core_properties
    props.title = f"{labels.text(report.room_title)} ({report.room_code})"
    props.subject = labels.text(report.event_title)
    props.language = LANG_TAGS[labels.lang]
    props.author = "workshop"
    for block in outline(report, labels):
        _block(doc, block, labels)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
