"""The programme (issue 14) on the demo event plus a room without a slot: the landing page
lists the sessions by day with JST and ULAT side by side, marks "Now" and "Next" in words
as the (controlled) clock moves, puts the room without times under "Other sessions" and
follows a language switch; a room's header shows its slot. In en, ja and mn, axe-clean,
with screenshots at phone, laptop and projector sizes in /tmp/shots-programme/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.test_accessibility import axe
from tests.conftest import Workshop, running, start_event_file
from tests.support.server import ROOT

from .support import TIMEOUT, Pages, join

DEMO = ROOT / "examples" / "sendai-ulaanbaatar.toml"
# A room the organisers have not scheduled: it belongs under "Other sessions".
UNSCHEDULED = """
[[rooms]]
code = "LOUNGE"
title = { en = "Open exchange", ja = "自由交流", mn = "Чөлөөт санал солилцоо" }
"""
SHOTS = Path("/tmp/shots-programme")
SIZES = [(360, 740), (1280, 800), (1920, 1080)]
JST = dt.timezone(dt.timedelta(hours=9))
# 13:30 in Sendai, 12:30 in Ulaanbaatar: Early Warning is on, Emergency Command is next.
DURING_EWS = dt.datetime(2026, 12, 10, 13, 30, tzinfo=JST)

LOCALES = {"en": "en-US", "ja": "ja-JP", "mn": "mn-MN"}
HEADINGS = {"en": "Programme", "ja": "プログラム", "mn": "Хөтөлбөр"}
DAYS = {"en": "Thursday 10 December", "ja": "12月10日木曜日", "mn": "12-р сарын 10, Пүрэв гараг"}
OTHER = {"en": "Other sessions", "ja": "その他のセッション", "mn": "Бусад хуралдаан"}
NOW = {"en": "Now", "ja": "開催中", "mn": "Одоо"}
NEXT = {"en": "Next", "ja": "次に開催", "mn": "Дараагийнх"}
EWS = {
    "en": "Early Warning and Training",
    "ja": "早期警報と訓練",
    "mn": "Эрт сэрэмжлүүлэг ба сургалт",
}
SLOT = {  # the header's slot of SUB-PLAN; Chromium has no mn dates: the catalogue's template
    "en": "10 Dec 10:00–11:30 JST · 09:00–10:30 ULAT",
    "ja": "12月10日 10:00–11:30 JST · 09:00–10:30 ULAT",
    "mn": "12-р сарын 10 10:00–11:30 JST · 09:00–10:30 ULAT",
}


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    event = DEMO.read_text("utf-8") + UNSCHEDULED
    yield from running(start_event_file(tmp_path_factory.mktemp("programme"), event))


def landing(pages: Pages, lang: str, at: dt.datetime, width: int = 360, height: int = 740) -> Page:
    page = pages.new(locale=LOCALES[lang], viewport={"width": width, "height": height})
    page.clock.install(time=at)
    page.goto(f"{pages.workshop.server.url}/")
    expect(page.locator("#room-list .room-item")).to_have_count(5, timeout=TIMEOUT)
    return page


def item(page: Page, code: str) -> Locator:
    return page.locator(f'#room-list .room-item[data-code="{code}"]')


def no_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page is {width}px wider than the viewport"


@pytest.mark.parametrize("lang", ["en", "ja", "mn"])
def test_the_programme_by_day_with_now_and_next(
    browser: Browser, workshop: Workshop, lang: str
) -> None:
    pages = Pages(browser, workshop)
    page = landing(pages, lang, DURING_EWS)
    expect(page.locator("#title-rooms")).to_have_text(HEADINGS[lang])
    days = page.locator("#room-list .programme-day")
    expect(days).to_have_count(2)
    expect(days.nth(0).locator("h3")).to_have_text(DAYS[lang])
    expect(days.nth(1).locator("h3")).to_have_text(OTHER[lang])
    expect(days.nth(1).locator(".room-item")).to_have_count(1)
    codes = days.nth(0).locator(".room-item").evaluate_all("(ns) => ns.map((n) => n.dataset.code)")
    assert codes == ["SUB-PLAN", "SUB-EWS", "SUB-ECC", "DISCUSS"]

    ews = item(page, "SUB-EWS")
    expect(ews.locator(".room-item-title")).to_have_text(EWS[lang])
    zones = ews.locator(".slot-zone")
    expect(zones.nth(0)).to_have_text("13:00–14:30 JST")
    expect(zones.nth(1)).to_have_text("12:00–13:30 ULAT")
    # The marks are words, and the link of the session on now says so to screen readers.
    expect(ews.locator(".programme-badge")).to_have_text(NOW[lang])
    expect(ews.locator("a")).to_have_attribute("aria-current", "time")
    expect(item(page, "SUB-ECC").locator(".programme-badge")).to_have_text(NEXT[lang])
    for code in ("SUB-PLAN", "DISCUSS", "LOUNGE"):
        expect(item(page, code).locator(".programme-badge")).to_be_hidden()
    expect(item(page, "LOUNGE").locator(".slot-zone")).to_have_count(0)
    assert axe(page) == []
    no_overflow(page)

    # 14:50: Emergency Command is on and the Discussion next, within one 30 s tick.
    page.clock.run_for("01:20:00")
    expect(item(page, "SUB-ECC").locator(".programme-badge")).to_have_text(NOW[lang])
    expect(item(page, "DISCUSS").locator(".programme-badge")).to_have_text(NEXT[lang])
    expect(ews.locator(".programme-badge")).to_be_hidden()
    expect(ews.locator("a")).not_to_have_attribute("aria-current", "time")

    # A language switch redraws the day, the titles and the marks in the new language.
    other = "mn" if lang != "mn" else "ja"
    page.select_option("#lang-switch", other)
    expect(days.nth(0).locator("h3")).to_have_text(DAYS[other])
    expect(item(page, "SUB-ECC").locator(".programme-badge")).to_have_text(NOW[other])
    expect(ews.locator(".room-item-title")).to_have_text(EWS[other])
    expect(page.locator("#title-rooms")).to_have_text(HEADINGS[other])
    pages.check()


def test_after_the_last_session_nothing_is_marked(browser: Browser, workshop: Workshop) -> None:
    pages = Pages(browser, workshop)
    page = landing(pages, "en", dt.datetime(2026, 12, 10, 17, 29, tzinfo=JST))
    expect(item(page, "DISCUSS").locator(".programme-badge")).to_have_text("Now")
    page.clock.run_for("02:00")  # 17:31: the day is over
    expect(page.locator("#room-list .programme-badge:visible")).to_have_count(0)
    pages.check()


@pytest.mark.parametrize("lang", ["en", "ja", "mn"])
def test_the_room_header_shows_its_slot(browser: Browser, workshop: Workshop, lang: str) -> None:
    pages = Pages(browser, workshop)
    page = pages.new(locale=LOCALES[lang], viewport={"width": 360, "height": 740})
    join(page, f"{workshop.server.url}/r/SUB-PLAN", "Aiko", "Sendai City")
    slot = page.locator("#room-slot .room-slot-time")
    expect(slot).to_have_text(SLOT[lang], timeout=TIMEOUT)
    assert axe(page) == []
    no_overflow(page)
    other = "en" if lang != "en" else "mn"
    page.select_option("#lang-switch", other)
    expect(slot).to_have_text(SLOT[other])

    lounge = pages.new(locale=LOCALES[lang])
    join(lounge, f"{workshop.server.url}/r/LOUNGE", "Bat", "Ulaanbaatar City")
    expect(lounge.locator("#room-slot")).to_be_hidden()
    pages.check()


def test_screenshots(browser: Browser, workshop: Workshop) -> None:
    """Phone, laptop and projector sizes in each language, for a person to look at; the
    page must never be wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = Pages(browser, workshop)
    for lang in ("en", "ja", "mn"):
        for width, height in SIZES:
            page = landing(pages, lang, DURING_EWS, width, height)
            no_overflow(page)
            page.screenshot(
                path=str(SHOTS / f"landing-{lang}-{width}x{height}.png"), full_page=True
            )
            join(page, f"{workshop.server.url}/r/SUB-EWS", "Aiko", "Sendai City")
            expect(page.locator("#room-slot")).to_be_visible(timeout=TIMEOUT)
            no_overflow(page)
            page.screenshot(path=str(SHOTS / f"room-{lang}-{width}x{height}.png"))
            page.context.close()
    pages.pages.clear()
    assert pages.problems == [], pages.problems
