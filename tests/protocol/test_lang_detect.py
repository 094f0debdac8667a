"""A question's language from its script (issue 14), and the asker's correction."""

from __future__ import annotations

import pytest

from protocol.lang_detect import detect_lang
from protocol.messages import parse_command


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("避難所の基準は何ですか？", "ja"),
        ("ハザードマップ", "ja"),
        ("ﾊｻﾞｰﾄﾞﾏｯﾌﾟ", "ja"),  # half-width katakana
        ("防災計画", "ja"),  # kanji only: Mongolian is not written in Han characters
        ("Хоргодох байрыг хэрхэн сонгодог вэ?", "mn"),
        ("Өвлийн бэлтгэл ямар үе шаттай вэ?", "mn"),  # Ө and ү are Cyrillic too
        ("ᠮᠣᠩᠭᠣᠯ", "mn"),  # the traditional Mongolian script
        ("How are shelters chosen?", "en"),
        ("Was ist das Frühwarnsystem?", "en"),  # Latin: en unless the asker says otherwise
        ("SMS の配信は何秒で届きますか？", "ja"),  # more kana/kanji than Latin letters
        ("UNDRR-ийн тайлан хэзээ гарах вэ?", "mn"),
        ("2030?", None),  # no letters
        ("👍👍", None),
        ("ab вг", None),  # a tie
    ],
)
def test_detect_lang(text: str, lang: str | None) -> None:
    assert detect_lang(text) == lang


def ask(**fields: object) -> object:
    return parse_command({"t": "ask", "id": 1, "cid": "c1", "anon": False, **fields})


def test_the_text_decides_unless_the_asker_chose() -> None:
    # The case: a Mongolian question asked from the Japanese interface.
    assert ask(text="Сургалт хэзээ вэ?", lang="ja").lang == "mn"  # type: ignore[attr-defined]
    chosen = ask(text="Сургалт хэзээ вэ?", lang="ja", lang_chosen=True)
    assert chosen.lang == "ja"  # type: ignore[attr-defined]
    assert chosen.data()["lang_chosen"] is True  # type: ignore[attr-defined]
    assert ask(text="2030?", lang="mn").lang == "mn"  # type: ignore[attr-defined]
    assert "lang_chosen" not in ask(text="Hi", lang="en").data()  # type: ignore[attr-defined]
