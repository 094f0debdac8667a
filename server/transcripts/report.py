"""The report model: what the Markdown, HTML, DOCX and CSV forms show, in plain data.

Built once from the folded state and the collector of `session_record`; its size is
O(questions + polls + organisations + timeline lines), never O(log). The renderers only
read it (and may run in a worker thread).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from protocol.lang_text import LangText
from server.organisations import Registry
from server.rooms import RoomState

from .clock import Clock

ATTENDANCE_WINDOW = 600.0  # seconds: "peak" is the most distinct actors in one such window
TIMELINE_LIMIT = 2000  # lines kept for the reports; the JSON transcript has everything
TEXT_IN_TIMELINE = 120  # characters of a question quoted in a timeline line
UNANSWERED = ("live", "pending")


@dataclass(slots=True)
class QuestionRow:
    qid: str
    text: str
    lang: str
    author: str | None  # None when anonymous
    org: str | None  # None when anonymous
    votes: int
    status: str
    answer: str | None
    asked_ts: float
    answered_ts: float | None  # the latest `answered`, while the question is answered
    translations: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> lang -> text
    org_id: str | None = None  # the registry's id of `org`, when it is one (issue 14)


@dataclass(slots=True)
class PollRow:
    poll_id: str
    title: LangText
    kind: str
    status: str
    options: list[LangText]
    counts: list[int] | dict[str, int]
    voters: int
    hidden_words: list[str]


@dataclass(slots=True)
class TimelineLine:
    ts: float
    key: str  # a label key, "tl.*"
    params: dict[str, Any]  # `who` is None for an anonymous author


@dataclass(slots=True)
class AttendanceRow:
    org: str
    people: int
    peak: int


class Attendance:
    """Distinct actors by organisation, and the peak within one clock-aligned window.

    Streams: it keeps the organisation of each actor (O(people)) and only the current
    window's active set.
    """

    def __init__(self, window: float = ATTENDANCE_WINDOW) -> None:
        self.window = window
        self.org_of: dict[str, str] = {}
        self._current: int | None = None
        self._active: dict[str, str] = {}
        self.peak_by_org: Counter[str] = Counter()
        self.peak_total = 0

    def see(self, pid: str, org: str, ts: float) -> None:
        org = self.org_of.setdefault(pid, org)
        slot = int(ts // self.window)
        if slot != self._current:
            self._close_window()
            self._current = slot
        self._active[pid] = org

    def _close_window(self) -> None:
        if not self._active:
            return
        for org, n in Counter(self._active.values()).items():
            self.peak_by_org[org] = max(self.peak_by_org[org], n)
        self.peak_total = max(self.peak_total, len(self._active))
        self._active.clear()

    def rows(self) -> tuple[list[AttendanceRow], AttendanceRow]:
        self._close_window()
        people = Counter(self.org_of.values())
        rows = [
            AttendanceRow(org, n, self.peak_by_org[org])
            for org, n in sorted(people.items(), key=lambda item: (-item[1], item[0]))
        ]
        return rows, AttendanceRow("", len(self.org_of), self.peak_total)


@dataclass(slots=True)
class Report:
    event_title: LangText
    room_code: str
    room_title: LangText
    clock: Clock
    exported_ts: float
    first_ts: float | None
    last_ts: float | None
    records: int
    state: str
    questions: list[QuestionRow]
    polls: list[PollRow]
    attendance: list[AttendanceRow]
    attendance_total: AttendanceRow
    timeline: list[TimelineLine]
    timeline_more: int
    notes: str | None
    notes_edits: int
    notes_editors: int
    settings: dict[str, bool] = field(default_factory=dict)
    organisations: dict[str, LangText] = field(default_factory=dict)  # registry id -> name
    prompts: tuple[LangText, ...] = ()  # the session's guiding questions (event file)

    def with_status(self, *statuses: str) -> list[QuestionRow]:
        """Questions in these statuses, most votes first (ties: asked first)."""
        rows = [q for q in self.questions if q.status in statuses]
        return sorted(rows, key=lambda q: (-q.votes, q.asked_ts, q.qid))

    def counts(self) -> dict[str, int]:
        c = Counter(q.status for q in self.questions)
        return {
            "total": len(self.questions),
            "answered": c["answered"],
            "unanswered": c["live"] + c["pending"],
            "dismissed": c["dismissed"],
            "withdrawn": c["withdrawn"],
        }


def notes_text(state: RoomState) -> str | None:
    """The final notes text when the state has notes (issue 5: `state.notes`), else None.

    Accepts a plain string, or an object with a `value`/`text`/`to_text`/`plain_text`
    method or attribute giving a string (`NotesDoc.value()`), or whose `str()` is the
    text; an empty document counts as no notes.
    """
    notes = getattr(state, "notes", None)
    if notes is None:
        return None
    text: Any = notes if isinstance(notes, str) else None
    for name in ("value", "text", "to_text", "plain_text"):
        if text is not None:
            break
        attr = getattr(notes, name, None)
        value = attr() if callable(attr) else attr
        if isinstance(value, str):
            text = value
    if text is None:
        text = str(notes)
    return text if text.strip() else None


def question_rows(state: RoomState, registry: Registry | None = None) -> list[QuestionRow]:
    """Every question, in the order asked; anonymous authors are None. An author's
    organisation that is one of the registry's names (in any language) carries its id, so
    the reports name it in their own language (issue 14)."""
    return [
        QuestionRow(
            qid=q.qid,
            text=q.text,
            lang=q.lang,
            author=None if q.anon else q.author_name,
            org=None if q.anon else q.author_org,
            votes=q.votes,
            status=q.status,
            answer=q.answer,
            asked_ts=q.ts,
            answered_ts=q.answered_ts if q.status == "answered" else None,
            translations=q.translations,
            org_id=None if q.anon or registry is None else registry.resolve(None, q.author_org),
        )
        for q in state.questions.values()
    ]


def poll_rows(state: RoomState) -> list[PollRow]:
    rows = []
    for poll in state.polls.values():
        results = poll.results()
        rows.append(
            PollRow(
                poll_id=poll.poll_id,
                title=poll.title,
                kind=poll.kind,
                status=poll.status,
                options=list(poll.options),
                counts=results["counts"],
                voters=results["voters"],
                hidden_words=sorted(poll.hidden_words),
            )
        )
    return rows


def shorten(text: str, limit: int = TEXT_IN_TIMELINE) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
