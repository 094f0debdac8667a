"""The moderator console (issue 13) in a real browser against a real server: the layout
at phone and desktop sizes with a busy room (30 questions, 6 polls), the signals for a new
pending question, triage, every keyboard shortcut and its help, and axe in en, ja and mn."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.seed import seed
from tests.browser.support import (
    ROOM,
    TIMEOUT,
    Pages,
    close_settings,
    join,
    open_settings,
    show_queue,
)
from tests.browser.test_accessibility import axe
from tests.conftest import Workshop

SIZES = [(360, 740), (1280, 800), (1920, 1080)]


@pytest.fixture
def busy(browser: Browser, lifted: Workshop) -> Iterator[Pages]:
    """Pages on a room with 30 questions (20 pending, 10 live) in three languages and 6 polls."""
    seed(lifted)
    made = Pages(browser, lifted)
    try:
        yield made
        made.check()
    finally:
        for page in made.pages:
            page.context.close()


def console(
    pages: Pages, lang: str = "en", size: tuple[int, int] = (1280, 800), role: str = "moderator"
) -> Page:
    room = next(r for r in pages.workshop.links["rooms"] if r["code"] == ROOM)
    page = pages.new(viewport={"width": size[0], "height": size[1]})
    page.add_init_script(f"localStorage.setItem('workshop.lang', '{lang}')")
    join(page, room[f"{role}_url"], "Chair", "UNDRR")
    return page


def geometry(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        """() => new Promise((done) => requestAnimationFrame(() => {
            const box = (s) => { const e = document.querySelector(s); if (!e) return null;
              const r = e.getBoundingClientRect(); return {top: r.top, left: r.left, width: r.width,
              shown: r.width > 0 && r.height > 0}; };
            done({pending: box("#section-pending"), first: box("#queue-pending [data-qid]"),
              now: box("#pane-now"), polls: box("#pane-polls"), queue: box("#pane-queue"),
              wide: document.documentElement.scrollWidth, w: innerWidth, h: innerHeight});
        }))"""
    )
    return found


@pytest.mark.parametrize("lang", ["en", "ja", "mn"])
def test_the_pending_queue_is_on_the_first_screen_at_every_size(busy: Pages, lang: str) -> None:
    for size in SIZES:
        page = console(busy, lang, size)
        expect(page.locator("#queue-pending [data-qid]")).to_have_count(20, timeout=TIMEOUT)
        expect(page.locator("[data-poll-id]")).to_have_count(6, timeout=TIMEOUT)
        g = geometry(page)
        assert g["wide"] <= g["w"], (size, g)  # no sideways scrolling
        assert 0 <= g["pending"]["top"] < g["h"] - 100, (size, g)
        assert g["first"]["top"] < g["h"] - 60, (size, g)  # a question, not just its heading
        if size[0] >= 1024:  # desktop: the three panes side by side
            assert g["queue"]["left"] < g["now"]["left"] < g["polls"]["left"], (size, g)
            assert g["polls"]["shown"] and g["now"]["shown"], (size, g)
        else:  # phone: one pane at a time, behind tabs
            assert not g["polls"]["shown"], (size, g)
            page.click("#pane-tab-polls")
            expect(page.locator("#pane-polls")).to_be_visible()
            expect(page.locator("#pane-queue")).to_be_hidden()
            page.click("#pane-tab-queue")
            expect(page.locator("#pane-queue")).to_be_visible()
        page.context.close()
        busy.pages.remove(page)


def test_a_new_pending_question_shows_in_title_favicon_chime_and_announcement(pages: Pages) -> None:
    chair = console(pages)
    open_settings(chair)
    chair.locator("#set-premoderation").check()
    chime = chair.locator("#console-chime")
    expect(chime).not_to_be_checked()  # off by default
    chime.check()
    close_settings(chair)
    expect(chair).not_to_have_title(re.compile(r"^\(\d+\)"))
    icon = chair.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("href", "data:,")

    aiko = pages.participant("Aiko Sato", "Sendai City")
    aiko.fill("#ask-text", "Can we visit the command center?")
    aiko.click("#ask-submit")
    expect(chair).to_have_title(re.compile(r"^\(1\) Early Warning and Training"), timeout=TIMEOUT)
    expect(icon).to_have_attribute("href", re.compile(r"^data:image/svg\+xml,"))
    expect(icon).to_have_attribute("data-pending", "1")
    expect(chair.locator("#announcer")).to_have_text(
        "New question to review: Can we visit the command center?"
    )
    expect(chime).to_have_attribute("data-chimes", "1")
    expect(chair.locator("#tab-queue-pending")).to_have_attribute("data-count", "1")

    aiko.fill("#ask-text", "Who trains the volunteers?")
    aiko.click("#ask-submit")
    expect(chair).to_have_title(re.compile(r"^\(2\) "), timeout=TIMEOUT)
    expect(icon).to_have_attribute("data-pending", "2")
    expect(chime).to_have_attribute("data-chimes", "2")

    # The chime choice stays on this device.
    chair.reload()
    expect(chair.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(chair.locator("#console-chime")).to_be_checked()
    chair.locator("#queue-pending [data-qid]").first.locator(
        'button[data-action="approve"]'
    ).click()
    expect(chair.locator('link[rel="icon"]')).to_have_attribute(
        "data-pending", "1", timeout=TIMEOUT
    )
    pages.check()


def test_search_filter_and_sort_the_queue(busy: Pages) -> None:
    page = console(busy)
    items = page.locator("#queue-pending [data-qid]")
    expect(items).to_have_count(20, timeout=TIMEOUT)
    # Pending (seed.py): Aiko, Bat-Erdene, Kenji and Saraa, 5 each; Maria's and Tom's are live.
    page.fill("#triage-search", "tohoku")  # an organisation
    expect(items).to_have_count(5)
    expect(items.first.locator(".q-author")).to_contain_text("Kenji Ito")
    page.fill("#triage-search", "BAT-erdene")  # a name, any case
    expect(items).to_have_count(5)
    page.fill("#triage-search", "避難所 運営")  # words of the text
    expect(items).to_have_count(10)
    page.fill("#triage-search", "no such words")
    expect(items).to_have_count(0)
    expect(page.locator(".no-match")).to_be_visible()
    page.fill("#triage-search", "")

    page.select_option("#triage-lang", "mn")
    expect(items).to_have_count(10)
    for text in items.locator(".q-text").all_inner_texts():
        assert "бэлтгэдэг" in text
    page.select_option("#triage-org", "UNDRR")
    expect(items).to_have_count(0)
    page.select_option("#triage-lang", "")
    page.select_option("#triage-org", "Sendai City")
    expect(items).to_have_count(5)
    page.click("#triage-clear")
    expect(items).to_have_count(20)

    first = lambda: items.first.locator(".q-text").inner_text()  # noqa: E731
    assert "（1）" in first()  # a queue: oldest first
    page.select_option("#triage-sort", "newest")
    expect(items.first.locator(".q-text")).to_contain_text("(29)")
    page.select_option("#triage-sort", "oldest")
    expect(items.first.locator(".q-text")).to_contain_text("（1）")
    show_queue(page, "live")
    live = page.locator("#queue-live [data-qid]")
    expect(live).to_have_count(10)
    page.select_option("#triage-sort", "votes")
    expect(live.first.locator(".q-text")).to_contain_text("item 3?")  # no votes: the oldest first
    page.select_option("#triage-sort", "newest")
    expect(live.first.locator(".q-text")).to_contain_text("item 30?")


def test_every_shortcut_and_its_button(pages: Pages) -> None:
    chair = console(pages)
    open_settings(chair)
    chair.locator("#set-premoderation").check()
    close_settings(chair)
    aiko = pages.participant("Aiko Sato", "Sendai City")
    for text in ("First: sirens?", "Second: shelters?", "Third: radios?", "Fourth: drills?"):
        aiko.fill("#ask-text", text)
        aiko.click("#ask-submit")
        expect(aiko.locator("[data-qid]", has_text=text)).to_have_count(1, timeout=TIMEOUT)
    pending = chair.locator("#queue-pending [data-qid]")
    expect(pending).to_have_count(4, timeout=TIMEOUT)
    chair.locator("body").click(position={"x": 5, "y": 5})

    chair.keyboard.press("j")
    expect(pending.nth(0)).to_have_attribute("data-selected", "true")
    chair.keyboard.press("ArrowDown")
    expect(pending.nth(1)).to_have_attribute("data-selected", "true")
    chair.keyboard.press("k")
    expect(pending.nth(0)).to_have_attribute("data-selected", "true")
    chair.keyboard.press("a")  # approve "First"; "Second" takes its place
    expect(pending).to_have_count(3, timeout=TIMEOUT)
    expect(pending.nth(0)).to_contain_text("Second")
    expect(pending.nth(0)).to_have_attribute("data-selected", "true")
    chair.keyboard.press("a")
    expect(pending).to_have_count(2, timeout=TIMEOUT)
    chair.keyboard.press("d")  # dismiss "Third"
    expect(chair.locator("#queue-dismissed [data-qid]", has_text="Third")).to_have_count(
        1, timeout=TIMEOUT
    )
    # The ↑ ↓ buttons do what j and k do.
    chair.locator('button.select-move[data-move="down"]').click()
    expect(pending.nth(0)).to_have_attribute("data-selected", "true")

    # Never while typing: the search field takes the letters.
    chair.click("#triage-search")
    chair.keyboard.type("ad")
    expect(chair.locator("#triage-search")).to_have_value("ad")
    expect(pending).to_have_count(0)  # filtered by "ad", nothing was approved or dismissed
    chair.fill("#triage-search", "")
    expect(pending).to_have_count(1)
    chair.locator("body").click(position={"x": 5, "y": 5})

    show_queue(chair, "live")
    live = chair.locator("#queue-live [data-qid]")
    expect(live).to_have_count(2)
    chair.keyboard.press("j")
    chair.keyboard.press("p")  # pin the selected one
    expect(live.nth(0)).to_have_attribute("data-pinned", "true", timeout=TIMEOUT)
    expect(aiko.locator("#pinned .q-text")).to_contain_text("First", timeout=TIMEOUT)
    chair.keyboard.press("m")  # mark the pinned one answered: it leaves the screen
    expect(aiko.locator("#pinned")).to_be_hidden(timeout=TIMEOUT)
    expect(chair.locator("#queue-answered [data-qid]", has_text="First")).to_have_count(
        1, timeout=TIMEOUT
    )
    chair.keyboard.press("n")  # next: the live question with most votes, "Second"
    expect(aiko.locator("#pinned .q-text")).to_contain_text("Second", timeout=TIMEOUT)
    # The same with the buttons: "Mark answered" under the pinned question.
    chair.click("#mark-answered")
    expect(aiko.locator("#pinned")).to_be_hidden(timeout=TIMEOUT)

    chair.keyboard.press("?")
    help = chair.locator("#shortcut-help")
    expect(help).to_be_visible()
    expect(help.locator("tr[data-shortcut]")).to_have_count(8)
    chair.keyboard.press("a")  # an open dialog keeps the keys to itself
    chair.keyboard.press("Escape")
    expect(help).to_be_hidden()
    chair.click("#help-open")
    expect(help).to_be_visible()
    help.locator('button[data-action="close-help"]').click()
    expect(help).to_be_hidden()
    pages.check()


HELP = {
    "en": ("Keyboard shortcuts", "Approve the selected question"),
    "ja": ("キーボードショートカット", "選択中の質問を承認"),
    "mn": ("Товчлуурын товчлол", "Сонгосон асуултыг зөвшөөрөх"),
}


@pytest.mark.parametrize("lang", ["en", "ja", "mn"])
def test_help_drawer_and_axe_in_every_language(busy: Pages, lang: str) -> None:
    for size in ((1280, 800), (360, 740)):
        page = console(busy, lang, size)
        expect(page.locator("#queue-pending [data-qid]")).to_have_count(20, timeout=TIMEOUT)
        assert axe(page) == [], (lang, size, "console")
        if size[0] >= 1024:
            page.locator("body").click(position={"x": 5, "y": 5})
            page.keyboard.press("?")
            help = page.locator("#shortcut-help")
            expect(help.locator("h2")).to_have_text(HELP[lang][0])
            expect(help.locator('tr[data-shortcut="approve"]')).to_contain_text(HELP[lang][1])
            assert axe(page) == [], (lang, "help")
            page.keyboard.press("Escape")
        open_settings(page)
        assert axe(page) == [], (lang, size, "settings drawer")
        close_settings(page)
    rapporteur = console(busy, lang, (1280, 800), role="rapporteur")
    expect(rapporteur.locator("#queue-pending [data-qid]")).to_have_count(20, timeout=TIMEOUT)
    expect(rapporteur.locator('#queue-pending button[data-action="approve"]')).to_have_count(0)
    expect(rapporteur.locator("#settings-open")).to_have_count(0)
    assert axe(rapporteur) == [], (lang, "rapporteur")
