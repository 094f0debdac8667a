"""Multilingual text (PROTOCOL.md "Additions", "Multilingual text"): what an organiser or a
moderator writes for everyone (event and room titles, poll titles and options) is either
one string or a map from language to string, `{"en": …, "ja": …, "mn": …}`, with any
non-empty subset of the keys. A plain string stays valid everywhere (v1).

`check_lang_text` reads one from the wire or an event file; `text_in` picks the string a
person reads, in their language or the first of a fallback order that has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from protocol.fields import bad, check_text

__all__ = ["LANGUAGES", "LangText", "check_lang_text", "lang_key", "text_in"]

LANGUAGES = ("en", "ja", "mn")  # in the order the workshop lists them

LangText = str | dict[str, str]
"""One string (any language), or a map language -> string (a non-empty subset)."""


def check_lang_text(value: object, name: str, lo: int, hi: int) -> LangText:
    """A string of lo..hi characters (`check_text`), or a map of such strings keyed by
    language; an empty string in a map reads as absent. A map with one key stays a map:
    it says which language the text is in."""
    if not isinstance(value, Mapping):
        return check_text(value, name, lo, hi)
    out: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise bad(f"{name} has an unknown language {lang!r} (one of {', '.join(LANGUAGES)})")
        checked = check_text(text, f"{name}.{lang}", 0, hi)
        if checked:
            if len(checked) < lo:
                raise bad(f"{name}.{lang} must be {lo}-{hi} characters")
            out[lang] = checked
    if not out:
        raise bad(f"{name} needs a text in at least one language")
    return {lang: out[lang] for lang in LANGUAGES if lang in out}  # one order, one form


def text_in(value: LangText | None, lang: str | None, order: Iterable[str] = LANGUAGES) -> str:
    """The string of `value` for a reader of `lang`: that language's, else the first of
    `order` that has one, else any. A plain string is the same for everyone."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if lang is not None and lang in value:
        return value[lang]
    for other in order:
        if other in value:
            return value[other]
    return next(iter(value.values()), "")


def lang_key(value: LangText) -> tuple[tuple[str, str], ...]:
    """A hashable form, to compare two texts (two poll options are the same option when
    their keys are equal)."""
    if isinstance(value, str):
        return (("", value),)
    return tuple(sorted(value.items()))
