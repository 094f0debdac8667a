"""`translate` (PROTOCOL.md "Additions", "Translations"): an interpreter's (or a
moderator's) translation of a question's text or of its written answer into one of the
workshop's languages. In the room log like every command; `question.translated` follows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from protocol.command import Mutating
from protocol.fields import check_one_of, check_ref, check_text, set_field
from protocol.lang_text import LANGUAGES

__all__ = ["TRANSLATABLE", "TRANSLATION_LIMIT", "Translate"]

TRANSLATABLE = frozenset({"text", "answer"})
TRANSLATION_LIMIT = 1000  # characters of one translation


@dataclass(frozen=True, slots=True, kw_only=True)
class Translate(Mutating):
    T: ClassVar[str] = "translate"
    roles: ClassVar[frozenset[str]] = frozenset({"interpreter", "moderator"})
    qid: str
    field: str = "text"
    lang: str
    text: str

    def __post_init__(self) -> None:
        Mutating.__post_init__(self)
        set_field(self, "qid", check_ref(self.qid, "qid"))
        check_one_of(self.field, "field", TRANSLATABLE)
        check_one_of(self.lang, "lang", frozenset(LANGUAGES))
        text = check_text(self.text, "text", 1, TRANSLATION_LIMIT, multiline=True)
        set_field(self, "text", text)
