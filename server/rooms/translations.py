"""Translations of a question (PROTOCOL.md "Additions", "Translations"; issue 14).

An interpreter (or a moderator) writes a question's text, or its written answer, in
another workshop language. A translation is an entry of the question: it reaches exactly
who can see the question (a pending question's only staff and its author), it leaves the
votes on the question, and writing it again replaces it (a correction). `by` names the
role, never the person. A moderator's edit of the text drops the text's translations
(they were of other words), and a new answer drops the answer's.
"""

from __future__ import annotations

from protocol.codes import ErrorCode
from server.rooms.outcome import Outcome, accept, event, refuse
from server.rooms.record import Entry, actor_of
from server.rooms.state import RoomState

__all__ = ["translate"]


def translate(state: RoomState, rec: Entry) -> Outcome:
    d = rec.data
    q = state.questions.get(d["qid"])
    if q is None:  # staff see every question: what they cannot see does not exist
        return refuse(ErrorCode.NOT_FOUND, "no such question")
    field, lang, text = d["field"], d["lang"], d["text"]
    if field == "answer" and not q.answer:
        return refuse(ErrorCode.CONFLICT, "the question has no written answer to translate")
    source_lang = q.lang if field == "text" else None
    if lang == source_lang:
        return refuse(ErrorCode.CONFLICT, f"the question is in {lang} already")
    if q.translations.get(field, {}).get(lang) == text:
        return accept(None)  # the same words again: nothing changes
    q.translations.setdefault(field, {})[lang] = text
    roles = actor_of(rec).get("roles", ())
    by = "interpreter" if "interpreter" in roles else "moderator"
    q.translated_by.setdefault(field, {})[lang] = by
    data = {"qid": q.qid, "field": field, "lang": lang, "text": text, "by": by}
    return accept(event("question.translated", (q.audience(), data)))
