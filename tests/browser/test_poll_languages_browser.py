"""The moderator's poll editor in three languages, and the projector in two (issue 14,
"Multilingual content" and "Interpreters"): a poll written in en, ja and mn reaches a
Japanese and a Mongolian participant each in their language and the projector in both of
its languages; a language switch in the middle of editing keeps what was typed; a poll in
one language still goes out as plain strings; the pinned question shows its translation
beside the original on the projector and on a participant's page. axe-core on the editor
and the projector; with WORKSHOP_SHOTS=DIR, screenshots at 360x740, 1280x800 and (the
projector) 1920x1080 in en, ja and mn go to DIR (they are looked at, not compared).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from client.room_client import RoomClient
from tests.browser.support import ROOM, TIMEOUT, Pages, join, run_in_own_loop
from tests.browser.test_accessibility import axe, in_lang
from tests.conftest import Workshop

TITLE = {
    "en": "Which warning reaches you first?",
    "ja": "最初に届く警報はどれですか？",
    "mn": "Аль сэрэмжлүүлэг танд хамгийн түрүүнд хүрдэг вэ?",
}
OPTIONS = [
    {"en": "Sirens", "ja": "サイレン", "mn": "Дуут дохио"},
    {"en": "Text message", "ja": "ショートメッセージ", "mn": "Мессеж"},
    {"en": "Community radio", "ja": "コミュニティラジオ", "mn": "Орон нутгийн радио"},
]
SHOTS = os.environ.get("WORKSHOP_SHOTS")


def shot(page: Page, name: str, part: str | None = None) -> None:
    """A full-page screenshot into $WORKSHOP_SHOTS, when it is set; with `part`, also one
    of that element (the editor scrolls inside its pane)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        if part:
            page.locator(part).screenshot(path=str(Path(SHOTS) / f"{name}-{part[1:]}.png"))


def moderator(pages: Pages, lang: str = "en", **viewport: int) -> Page:
    room = next(r for r in pages.workshop.links["rooms"] if r["code"] == ROOM)
    size = viewport or {"width": 1280, "height": 800}
    page = in_lang(pages, lang, viewport=size)
    join(page, room["moderator_url"], "Chair", "UNDRR")
    show_polls(page)
    return page


def show_polls(page: Page) -> None:
    """On a phone the console shows one pane at a time: the polls'."""
    tab = page.locator("#pane-tab-polls")
    if tab.is_visible():
        tab.click()
    expect(page.locator("#poll-form")).to_be_visible()


def participant(pages: Pages, lang: str, name: str, **viewport: int) -> Page:
    page = in_lang(pages, lang, viewport=viewport or {"width": 360, "height": 740})
    join(page, f"{pages.workshop.server.url}/r/{ROOM}", name, "Sendai City")
    return page


def field(page: Page, lang: str, option: int | None = None) -> Any:
    """The editor's input for `lang`: the title's, or option row `option`'s."""
    scope = (
        page.locator(".poll-title-fields")
        if option is None
        else page.locator(".poll-option-row").nth(option)
    )
    return scope.locator(f'input[data-lang="{lang}"]')


def open_other_languages(page: Page) -> None:
    toggle = page.locator("#poll-other-langs")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def fill_poll(page: Page, title: dict[str, str], options: list[dict[str, str]]) -> None:
    open_other_languages(page)
    for lang, text in title.items():
        field(page, lang).fill(text)
    for i, texts in enumerate(options):
        if page.locator(".poll-option-row").count() <= i:
            page.click("#poll-add-option")
        for lang, text in texts.items():
            field(page, lang, i).fill(text)


def submit_draft(page: Page, text: str) -> str:
    page.click("#poll-create-submit")
    draft = page.locator('[data-poll-status="draft"]', has_text=text)
    expect(draft).to_have_count(1, timeout=TIMEOUT)
    poll_id = draft.get_attribute("data-poll-id")
    assert poll_id
    return poll_id


async def _polls(workshop: Workshop, out: dict[str, Any]) -> None:
    """The polls as the server keeps them (the staff snapshot), into `out`."""
    async with RoomClient(
        workshop.server.ws_url, ROOM, name="Check", key=workshop.moderator_key
    ) as client:
        async with asyncio.timeout(10):
            while (await client.events().get()).get("t") != "snapshot":
                pass
        assert client.snapshot is not None
        out.update({p["poll_id"]: p for p in client.snapshot["polls"]})


def polls_on_server(workshop: Workshop) -> dict[str, Any]:
    out: dict[str, Any] = {}
    run_in_own_loop(_polls(workshop, out), "reading the polls")
    return out


async def _run(workshop: Workshop, *commands: tuple[str, dict[str, Any]]) -> None:
    async with RoomClient(
        workshop.server.ws_url, ROOM, name="Chair", key=workshop.moderator_key
    ) as chair:
        for t, fields in commands:
            await chair.command(t, **fields)


def test_a_poll_in_three_languages_reaches_each_reader_and_the_projector(
    pages: Pages,
) -> None:
    mod = moderator(pages)
    fill_poll(mod, TITLE, OPTIONS)
    # The interface language's fields come first; the other two are tagged in themselves.
    expect(mod.locator(".poll-title-fields .poll-lang-main input")).to_have_attribute(
        "data-lang", "en"
    )
    expect(field(mod, "mn")).to_have_attribute("lang", "mn")
    assert axe(mod) == [], "the editor with every language open"
    shot(mod, "editor-en-1280-three-languages", "#poll-form")
    poll_id = submit_draft(mod, TITLE["en"])

    sent = polls_on_server(pages.workshop)[poll_id]
    assert sent["title"] == TITLE
    assert sent["options"] == OPTIONS

    # Editing the draft pre-fills every language and opens them.
    mod.locator(f'[data-poll-id="{poll_id}"] button[data-poll-action="edit"]').click()
    expect(mod.locator("#poll-other-langs")).to_have_attribute("aria-expanded", "true")
    expect(field(mod, "ja")).to_have_value(TITLE["ja"])
    expect(field(mod, "mn", 2)).to_have_value(OPTIONS[2]["mn"])
    field(mod, "mn", 1).fill("Мессеж (SMS)")
    mod.click("#poll-create-submit")
    expect(mod.locator("#poll-form")).not_to_have_attribute("data-editing", poll_id)

    opening = ("poll.open", {"poll_id": poll_id}), ("poll.show", {"poll_id": poll_id})
    run_in_own_loop(_run(pages.workshop, *opening), "opening the poll")
    aiko = participant(pages, "ja", "Aiko")
    bat = participant(pages, "mn", "Bat")
    for page, lang in ((aiko, "ja"), (bat, "mn")):
        card = page.locator(f'[data-poll-id="{poll_id}"]')
        expect(card.locator(".poll-title")).to_have_text(TITLE[lang], timeout=TIMEOUT)
        expect(card.locator(".poll-choice-text").nth(0)).to_have_text(OPTIONS[0][lang])
    expect(bat.locator(f'[data-poll-id="{poll_id}"] .poll-choice-text').nth(1)).to_have_text(
        "Мессеж (SMS)"
    )
    for page, lang in ((aiko, "ja"), (bat, "mn")):
        page.click("#tab-polls")  # a phone shows one section at a time
        shot(page, f"participant-{lang}-360-poll")

    screen = pages.new(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{pages.workshop.server.url}/r/{ROOM}/present?langs=ja,mn")
    present = screen.locator("#present-poll")
    expect(present).to_have_attribute("data-poll-id", poll_id, timeout=TIMEOUT)
    title = present.locator(".present-poll-title")
    expect(title.locator('span[lang="ja"]')).to_have_text(TITLE["ja"])
    expect(title.locator('span[lang="mn"]')).to_have_text(TITLE["mn"])
    label = present.locator('.poll-result[data-option="2"] .poll-label')
    expect(label.locator('span[lang="ja"]')).to_have_text(OPTIONS[2]["ja"])
    expect(label.locator('span[lang="mn"]')).to_have_text(OPTIONS[2]["mn"])
    assert axe(screen) == [], "the projector in ja and mn"
    shot(screen, "projector-ja-mn-1920-poll")
    pages.check()


def test_switching_the_interface_language_mid_edit_keeps_what_was_typed(pages: Pages) -> None:
    mod = moderator(pages)
    mod.fill("#poll-create-title", TITLE["en"])
    open_other_languages(mod)
    field(mod, "mn").fill(TITLE["mn"])
    mod.locator(".poll-option-input").nth(0).fill(OPTIONS[0]["en"])
    field(mod, "ja", 0).fill(OPTIONS[0]["ja"])
    field(mod, "ja", 1).fill(OPTIONS[1]["ja"])

    mod.select_option("#lang-switch", "ja")
    # Japanese is now the main field, holding what was typed there; English moved aside.
    expect(mod.locator("#poll-create-title")).to_have_attribute("data-lang", "ja")
    expect(mod.locator(".poll-option-input").nth(0)).to_have_value(OPTIONS[0]["ja"])
    expect(mod.locator(".poll-option-input").nth(1)).to_have_value(OPTIONS[1]["ja"])
    expect(field(mod, "en")).to_have_value(TITLE["en"])
    expect(field(mod, "mn")).to_have_value(TITLE["mn"])
    expect(field(mod, "en", 0)).to_have_value(OPTIONS[0]["en"])
    expect(mod.locator("#poll-other-langs")).to_contain_text("English")
    shot(mod, "editor-ja-1280-mid-edit", "#poll-form")

    mod.select_option("#lang-switch", "mn")
    expect(mod.locator("#poll-create-title")).to_have_value(TITLE["mn"])
    shot(mod, "editor-mn-1280-mid-edit", "#poll-form")
    mod.click("#poll-other-langs")  # folded: the hint counts the texts out of sight
    expect(mod.locator("#poll-other-langs")).to_contain_text("4")
    assert axe(mod) == [], "the editor folded, in Mongolian"
    mod.set_viewport_size({"width": 360, "height": 740})
    show_polls(mod)
    shot(mod, "editor-mn-360-folded", "#poll-form")
    mod.click("#poll-other-langs")
    field(mod, "mn", 0).fill(OPTIONS[0]["mn"])
    shot(mod, "editor-mn-360-open", "#poll-form")
    poll_id = submit_draft(mod, TITLE["mn"])
    sent = polls_on_server(pages.workshop)[poll_id]
    assert sent["title"] == {"en": TITLE["en"], "mn": TITLE["mn"]}
    assert sent["options"] == [OPTIONS[0], {"ja": OPTIONS[1]["ja"]}]
    pages.check()


@pytest.mark.parametrize("lang", ["en", "ja", "mn"])
def test_a_poll_in_one_language_goes_out_as_plain_strings(pages: Pages, lang: str) -> None:
    mod = moderator(pages, lang, width=360, height=740)
    title = TITLE[lang]
    mod.fill("#poll-create-title", title)
    mod.locator(".poll-option-input").nth(0).fill(OPTIONS[0][lang])
    mod.locator(".poll-option-input").nth(1).fill(OPTIONS[1][lang])
    expect(mod.locator("#poll-other-langs")).to_have_attribute("aria-expanded", "false")
    shot(mod, f"editor-{lang}-360-one-language", "#poll-form")
    poll_id = submit_draft(mod, title)
    sent = polls_on_server(pages.workshop)[poll_id]
    assert sent["title"] == title
    assert sent["options"] == [OPTIONS[0][lang], OPTIONS[1][lang]]
    # Another language's reader sees the one text there is.
    run_in_own_loop(_run(pages.workshop, ("poll.open", {"poll_id": poll_id})), "opening")
    other = participant(pages, "en" if lang != "en" else "ja", "Reader")
    expect(other.locator(f'[data-poll-id="{poll_id}"] .poll-title')).to_have_text(
        title, timeout=TIMEOUT
    )
    # The editor's limits are the server's: an option too long in a folded language opens
    # the languages and points at it.
    mod.fill("#poll-create-title", title)
    mod.locator(".poll-option-input").nth(0).fill("A")
    mod.locator(".poll-option-input").nth(1).fill("A")
    mod.click("#poll-create-submit")
    expect(mod.locator("#poll-form-error")).to_have_attribute("data-key", "poll.bad_options")
    pages.check()


async def _pin_translated(workshop: Workshop) -> None:
    """A Japanese question, pinned, translated into Mongolian by the interpreter."""
    async with RoomClient(workshop.server.ws_url, ROOM, name="Aiko", lang="ja") as aiko:
        asked = await aiko.command("ask", text="避難所の基準は何ですか？")
        await aiko.command("ask", text="訓練はいつですか？")
    async with RoomClient(
        workshop.server.ws_url, ROOM, name="Interpreter", key=str(workshop.links["interpreter_key"])
    ) as interpreter:  # fmt: skip
        await interpreter.command(
            "translate", qid=asked["qid"], field="text", lang="mn",
            text="Хоргодох байрны шалгуур юу вэ?",
        )  # fmt: skip
        await interpreter.command(
            "translate", qid=asked["qid"], field="text", lang="en",
            text="What are the criteria for shelters?",
        )  # fmt: skip
    await _run(workshop, ("moderate", {"qid": asked["qid"], "action": "pin"}))


def test_the_pinned_question_beside_its_translation(pages: Pages) -> None:
    run_in_own_loop(_pin_translated(pages.workshop), "asking, translating, pinning")
    # Two ?langs= pairs, and a projector in one language (Mongolian, the page's).
    for langs in ("ja,mn", "en,ja", "mn"):
        size = {"width": 1920, "height": 1080}
        pair = f"?langs={langs}" if "," in langs else ""
        screen = pages.new(viewport=size) if pair else in_lang(pages, langs, viewport=size)
        screen.goto(f"{pages.workshop.server.url}/r/{ROOM}/present{pair}")
        expect(screen.locator("#present-pinned")).to_have_text(
            "避難所の基準は何ですか？", timeout=TIMEOUT
        )
        shown = screen.locator(".present-pinned-translations .screen-translation-text")
        if langs in ("ja,mn", "mn"):  # the other city's language, the screen's too
            expect(shown).to_have_count(1)
            expect(shown).to_have_text("Хоргодох байрны шалгуур юу вэ?")
            expect(shown).to_have_attribute("lang", "mn")
            label = screen.locator(".present-pinned-translations .screen-translation-label")
            expect(label).to_have_text("Орчуулга · Монгол")
        else:  # the screen's English, then the other city's Mongolian
            expect(shown).to_have_text(
                ["What are the criteria for shelters?", "Хоргодох байрны шалгуур юу вэ?"]
            )
        # The top five have room here: each shows one translation under its text.
        top = screen.locator("#present-top .present-question-translations").first
        expect(top.locator(".screen-translation-text")).to_have_count(1)
        expect(top).to_be_visible()
        assert axe(screen) == [], langs
        shot(screen, f"projector-{langs.replace(',', '-')}-1920-pinned")
    expect(screen.locator("#title-present-pinned")).to_have_text("Одоо хариулж буй асуулт")

    bat = participant(pages, "mn", "Bat")
    pinned = bat.locator("#pinned")
    expect(pinned.locator(".q-text")).to_have_text("避難所の基準は何ですか？", timeout=TIMEOUT)
    words = pinned.locator(".q-translation-of-text .q-translation-words")
    expect(words).to_have_text("Хоргодох байрны шалгуур юу вэ?")
    expect(words).to_have_attribute("lang", "mn")
    shot(bat, "participant-mn-360-pinned")
    aiko = participant(pages, "ja", "Aiko")
    expect(aiko.locator("#pinned .q-text")).to_be_visible(timeout=TIMEOUT)
    expect(aiko.locator("#pinned .q-translation-of-text")).to_be_hidden()  # their own language
    pages.check()


LONG_JA = "地域の避難所の運営について、仙台市の経験から学べることを具体的に教えてください。" * 3
MN_SENTENCE = (
    "Орон нутгийн хоргодох байрны үйл ажиллагааны талаар Сендай хотын туршлагаас юу сурч болох вэ?"
)
LONG_MN = " ".join([MN_SENTENCE] * 3)


async def _crowd(workshop: Workshop) -> None:
    """Six long Japanese questions, each translated into Mongolian at length; one pinned."""
    qids = []
    for asker in ("Aiko", "Ken"):
        async with RoomClient(workshop.server.ws_url, ROOM, name=asker, lang="ja") as client:
            for n in range(3):
                qids.append((await client.command("ask", text=f"{n + 1}. {LONG_JA}"))["qid"])
    async with RoomClient(
        workshop.server.ws_url, ROOM, name="Interpreter", key=str(workshop.links["interpreter_key"])
    ) as interpreter:  # fmt: skip
        for qid in qids:
            await interpreter.command("translate", qid=qid, field="text", lang="mn", text=LONG_MN)
    await _run(workshop, ("moderate", {"qid": qids[0], "action": "pin"}))


def test_the_top_five_give_up_their_translations_before_the_text_gets_small(
    pages: Pages,
) -> None:
    run_in_own_loop(_crowd(pages.workshop), "asking and translating")
    screen = pages.new(viewport={"width": 1280, "height": 800})
    screen.goto(f"{pages.workshop.server.url}/r/{ROOM}/present?langs=ja,mn")
    expect(screen.locator("#present-top .present-question")).to_have_count(5, timeout=TIMEOUT)
    expect(screen.locator(".presenter-view")).to_have_attribute("data-compact", "true")
    expect(screen.locator(".present-question-translations").first).to_be_hidden()
    pinned = screen.locator(".present-pinned-translations .screen-translation-text")
    expect(pinned).to_have_text(LONG_MN)  # the pinned question keeps its translation
    assert not screen.evaluate("document.documentElement.scrollHeight > innerHeight"), (
        "fits the screen"
    )
    shot(screen, "projector-ja-mn-1280-crowded")
    pages.check()
