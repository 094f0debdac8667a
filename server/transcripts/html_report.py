"""The HTML report: one standalone document with embedded CSS and print styles, so a
browser prints it as a clean PDF (File → Print → Save as PDF).

It is a download, not a page of the app: no script, nothing loaded from elsewhere.
Every piece of text goes through `tag`, which escapes it; only `Markup` made here is
ever inserted as is, so nothing a participant typed can become markup.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .labels import Labels
from .outline import Block, Heading, Para, Questions, Table, outline
from .report import Report

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")

CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f4f5f7; color: #1b1f24;
  font: 15px/1.5 "Noto Sans", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo",
    "Segoe UI", Arial, sans-serif; }
main { max-width: 52rem; margin: 2rem auto; padding: 2rem 2.5rem; background: #fff;
  border: 1px solid #d8dce1; border-radius: 8px; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; padding-bottom: .2rem;
  border-bottom: 2px solid #d8dce1; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .25rem; }
p { margin: .35rem 0; }
p.meta { margin: .1rem 0; color: #3d4550; }
p.note { color: #5b6470; font-size: .9rem; }
p.pre, .text, .answer-text { white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #d8dce1; padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
th { background: #eef0f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.timeline td:not(:last-child) { white-space: nowrap; }
ol.questions { padding-left: 1.6rem; }
ol.questions > li { margin: 0 0 .9rem; padding: .5rem .75rem; border: 1px solid #e3e6ea;
  border-radius: 6px; }
.question .text { font-weight: 600; margin: 0; }
.question .facts { color: #4a525d; font-size: .88rem; margin: .2rem 0 0; }
.question .answer { margin: .5rem 0 0; padding: .35rem .6rem; border-left: 3px solid #2f7d4f;
  background: #f2f8f4; }
.status-dismissed .text, .status-withdrawn .text { color: #5b6470; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; margin: 0; padding: 0; border: 0; border-radius: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  ol.questions > li, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: #eee; }
  .question .answer { background: none; }
}
"""


class Markup(str):
    """HTML made here: inserted as is."""


def text(value: Any) -> Markup:
    return Markup(html.escape(str(value), quote=True))


def tag(name: str, attrs: dict[str, str] | None = None, *children: Any) -> Markup:
    """`<name attrs>children</name>`: strings are escaped, `Markup` is kept."""
    if not _NAME.match(name):
        raise ValueError(f"bad tag name {name!r}")
    parts = [f"<{name}"]
    for key, value in (attrs or {}).items():
        if not _NAME.match(key):
            raise ValueError(f"bad attribute name {key!r}")
        parts.append(f' {key}="{text(value)}"')
    parts.append(">")
    for child in children:
        for item in child if isinstance(child, list) else [child]:
            if item is not None:
                parts.append(item if isinstance(item, Markup) else text(item))
    parts.append(f"</{name}>")
    return Markup("".join(parts))


def _table(block: Table) -> Markup:
    def cells(row: list[str], cell: str) -> list[Markup]:
        return [
            tag(cell, {"class": "num"} if i in block.numeric else None, value)
            for i, value in enumerate(row)
        ]

    head = tag("thead", None, tag("tr", None, cells(block.columns, "th")))
    body = tag("tbody", None, [tag("tr", None, cells(row, "td")) for row in block.rows])
    return tag("table", {"class": block.kind}, head, body)


def _questions(block: Questions, labels: Labels) -> Markup:
    items = []
    for item in block.items:
        parts = [
            tag("p", {"class": "text", "lang": item.lang}, item.text),
            tag("p", {"class": "facts"}, " · ".join(item.facts)),
        ]
        if item.answer:
            parts.append(
                tag(
                    "div",
                    {"class": "answer"},
                    tag("strong", None, labels("answer") + ": "),
                    tag("span", {"class": "answer-text"}, item.answer),
                )
            )
        for label, lang, text in item.translations:
            parts.append(
                tag(
                    "p",
                    {"class": "translation"},
                    tag("em", None, label + ": "),
                    tag("span", {"class": "text", "lang": lang}, text),
                )
            )
        items.append(tag("li", {"class": f"question status-{item.status}"}, parts))
    return tag("ol", {"class": "questions"}, items)


def render_block(block: Block, labels: Labels) -> Markup:
    if isinstance(block, Heading):
        return tag(f"h{block.level + 1}", None, block.text)
    if isinstance(block, Para):
        return tag("p", {"class": block.kind}, block.text)
    if isinstance(block, Table):
        return _table(block)
    return _questions(block, labels)


def render_html(report: Report, lang: str = "en") -> bytes:
    labels = Labels(lang)
    blocks = outline(report, labels)
    title = f"{labels.text(report.room_title)} ({report.room_code}) · {labels('report')}"
    head = tag(
        "head",
        None,
        Markup('<meta charset="utf-8">'),
        Markup('<meta name="viewport" content="width=device-width, initial-scale=1">'),
        tag("title", None, title),
        tag("style", None, Markup(CSS)),
    )
    body = tag("body", None, tag("main", None, [render_block(b, labels) for b in blocks]))
    page = "<!doctype html>\n" + tag("html", {"lang": labels.lang}, head, body) + "\n"
    return page.encode("utf-8")
