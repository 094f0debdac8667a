"""The CSV transcript: one row per question, UTF-8 with a BOM so Excel reads Japanese and
Mongolian correctly.

Columns: text, language, author (or "anonymous"), organisation, votes, status, answer,
then the asked and answered times in each of the event's zones ("asked JST",
"asked ULAT", "answered JST", "answered ULAT" for the Sendai–Ulaanbaatar event), as
"2026-11-27 14:05 JST". Rows are in the order the questions were asked.

A cell that a spreadsheet would take for a formula (starting with = + - @, a tab or a
carriage return) is prefixed with an apostrophe (CSV injection; OWASP's advice).
"""

from __future__ import annotations

import csv
import io

from protocol.lang_text import LANGUAGES

from .report import Report

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str | None) -> str:
    value = text or ""
    return "'" + value if value.startswith(FORMULA_START) else value


def header(report: Report) -> list[str]:
    labels = report.clock.labels
    return [
        "text",
        "language",
        "author",
        "organisation",
        "votes",
        "status",
        "answer",
        *(f"asked {label}" for label in labels),
        *(f"answered {label}" for label in labels),
        *(f"text {lang}" for lang in LANGUAGES),  # translations (issue 14), "" where none
        *(f"answer {lang}" for lang in LANGUAGES),
    ]


def render_csv(report: Report) -> bytes:
    """The whole table (its size is O(questions))."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(report))
    clock = report.clock
    for q in report.questions:
        writer.writerow(
            [
                cell(q.text),
                q.lang,
                "anonymous" if q.author is None else cell(q.author),
                "" if q.org is None else cell(q.org),
                q.votes,
                q.status,
                cell(q.answer),
                *clock.stamps(q.asked_ts),
                *clock.stamps(q.answered_ts),
                *(cell(q.translations.get("text", {}).get(lang)) for lang in LANGUAGES),
                *(cell(q.translations.get("answer", {}).get(lang)) for lang in LANGUAGES),
            ]
        )
    return out.getvalue().encode("utf-8")
