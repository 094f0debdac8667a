"""The report as a list of blocks, in one language: what Markdown, HTML and DOCX render.

Every string here is plain text as people wrote it; each renderer escapes for its own
format. The order of sections is the report's (issue 6): title and times, summary,
attendance, answered questions by votes, unanswered questions apart, dismissed and
withdrawn questions with their counts, polls with their voters, notes, timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .labels import Labels
from .report import PollRow, QuestionRow, Report, shorten


@dataclass(slots=True)
class Heading:
    level: int  # 0: the document's title; 1: a section; 2: a subsection
    text: str


@dataclass(slots=True)
class Para:
    text: str
    kind: str = "text"  # "text", "meta" (under the title), "note" (small print), "pre"


@dataclass(slots=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()  # columns aligned right
    kind: str = "table"  # a class name for HTML: "attendance", "poll", "timeline"


@dataclass(slots=True)
class QuestionItem:
    text: str
    lang: str
    votes: int
    status: str  # the raw status, for styling
    status_label: str
    who: str  # "Aiko (Sendai City)", or "anonymous" in the report's language
    asked: list[str]  # the asked time in each zone
    answered: list[str]  # the answered time in each zone, or []
    facts: list[str]  # the above as labelled phrases: "5 votes", "answered", "Asked by: …"
    answer: str | None
    # (label, lang, text): "Translation (Mongolian)", "mn", "…"; the text's, then the answer's
    translations: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Questions:
    items: list[QuestionItem] = field(default_factory=list)


Block = Heading | Para | Table | Questions


def _who(labels: Labels, author: str | None, org: str | None) -> str:
    if author is None:
        return labels("anonymous")
    return f"{author} ({org})" if org else author


def _question(report: Report, labels: Labels, q: QuestionRow) -> QuestionItem:
    clock = report.clock
    org = q.org
    if q.org_id is not None and q.org_id in report.organisations:
        org = labels.text(report.organisations[q.org_id])  # the registry's, in this language
    who = _who(labels, q.author, org)
    status = labels(f"status.{q.status}")

    def report_first(item: tuple[str, str]) -> tuple[bool, str]:
        """The report's own language first: a reader of a ja report reads ja under the text."""
        return (item[0] != labels.lang, item[0])

    facts = [
        labels("votes_n", n=q.votes),
        status,
        f"{labels('by')}: {who}",
        f"{labels('asked')}: {clock.dual(q.asked_ts)}",
    ]
    answered = clock.stamps(q.answered_ts) if q.answered_ts is not None else []
    if answered:
        facts.append(f"{labels('answered_at')}: {clock.dual(q.answered_ts)}")
    return QuestionItem(
        text=q.text,
        lang=q.lang,
        votes=q.votes,
        status=q.status,
        status_label=status,
        who=who,
        asked=clock.stamps(q.asked_ts),
        answered=answered,
        facts=facts,
        answer=q.answer,
        translations=[
            (labels(key, lang=labels(f"lang.{lang}")), lang, text)
            for part, key in (("text", "translation"), ("answer", "answer_translation"))
            for lang, text in sorted(q.translations.get(part, {}).items(), key=report_first)
        ],
    )


def _questions(report: Report, labels: Labels, rows: list[QuestionRow]) -> list[Block]:
    if not rows:
        return [Para(labels("none"))]
    return [Questions([_question(report, labels, q) for q in rows])]


def _poll(labels: Labels, poll: PollRow) -> list[Block]:
    meta = " · ".join(
        [
            labels(f"kind.{poll.kind}"),
            labels(f"poll_status.{poll.status}"),
            labels("voters_n", n=poll.voters),
        ]
    )
    blocks: list[Block] = [Heading(2, labels.text(poll.title)), Para(meta, "meta")]
    if isinstance(poll.counts, dict):
        ranked = sorted(poll.counts.items(), key=lambda item: (-item[1], item[0]))
        rows = [[word, str(n)] for word, n in ranked]
        blocks.append(Table([labels("word"), labels("count")], rows, frozenset({1}), "poll"))
    else:
        if poll.kind == "rating":
            names = [labels("stars", n=i + 1) for i in range(len(poll.counts))]
        else:
            names = [labels.text(option) for option in poll.options]
        rows = [[name, str(n)] for name, n in zip(names, poll.counts, strict=False)]
        blocks.append(Table([labels("option"), labels("count")], rows, frozenset({1}), "poll"))
    if poll.hidden_words:
        blocks.append(Para(labels("hidden_words", words=", ".join(poll.hidden_words)), "note"))
    return blocks


def _timeline_text(labels: Labels, key: str, params: dict[str, object]) -> str:
    values = dict(params)
    if "title" in values:  # a poll's title: a string or a language map, shortened here
        values["title"] = shorten(labels.text(values["title"]))  # type: ignore[arg-type]
    if "who" in values:  # an author "Aiko (Sendai City)": a language map for the registry's
        who = values["who"]
        values["who"] = labels("anonymous") if who is None else labels.text(who)  # type: ignore[arg-type]
    if isinstance(values.get("changes"), dict):
        changes = values["changes"]
        assert isinstance(changes, dict)
        values["changes"] = ", ".join(
            f"{labels(f'setting.{k}')}: {labels('on' if v else 'off')}" for k, v in changes.items()
        )
    return labels(key, **values)


def outline(report: Report, labels: Labels) -> list[Block]:
    clock = report.clock
    blocks: list[Block] = [
        Heading(0, labels.text(report.event_title) or labels("report")),
        Para(f"{labels('session')}: {labels.text(report.room_title)} ({report.room_code})", "meta"),
    ]
    spans = clock.spans(report.first_ts, report.last_ts)
    if spans:
        blocks.append(Para(f"{labels('when')}: {' / '.join(spans)}", "meta"))
    blocks.append(Para(f"{labels('exported')}: {clock.dual(report.exported_ts)}", "meta"))
    blocks.append(Para(labels("log_size", n=report.records), "meta"))

    counts = report.counts()
    blocks += [
        Heading(1, labels("summary")),
        Para(labels("summary_questions", **counts)),
        Para(labels("summary_polls", n=len(report.polls))),
        Para(labels("summary_state", state=labels(f"state.{report.state}"))),
    ]

    if report.prompts:
        blocks.append(Heading(1, labels("guiding_questions")))
        blocks += [Para(f"{i}. {labels.text(p)}") for i, p in enumerate(report.prompts, 1)]

    blocks += [Heading(1, labels("attendance")), Para(labels("attendance_note"), "note")]
    if report.attendance:
        rows = [
            [labels.text(report.organisations.get(a.org, a.org)) or labels("no_org"),
             str(a.people), str(a.peak)]
            for a in report.attendance
        ]  # fmt: skip
        total = report.attendance_total
        rows.append([labels("total"), str(total.people), str(total.peak)])
        columns = [labels("org"), labels("people"), labels("peak")]
        blocks.append(Table(columns, rows, frozenset({1, 2}), "attendance"))
    else:
        blocks.append(Para(labels("nobody")))

    blocks += [Heading(1, labels("answered_questions")), Para(labels("by_votes"), "note")]
    blocks += _questions(report, labels, report.with_status("answered"))
    blocks += [Heading(1, labels("unanswered_questions")), Para(labels("unanswered_note"), "note")]
    blocks += _questions(report, labels, report.with_status("live", "pending"))
    dismissed = report.with_status("dismissed")
    blocks += [
        Heading(1, labels("dismissed_questions", n=len(dismissed))),
        Para(labels("dismissed_note"), "note"),
    ]
    blocks += _questions(report, labels, dismissed)
    withdrawn = report.with_status("withdrawn")
    blocks.append(Heading(1, labels("withdrawn_questions", n=len(withdrawn))))
    blocks += _questions(report, labels, withdrawn)

    blocks.append(Heading(1, labels("polls")))
    if not report.polls:
        blocks.append(Para(labels("no_polls")))
    for poll in report.polls:
        blocks += _poll(labels, poll)

    blocks.append(Heading(1, labels("notes")))
    blocks.append(Para(report.notes, "pre") if report.notes else Para(labels("no_notes")))
    if report.notes_edits:
        edits = labels("notes_edits", n=report.notes_edits, people=report.notes_editors)
        blocks.append(Para(edits, "note"))

    blocks.append(Heading(1, labels("timeline")))
    if report.timeline:
        rows = [
            [*clock.stamps(line.ts), _timeline_text(labels, line.key, line.params)]
            for line in report.timeline
        ]
        blocks.append(Table([*clock.labels, labels("what")], rows, kind="timeline"))
    else:
        blocks.append(Para(labels("none")))
    if report.timeline_more:
        blocks.append(Para(labels("timeline_more", n=report.timeline_more), "note"))
    return blocks
