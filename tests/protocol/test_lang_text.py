"""Multilingual text (PROTOCOL.md "Additions"): a string or a language map, on the wire."""

from __future__ import annotations

import pytest

from protocol.codes import ProtocolError
from protocol.lang_text import check_lang_text, lang_key, text_in
from protocol.messages import parse_command

TITLE = {"en": "Planning and Investment", "ja": "計画と投資", "mn": "Төлөвлөлт ба хөрөнгө оруулалт"}


def test_a_plain_string_stays_a_string() -> None:
    assert check_lang_text("  Planning  ", "title", 1, 200) == "Planning"


def test_a_map_keeps_its_languages_in_one_order_and_drops_empty_ones() -> None:
    got = check_lang_text({"mn": " Төлөвлөлт ", "en": "Planning", "ja": ""}, "title", 1, 200)
    assert got == {"en": "Planning", "mn": "Төлөвлөлт"}
    assert list(got) == ["en", "mn"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        {},  # no language at all
        {"en": "", "ja": "  "},  # only empty texts
        {"fr": "Planification"},  # not a workshop language
        {"en": 5},  # not a string
        {"en": "x" * 201},  # too long
        {"ja": "a\x00b"},  # a control character
        ["en", "Planning"],  # not a map
        None,
    ],
)
def test_bad_texts_are_refused(value: object) -> None:
    with pytest.raises(ProtocolError):
        check_lang_text(value, "title", 1, 200)


def test_text_in_falls_back_in_the_given_order() -> None:
    assert text_in(TITLE, "ja") == "計画と投資"
    assert text_in({"en": "Planning", "mn": "Төлөвлөлт"}, "ja") == "Planning"
    assert text_in({"en": "Planning", "mn": "Төлөвлөлт"}, "ja", ("mn", "en")) == "Төлөвлөлт"
    assert text_in({"mn": "Төлөвлөлт"}, "en", ()) == "Төлөвлөлт"  # any, as a last resort
    assert text_in("Planning", "mn") == "Planning"
    assert text_in(None, "en") == ""


def test_poll_create_takes_language_maps_for_title_and_options() -> None:
    cmd = parse_command(
        {
            "t": "poll.create", "id": 1, "cid": "c1", "title": TITLE, "kind": "single",
            "options": [{"en": "Yes", "ja": "はい", "mn": "Тийм"}, "No / いいえ / Үгүй"],
        }
    )  # fmt: skip
    assert cmd.title == TITLE  # type: ignore[attr-defined]
    assert cmd.options == ({"en": "Yes", "ja": "はい", "mn": "Тийм"}, "No / いいえ / Үгүй")  # type: ignore[attr-defined]


def test_two_options_with_the_same_texts_are_one_option() -> None:
    same = {"en": "Yes", "ja": "はい"}
    with pytest.raises(ProtocolError, match="distinct"):
        parse_command(
            {"t": "poll.create", "id": 1, "cid": "c1", "title": "Q", "kind": "single",
             "options": [same, {"ja": "はい", "en": "Yes"}]}
        )  # fmt: skip
    assert lang_key("Yes") != lang_key({"en": "Yes"})  # a map says its language; a string not


def test_a_bad_language_map_in_a_poll_is_bad_request() -> None:
    with pytest.raises(ProtocolError) as err:
        parse_command(
            {"t": "poll.create", "id": 1, "cid": "c1", "title": {"xx": "?"}, "kind": "words"}
        )
    assert err.value.code.value == "bad_request"
