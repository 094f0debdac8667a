"""Titles and polls written in three languages, read in the reader's (issue 14): the room
title in the header and the tab, a poll's title and options, and the landing list, each
following the interface language as it is switched, with the fallback for a missing one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from client.room_client import RoomClient
from tests.conftest import Workshop, running, start_event_file

from .support import TIMEOUT, Pages, join, run_in_own_loop

EVENT = """
title = { en = "City-to-city learning", ja = "都市間学習", mn = "Хот хоорондын суралцахуй" }

[[rooms]]
code = "SUB-PLAN"
title = { en = "Planning and Investment", ja = "計画と投資", mn = "Төлөвлөлт ба хөрөнгө оруулалт" }
"""

TITLE = {"en": "Siren or SMS?", "ja": "サイレンかSMSか？", "mn": "Дуут дохио уу, мессеж үү?"}
OPTIONS = [
    {"en": "Siren", "ja": "サイレン", "mn": "Дуут дохио"},
    {"en": "SMS", "ja": "ショートメッセージ"},
]


@pytest.fixture
def workshop(tmp_path: Path) -> Iterator[Workshop]:
    """The browser fixtures' workshop, here with an event written in three languages."""
    yield from running(start_event_file(tmp_path, EVENT))


async def _open_poll(workshop: Workshop) -> None:
    async with RoomClient(
        workshop.server.ws_url, "SUB-PLAN", name="Chair", key=workshop.moderator_key
    ) as chair:
        made = await chair.command("poll.create", title=TITLE, kind="single", options=OPTIONS)
        await chair.command("poll.open", poll_id=made["poll_id"])


def test_titles_and_polls_follow_the_interface_language(
    browser: Browser, workshop: Workshop
) -> None:
    pages = Pages(browser, workshop)
    run_in_own_loop(_open_poll(workshop), "opening the poll")
    page = pages.new(locale="ja-JP")
    join(page, f"{workshop.server.url}/r/SUB-PLAN", "Aiko", "仙台市")
    expect(page.locator("#room-title")).to_have_text("計画と投資", timeout=TIMEOUT)
    poll = page.locator("[data-poll-id]").first
    expect(poll).to_contain_text("サイレンかSMSか？", timeout=TIMEOUT)
    expect(poll).to_contain_text("ショートメッセージ")
    assert "計画と投資" in page.title()

    page.select_option("#lang-switch", "mn")
    expect(page.locator("#room-title")).to_have_text("Төлөвлөлт ба хөрөнгө оруулалт")
    expect(poll).to_contain_text("Дуут дохио уу, мессеж үү?", timeout=TIMEOUT)
    expect(poll).to_contain_text("SMS")  # no Mongolian text: the first of en, ja, mn
    expect(poll).not_to_contain_text("[object Object]")

    landing = pages.new(locale="en-US")
    landing.goto(workshop.server.url + "/")
    expect(landing.locator("#room-list")).to_contain_text("Planning and Investment")
    expect(landing.locator("#room-list")).to_contain_text("City-to-city learning")
    landing.select_option("#lang-switch", "ja")
    expect(landing.locator("#room-list")).to_contain_text("計画と投資")
    pages.check()


def test_a_questions_language_comes_from_its_text_and_the_asker_may_correct_it(
    browser: Browser, workshop: Workshop
) -> None:
    """Issue 14: a Mongolian question asked from the Japanese interface is tagged mn."""
    pages = Pages(browser, workshop)
    asker = pages.new(locale="ja-JP")
    join(asker, f"{workshop.server.url}/r/SUB-PLAN", "Bat", "ウランバートル市")
    reader = pages.new(locale="en-US")
    join(reader, f"{workshop.server.url}/r/SUB-PLAN", "Sara", "UNDRR")

    asker.fill("#ask-text", "Сургалт хэзээ вэ?")
    expect(asker.locator("#ask-lang option").first).to_have_text("自動判定：モンゴル語")
    expect(asker.locator("#ask-text")).to_have_attribute("lang", "mn")
    asker.click("#ask-submit")
    seen = reader.locator(".question", has_text="Сургалт хэзээ вэ?").locator(".q-text")
    expect(seen).to_have_attribute("lang", "mn", timeout=TIMEOUT)

    # Latin letters read as English; the asker says it is Mongolian in Latin script.
    asker.fill("#ask-text", "Surgalt hezee ve?")
    expect(asker.locator("#ask-lang option").first).to_have_text("自動判定：英語")
    asker.select_option("#ask-lang", "mn")
    asker.click("#ask-submit")
    corrected = reader.locator(".question", has_text="Surgalt hezee ve?").locator(".q-text")
    expect(corrected).to_have_attribute("lang", "mn", timeout=TIMEOUT)
    expect(asker.locator("#ask-lang")).to_have_value("")  # the next one is detected afresh
    pages.check()


async def _translate(workshop: Workshop, text: str, into: str, words: str) -> None:
    async with RoomClient(
        workshop.server.ws_url, "SUB-PLAN", name="Interpreter",
        key=str(workshop.links["interpreter_key"]),
    ) as interpreter:  # fmt: skip
        async with asyncio.timeout(10):  # the snapshot frame follows the join's reply
            while (await interpreter.events().get()).get("t") != "snapshot":
                pass
        assert interpreter.snapshot is not None
        qid = next(q["qid"] for q in interpreter.snapshot["questions"] if q["text"] == text)
        await interpreter.command("translate", qid=qid, field="text", lang=into, text=words)


def test_an_interpreters_translation_reaches_the_other_city_live(
    browser: Browser, workshop: Workshop
) -> None:
    """Issue 14: a question asked in Japanese, translated into Mongolian by the interpreter,
    shows under the original on a Mongolian page, marked as the interpreter's, in `lang=mn`;
    "only my language" folds the original away, one tap from view, and stays on reload."""
    pages = Pages(browser, workshop)
    aiko = pages.new(locale="ja-JP")
    join(aiko, f"{workshop.server.url}/r/SUB-PLAN", "Aiko", "仙台市")
    bat = pages.new(locale="mn-MN")
    join(bat, f"{workshop.server.url}/r/SUB-PLAN", "Bat", "Улаанбаатар хот")
    aiko.fill("#ask-text", "避難所の基準は何ですか？")
    aiko.click("#ask-submit")
    question = bat.locator(".question", has_text="避難所の基準は何ですか？")
    expect(question).to_be_visible(timeout=TIMEOUT)
    expect(question.locator(".q-translation-of-text")).to_be_hidden()

    words = "Хоргодох байрны шалгуур юу вэ?"
    run_in_own_loop(_translate(workshop, "避難所の基準は何ですか？", "mn", words), "translating")
    shown = question.locator(".q-translation-of-text .q-translation-words")
    expect(shown).to_have_text("Хоргодох байрны шалгуур юу вэ?", timeout=TIMEOUT)
    expect(shown).to_have_attribute("lang", "mn")
    label = question.locator(".q-translation-of-text .q-translation-label")
    expect(label).to_contain_text("орчуулагч")
    expect(question.locator(".q-text")).to_be_visible()
    # The asker reads Japanese: no Mongolian translation under it on their page.
    expect(aiko.locator(".question .q-translation-of-text").first).to_be_hidden()

    bat.check("#only-my-language")
    expect(question.locator(".q-text")).to_be_hidden()
    toggle = question.locator(".q-show-original")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(question.locator(".q-text")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")

    bat.reload()  # the snapshot carries the translation; the choice stays on this device
    again = bat.locator(".question", has_text="Хоргодох байрны шалгуур юу вэ?")
    expect(again.locator(".q-translation-of-text .q-translation-words")).to_have_text(
        "Хоргодох байрны шалгуур юу вэ?", timeout=TIMEOUT
    )
    expect(bat.locator("#only-my-language")).to_be_checked()
    expect(again.locator(".q-text")).to_be_hidden()
    pages.check()
