"""The report's words and times: every language has every key with the same
placeholders, and times read the same in JST and ULAT as the browser shows them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from server.transcripts.clock import Clock
from server.transcripts.labels import CATALOGUES, EN, Labels, pick_lang

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_language_has_every_key_with_the_same_placeholders() -> None:
    for lang, words in CATALOGUES.items():
        assert words.keys() == EN.keys(), lang
        for key, text in words.items():
            assert text.strip(), (lang, key)
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(EN[key]))
    assert re.search(r"[\u0400-\u04ff]", CATALOGUES["mn"]["answered_questions"])
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", CATALOGUES["ja"]["answered_questions"])


def test_labels_fill_placeholders_and_fall_back() -> None:
    assert Labels("ja")("voters_n", n=3) == "投票者 3 人"
    assert Labels("xx").lang == "en" and pick_lang("ja-JP") == "ja" and pick_lang(None) == "en"
    assert Labels("en")("tl.asked", who="{who}", text="{x}") == "Question asked by {who}: {x}"


def test_times_in_jst_and_ulat() -> None:
    ts = datetime(2026, 11, 27, 5, 5, tzinfo=UTC).timestamp()
    clock = Clock(("Asia/Tokyo", "Asia/Ulaanbaatar"))
    assert clock.stamps(ts) == ["2026-11-27 14:05 JST", "2026-11-27 13:05 ULAT"]
    assert clock.spans(ts, ts + 3 * 3600) == [
        "2026-11-27 14:05–17:05 JST",
        "2026-11-27 13:05–16:05 ULAT",
    ]
    late = ts + 10 * 3600
    assert clock.spans(ts, late)[0] == "2026-11-27 14:05 – 2026-11-28 00:05 JST"
    assert Clock(()).labels == ["JST", "ULAT"] and clock.stamps(None) == ["", ""]
