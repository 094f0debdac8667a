"""The interpreter's page, /r/CODE/interpret (issue 14, "Interpreters"), on a real server:
the "needs translation" queue by votes, translating a Japanese question into Mongolian and
English while a Mongolian participant reads along live, correcting a translation, pending
questions and written answers, axe, and the page's labels in ja and mn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from client.room_client import RoomClient
from tests.browser.support import ROOM, TIMEOUT, Pages, join, run_in_own_loop
from tests.browser.test_accessibility import axe, in_lang
from tests.conftest import Workshop

QUESTION = "避難所の基準は何ですか？"
MONGOLIAN = "Хоргодох байрны шалгуур юу вэ?"
ENGLISH = "What are the criteria for evacuation shelters?"


def room_links(workshop: Workshop) -> dict[str, Any]:
    return next(r for r in workshop.links["rooms"] if r["code"] == ROOM)


def interpreter(pages: Pages, lang: str | None = None, **context: Any) -> Page:
    """The interpreter's page, opened with the link `workshop create-event` printed."""
    context.setdefault("viewport", {"width": 1280, "height": 800})
    page = in_lang(pages, lang, **context) if lang else pages.new(**context)
    join(page, room_links(pages.workshop)["interpreter_url"], "Interpreter", "UNDRR")
    return page


def in_room(workshop: Workshop, work: Callable[[RoomClient, RoomClient], Awaitable[None]]) -> None:
    """Runs `work(chair, person)` with a moderator and a participant on real sockets, in a
    thread of its own (the sync Playwright API holds this thread's event loop)."""

    async def run() -> None:
        url = workshop.server.ws_url
        async with (
            RoomClient(url, ROOM, name="Chair", key=workshop.moderator_key) as chair,
            RoomClient(url, ROOM, name="Saraa", org="Ulaanbaatar City", lang="mn") as person,
        ):
            await work(chair, person)

    run_in_own_loop(run(), "the room clients")


def editor(item: Locator, lang: str, field: str = "text") -> Locator:
    return item.locator(f'.interp-editor[data-field="{field}"][data-lang="{lang}"]')


def translate(item: Locator, lang: str, words: str, field: str = "text") -> None:
    box = editor(item, lang, field)
    box.locator("textarea").fill(words)
    box.locator('button[data-action="translate"]').click()


def test_an_interpreter_translates_a_question_from_the_queue_and_corrects_it(
    pages: Pages,
) -> None:
    base = pages.workshop.server.url
    aiko = in_lang(pages, "ja")
    join(aiko, f"{base}/r/{ROOM}", "Aiko", "仙台市")
    bat = in_lang(pages, "mn")
    join(bat, f"{base}/r/{ROOM}", "Bat", "Улаанбаатар хот")
    aiko.fill("#ask-text", QUESTION)
    aiko.click("#ask-submit")

    page = interpreter(pages)
    needs = page.locator("#interp-needs-list .interp-item")
    item = needs.filter(has_text=QUESTION)
    expect(item).to_have_count(1, timeout=TIMEOUT)
    expect(item).to_have_attribute("data-status", "live")
    expect(item.locator(".interp-original")).to_have_attribute("lang", "ja")
    expect(page.locator("#title-interp-needs")).to_have_text("Needs translation (1)")
    expect(page.locator("#title-interp-done")).to_have_text("Translated (0)")
    expect(item.locator(".interp-missing")).to_have_text("Missing: English, Mongolian")
    # One editor per other language, none for the question's own; each in its language.
    expect(item.locator(".interp-editor")).to_have_count(2)
    expect(editor(item, "ja")).to_have_count(0)
    expect(editor(item, "mn").locator("textarea")).to_have_attribute("lang", "mn")
    expect(editor(item, "en").locator("textarea")).to_have_attribute("lang", "en")
    expect(editor(item, "mn").locator(".interp-state")).to_have_text("Not translated yet")
    send = editor(item, "mn").locator('button[data-action="translate"]')
    expect(send).to_be_disabled()  # nothing written yet
    editor(item, "mn").locator("textarea").fill("x" * 1001)
    expect(editor(item, "mn").locator(".interp-counter")).to_have_text("1001/1000")
    expect(send).to_be_disabled()

    translate(item, "mn", MONGOLIAN)
    seen = bat.locator(".question", has_text=QUESTION)
    words = seen.locator(".q-translation-of-text .q-translation-words")
    expect(words).to_have_text(MONGOLIAN, timeout=TIMEOUT)
    expect(words).to_have_attribute("lang", "mn")
    # English is still missing: the question stays in the queue.
    expect(item.locator(".interp-missing")).to_have_text("Missing: English", timeout=TIMEOUT)
    expect(editor(item, "mn").locator(".interp-state")).to_have_text(
        "Translated by the interpreter"
    )
    expect(page.locator("#interp-missing-by-lang")).to_have_text("Missing: English 1")

    translate(item, "en", ENGLISH)
    expect(needs).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator("#interp-needs .interp-empty")).to_be_visible()
    expect(page.locator("#title-interp-done")).to_have_text("Translated (1)")
    translated = page.locator("#interp-done-list .interp-item", has_text=QUESTION)
    expect(translated).to_have_attribute("data-needs", "false")
    # The editors hold the translations, ready for a correction.
    expect(editor(translated, "mn").locator("textarea")).to_have_value(MONGOLIAN)
    corrected = "Хоргодох байрыг ямар шалгуураар сонгодог вэ?"
    fix = editor(translated, "mn").locator('button[data-action="translate"]')
    expect(fix).to_have_text("Send correction")
    expect(fix).to_be_disabled()  # unchanged
    translate(translated, "mn", corrected)
    expect(words).to_have_text(corrected, timeout=TIMEOUT)
    expect(bat.locator(".q-translation-words", has_text=MONGOLIAN)).to_have_count(0)

    # A reload finds the same lists (the snapshot carries the translations).
    page.reload()
    again = page.locator("#interp-done-list .interp-item", has_text=QUESTION)
    expect(editor(again, "mn").locator("textarea")).to_have_value(corrected, timeout=TIMEOUT)
    pages.check()


def test_the_queue_is_ordered_by_votes_with_pending_questions_and_answers(
    pages: Pages,
) -> None:
    asked: dict[str, str] = {}

    async def work(chair: RoomClient, person: RoomClient) -> None:
        for text in ("First: when do drills start?", "Second: who keeps the list?"):
            asked[text] = (await person.command("ask", text=text, lang="en"))["qid"]
        await chair.command("vote", qid=asked["Second: who keeps the list?"], up=True)
        await chair.command("answer", qid=asked["First: when do drills start?"],
                            text="Drills start in September.")  # fmt: skip
        await chair.command("settings", premoderation=True)
        asked["pending"] = (await person.command("ask", text="Гуравдугаар асуулт", lang="mn"))[
            "qid"
        ]

    in_room(pages.workshop, work)
    page = interpreter(pages)
    needs = page.locator("#interp-needs-list .interp-item")
    expect(needs).to_have_count(3, timeout=TIMEOUT)
    # Most votes first; ties (no votes) oldest first.
    expect(needs.nth(0)).to_contain_text("Second: who keeps the list?")
    expect(needs.nth(1)).to_contain_text("First: when do drills start?")
    expect(needs.nth(2)).to_contain_text("Гуравдугаар асуулт")
    expect(needs.nth(2)).to_have_attribute("data-status", "pending")
    expect(needs.nth(2).locator(".q-status")).to_have_text("Pending")
    expect(needs.nth(0).locator(".interp-votes")).to_have_text("1 vote")

    # The written answer is taken to be in its question's language (English here): Japanese
    # and Mongolian are asked for.
    first = needs.nth(1)
    answer = first.locator('.interp-field[data-field="answer"] .interp-original')
    expect(answer).to_have_text("Drills start in September.")
    expect(answer).to_have_attribute("lang", "en")
    expect(editor(first, "ja", "answer")).to_have_count(1)
    expect(editor(first, "mn", "answer")).to_have_count(1)
    expect(editor(first, "en", "answer")).to_have_count(0)
    translate(first, "mn", "Сургуулилт есдүгээр сард эхэлнэ.", field="answer")
    expect(editor(first, "mn", "answer").locator(".interp-state")).to_have_text(
        "Translated by the interpreter", timeout=TIMEOUT
    )

    # A vote reorders the queue live.
    async def votes(chair: RoomClient, person: RoomClient) -> None:
        for voter in (chair, person):
            await voter.command("vote", qid=asked["First: when do drills start?"], up=True)

    in_room(pages.workshop, votes)
    expect(needs.nth(0)).to_contain_text("First: when do drills start?", timeout=TIMEOUT)
    expect(needs.nth(0).locator(".interp-votes")).to_have_text("2 votes")
    assert axe(page) == []
    pages.check()


LABELS = {
    "ja": ("翻訳待ち（1）", "翻訳済み（0）", "訳文（モンゴル語）", "送信", "未翻訳"),
    "mn": ("Орчуулах шаардлагатай (1)", "Орчуулсан (0)", "Орчуулга · Англи хэл", "Илгээх",
           "Орчуулаагүй байна"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ja", "mn"])
def test_the_page_speaks_the_interface_language_and_passes_axe(pages: Pages, lang: str) -> None:
    async def work(chair: RoomClient, person: RoomClient) -> None:
        await person.command("ask", text=QUESTION, lang="ja")

    in_room(pages.workshop, work)
    page = interpreter(pages, lang)
    item = page.locator("#interp-needs-list .interp-item")
    expect(item).to_have_count(1, timeout=TIMEOUT)
    if lang in LABELS:
        needs, done, into, send, state = LABELS[lang]
        expect(page.locator("#title-interp-needs")).to_have_text(needs)
        expect(page.locator("#title-interp-done")).to_have_text(done)
        other = "mn" if lang == "ja" else "en"
        box = editor(item, other)
        expect(box.locator("label")).to_have_text(into)
        expect(box.locator('button[data-action="translate"]')).to_have_text(send)
        expect(box.locator(".interp-state")).to_have_text(state)
        expect(page.locator(".interp-intro")).not_to_contain_text("Translate the questions")
    assert axe(page) == []
    for width, height in ((360, 740), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        assert axe(page) == [], f"{width}x{height}"
    pages.check()


def test_a_page_without_the_interpreter_key_says_so(pages: Pages) -> None:
    page = pages.new()
    page.goto(f"{pages.workshop.server.url}/r/{ROOM}/interpret")
    page.fill("#join-name", "Someone")
    page.click("#join-submit")
    expect(page.locator("#role-banner")).to_contain_text("interpreter page needs the key")
    pages.check()
