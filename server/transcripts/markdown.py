"""The Markdown report: the outline as CommonMark (GitHub tables), for people to edit.

Text people wrote is escaped so that it reads as itself: a question holding `*`, `[`,
`<b>` or `|` shows those characters rather than becoming emphasis, a link, HTML or a
table cell; a line of it that starts like a heading or a list item stays text.
"""

from __future__ import annotations

import re

from .labels import Labels
from .outline import Block, Heading, Para, Questions, Table, outline
from .report import Report

_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def escape(text: str) -> str:
    """One line of text, literal in Markdown."""
    return _LINE_START.sub(r"\1\\\2", _INLINE.sub(r"\\\1", text))


def lines(text: str, indent: str = "") -> str:
    """Multi-line text as hard-broken lines of one paragraph (blank lines dropped)."""
    parts = [escape(line.strip()) for line in text.splitlines() if line.strip()]
    return ("  \n" + indent).join(parts)


def _cell(text: str) -> str:
    return escape(" ".join(text.split()))


def _table(table: Table) -> str:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(_cell(c) for c in cells) + " |"

    rule = [("---:" if i in table.numeric else "---") for i in range(len(table.columns))]
    out = [row(table.columns), "| " + " | ".join(rule) + " |"]
    out += [row(r) for r in table.rows]
    return "\n".join(out)


def _questions(block: Questions, labels: Labels) -> str:
    out = []
    for n, item in enumerate(block.items, 1):
        pad = " " * (len(str(n)) + 2)
        entry = [f"{n}. **{lines(item.text, pad)}**"]
        entry.append(pad + escape(" · ".join(item.facts)))
        if item.answer:
            entry.append("")
            entry.append(f"{pad}> **{escape(labels('answer'))}:** {lines(item.answer, pad + '> ')}")
        for label, _lang, text in item.translations:
            entry.append("")
            entry.append(f"{pad}*{escape(label)}:* {lines(text, pad)}")
        out.append("\n".join(entry))
    return "\n\n".join(out)


def render_block(block: Block, labels: Labels) -> str:
    if isinstance(block, Heading):
        return "#" * (block.level + 1) + " " + escape(" ".join(block.text.split()))
    if isinstance(block, Para):
        if block.kind == "note":
            return "_" + lines(block.text) + "_"
        return lines(block.text)
    if isinstance(block, Table):
        return _table(block)
    return _questions(block, labels)


def render_markdown(report: Report, lang: str = "en") -> bytes:
    labels = Labels(lang)
    text = "\n\n".join(render_block(b, labels) for b in outline(report, labels)) + "\n"
    return text.encode("utf-8")
