"""The report's words in English, Japanese and Mongolian (`?lang=ja|mn`, `--lang`).

Only the report's own headings and phrases are translated; what people wrote stays as
they wrote it. A missing key falls back to English, and `format` leaves unknown
placeholders alone, so a gap shows as English rather than as an error.
"""

from __future__ import annotations

from typing import Any

from protocol.lang_text import LangText, text_in

from .translations import JA, MN

LANGS = ("en", "ja", "mn")

EN: dict[str, str] = {
    "report": "Session report",
    "event": "Event",
    "session": "Session",
    "room_code": "Room code",
    "when": "Date and time",
    "exported": "Exported",
    "log_size": "{n} events in the log",
    "summary": "Summary",
    "guiding_questions": "Guiding questions",
    "summary_questions": "Questions: {total} (answered {answered}, unanswered {unanswered},"
    " dismissed {dismissed}, withdrawn {withdrawn})",
    "summary_polls": "Polls: {n}",
    "summary_state": "The room is {state}.",
    "attendance": "Attendance by organisation",
    "attendance_note": "Counted from the log, not from presence (which is not recorded): people"
    " who asked, voted, moderated or edited the notes. People who only listened are not"
    " counted, and anonymous questions count nobody. Peak: the most distinct people active"
    " within one 10-minute window.",
    "org": "Organisation",
    "people": "People",
    "peak": "Peak",
    "total": "Total",
    "no_org": "(no organisation)",
    "nobody": "Nobody acted in this room.",
    "answered_questions": "Answered questions",
    "by_votes": "Ordered by votes.",
    "unanswered_questions": "Unanswered questions",
    "unanswered_note": "Live or waiting for review, ordered by votes.",
    "dismissed_questions": "Dismissed questions ({n})",
    "dismissed_note": "Dismissed by a moderator; listed so that nothing is silently dropped.",
    "withdrawn_questions": "Withdrawn questions ({n})",
    "none": "None.",
    "question": "Question",
    "votes": "Votes",
    "votes_n": "{n} votes",
    "status": "Status",
    "asked": "Asked",
    "answered_at": "Answered",
    "by": "Asked by",
    "anonymous": "anonymous",
    "answer": "Answer",
    "translation": "Translation ({lang})",
    "answer_translation": "Answer, translated ({lang})",
    "language": "Language",
    "lang.en": "English",
    "lang.ja": "Japanese",
    "lang.mn": "Mongolian",
    "status.pending": "waiting for review",
    "status.live": "live",
    "status.answered": "answered",
    "status.dismissed": "dismissed",
    "status.withdrawn": "withdrawn",
    "polls": "Polls",
    "no_polls": "No polls.",
    "kind.single": "single choice",
    "kind.multi": "multiple choice",
    "kind.rating": "rating",
    "kind.words": "word cloud",
    "poll_status.draft": "draft",
    "poll_status.open": "open",
    "poll_status.closed": "closed",
    "voters_n": "{n} voters",
    "option": "Option",
    "count": "Votes",
    "stars": "{n} stars",
    "word": "Word",
    "hidden_words": "Hidden words (not counted): {words}",
    "notes": "Notes",
    "no_notes": "No notes.",
    "notes_edits": "{n} edits to the shared notes by {people} people.",
    "timeline": "Timeline",
    "time": "Time",
    "what": "What happened",
    "timeline_more": "{n} more events are not shown here; the JSON transcript has them all.",
    "tl.asked": "Question asked by {who}: {text}",
    "tl.asked_pending": "Question asked by {who}, waiting for review: {text}",
    "tl.approve": "Question approved: {text}",
    "tl.dismiss": "Question dismissed: {text}",
    "tl.answered": "Question marked answered: {text}",
    "tl.reopen": "Question reopened: {text}",
    "tl.withdraw": "Question withdrawn by its author: {text}",
    "tl.answer": "Answer written: {text}",
    "tl.edit": "Question edited: {text}",
    "tl.pin": "Now answering: {text}",
    "tl.next": "Question marked answered: {answered}; now answering: {text}",
    "tl.unpin": "No longer answering: {text}",
    "tl.poll_create": "Poll drafted: {title}",
    "tl.poll_edit": "Poll draft edited: {title}",
    "tl.poll_open": "Poll opened: {title}",
    "tl.poll_close": "Poll closed: {title} ({voters} voters)",
    "tl.poll_delete": "Poll deleted: {title} ({voters} voters)",
    "tl.poll_hide": "Word hidden in the poll {title}: {word}",
    "tl.poll_show": "Word shown again in the poll {title}: {word}",
    "tl.settings": "Settings changed: {changes}",
    "tl.room_closed": "Room closed (read only)",
    "tl.room_open": "Room reopened",
    "tl.room_archived": "Room archived",
    "setting.premoderation": "review before publishing",
    "setting.anonymous_allowed": "anonymous questions",
    "setting.notes_locked": "notes locked",
    "on": "on",
    "off": "off",
    "state.open": "open",
    "state.closed": "closed (read only)",
    "state.archived": "archived",
}

CATALOGUES = {"en": EN, "ja": JA, "mn": MN}


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Labels:
    """The report's words in one language: `labels("votes_n", n=3)`."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang if lang in CATALOGUES else "en"
        self._words = CATALOGUES[self.lang]

    def __call__(self, key: str, **params: Any) -> str:
        template = self._words.get(key) or EN.get(key) or key
        return template.format_map(_Keep(params)) if params else template

    def text(self, value: LangText | None) -> str:
        """An organiser's text (a string or a language map) in the report's language."""
        return text_in(value, self.lang)


def pick_lang(value: str | None) -> str:
    """A supported report language from a query or flag value; English otherwise."""
    value = (value or "").strip().lower()[:2]
    return value if value in CATALOGUES else "en"
