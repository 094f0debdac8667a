"""The language of a question, from its script (issue 14): kana or kanji → `ja`, Cyrillic
or the traditional Mongolian script → `mn`, Latin letters → `en`. A text's language is
the script with the most letters; a text with no letters, or a tie, is ambiguous (None),
and the asker's choice stands. The browser runs the same rule (client/web/src/
lang-detect.js) to pre-select the language the asker may correct."""

from __future__ import annotations

__all__ = ["detect_lang"]

# Code point ranges -> language (BMP blocks; rarer CJK extensions count as ja too).
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x3040, 0x30FF, "ja"),  # hiragana, katakana
    (0x31F0, 0x31FF, "ja"),  # katakana phonetic extensions
    (0xFF66, 0xFF9F, "ja"),  # half-width katakana
    (0x3400, 0x4DBF, "ja"),  # CJK extension A
    (0x4E00, 0x9FFF, "ja"),  # CJK unified ideographs (kanji)
    (0xF900, 0xFAFF, "ja"),  # CJK compatibility ideographs
    (0x0400, 0x052F, "mn"),  # Cyrillic (Ө ө Ү ү included)
    (0x1800, 0x18AF, "mn"),  # Mongolian script
    (0x0041, 0x005A, "en"),
    (0x0061, 0x007A, "en"),
    (0x00C0, 0x024F, "en"),  # Latin-1 letters, Latin extended
)


def _lang_of(char: str) -> str | None:
    point = ord(char)
    for lo, hi, lang in _RANGES:
        if lo <= point <= hi:
            return lang
    return None


def detect_lang(text: str) -> str | None:
    """The language of `text` by its letters' scripts, or None when ambiguous."""
    counts = {"ja": 0, "mn": 0, "en": 0}
    for char in text:
        lang = _lang_of(char)
        if lang is not None:
            counts[lang] += 1
    best = max(counts.values())
    if best == 0:
        return None
    winners = [lang for lang, n in counts.items() if n == best]
    return winners[0] if len(winners) == 1 else None
