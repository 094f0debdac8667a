"""The projector (issue 13): the QR code of the participant link, drawn by the `qrcode`
library; the link and code unbroken; the clocks of Tokyo and Ulaanbaatar; presence by
city / organisation; axe in three languages. Real server, real Chromium.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.support import ROOM, TIMEOUT, Pages
from tests.browser.test_accessibility import axe, in_lang
from tests.browser.test_polls_browser import act, create_poll, show

WEB = Path(__file__).resolve().parents[2] / "client" / "web"

# The same library, run in Node, for the same URL and options as present-join.js.
QR_IN_NODE = """
const QRCode = require("qrcode");
QRCode.toString(process.argv[1], { type: "svg", errorCorrectionLevel: "M", margin: 2 })
  .then((svg) => process.stdout.write(JSON.stringify(svg)));
"""


def node_qr(url: str) -> str:
    command = ["node", "-e", QR_IN_NODE, url]
    out = subprocess.run(command, cwd=WEB, check=True, capture_output=True, text=True)
    path: str = json.loads(out.stdout).split(' d="')[-1].split('"')[0]
    return path


def test_the_qr_code_is_the_librarys_drawing_of_the_participant_link(pages: Pages) -> None:
    presenter = pages.presenter()
    url = f"{pages.workshop.server.url}/r/{ROOM}"
    qr = presenter.locator("#present-qr")
    expect(qr).to_have_attribute("data-ready", "true", timeout=TIMEOUT)
    assert qr.get_attribute("data-url") == url
    # The dark modules' path is the library's, byte for byte.
    drawn = qr.locator("svg path").last.get_attribute("d")
    assert drawn == node_qr(url)
    expect(qr.locator("svg")).to_have_attribute("aria-label", url)
    # The link breaks only after "/": one <wbr> per slash; the code stays whole.
    assert presenter.locator("#present-url wbr").count() == url.count("/")
    parts = presenter.locator(".present-url-part")
    assert parts.evaluate_all("ps => ps.map(p => getComputedStyle(p).whiteSpace)") == ["nowrap"] * (
        url.count("/") + 1
    )
    expect(presenter.locator("#present-url")).to_have_text(url)
    white_space = presenter.locator("#present-code").evaluate("e => getComputedStyle(e).whiteSpace")
    assert white_space == "nowrap"
    pages.check()


def test_clocks_of_both_cities_and_presence_by_organisation(pages: Pages) -> None:
    pages.participant("Aiko", "Sendai City")
    pages.participant("Kenji", "Sendai City")
    pages.participant("Bat", "NEMA Mongolia")
    presenter = pages.presenter()
    clocks = presenter.locator(".present-clock")
    expect(clocks).to_have_count(2)
    expect(clocks.nth(0)).to_have_attribute("data-zone", "Asia/Tokyo")
    expect(clocks.nth(0)).to_contain_text("Tokyo")
    expect(clocks.nth(1)).to_have_attribute("data-zone", "Asia/Ulaanbaatar")
    expect(clocks.nth(1)).to_contain_text("Ulaanbaatar")
    for i in (0, 1):
        expect(clocks.nth(i).locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    presence = presenter.locator("#present-presence")
    expect(presence).to_contain_text("Sendai City 2", timeout=TIMEOUT)
    expect(presence).to_contain_text("NEMA Mongolia 1", timeout=TIMEOUT)
    pages.check()


@pytest.mark.parametrize("lang", ["en", "ja", "mn"])
def test_the_projector_passes_axe(pages: Pages, lang: str) -> None:
    page = in_lang(pages, lang, viewport={"width": 1024, "height": 768})
    page.goto(f"{pages.workshop.server.url}/r/{ROOM}/present")
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(page.locator("#present-qr")).to_have_attribute("data-ready", "true", timeout=TIMEOUT)
    assert axe(page) == []
    pages.check()


LONG_QUESTION = ("How will the early warning reach fishing boats beyond phone coverage " * 8)[:500]
LONG_ANSWER = "Through the coastguard radio relay and the harbour sirens, tested monthly. " * 4
OPTIONS = [
    f"Option {i}: community radio, sirens, door-to-door volunteers and SMS" for i in range(10)
]


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800), (1920, 1080)])
def test_long_content_fits_the_screen_without_scrolling(
    pages: Pages, size: tuple[int, int]
) -> None:

    asker = pages.participant("Aiko")
    mod = pages.moderator()
    presenter = pages.new(viewport={"width": size[0], "height": size[1]})
    presenter.goto(f"{pages.workshop.server.url}/r/{ROOM}/present")
    asker.fill("#ask-text", LONG_QUESTION)
    asker.click("#ask-submit")
    item = mod.locator("[data-qid]", has_text="fishing boats").first
    expect(item).to_have_count(1, timeout=TIMEOUT)
    item.locator('button[data-action="answer"]').click()
    item.locator(".q-answer-text").fill(LONG_ANSWER)
    item.locator('button[data-action="save"]').click()
    item.locator('button[data-action="pin"]').click()
    expect(presenter.locator("#present-answer")).to_contain_text("coastguard", timeout=TIMEOUT)
    poll_id = create_poll(mod, "Which channel reaches the last household first?", "single", OPTIONS)
    act(mod, poll_id, "open", "open")
    show(mod, poll_id, presenter)
    expect(presenter.locator("#present-poll")).to_contain_text("Option 9")
    expect(presenter.locator("#present-qr")).to_have_attribute(
        "data-ready", "true", timeout=TIMEOUT
    )
    fits = presenter.evaluate(
        """() => new Promise((done) => requestAnimationFrame(() => done({
            tall: document.documentElement.scrollHeight, wide: document.documentElement.scrollWidth,
            h: innerHeight, w: innerWidth})))"""
    )
    assert fits["tall"] <= fits["h"], fits
    assert fits["wide"] <= fits["w"], fits
    pages.check()


NAMES = {"en": "Full screen", "ja": "全画面表示", "mn": "Бүтэн дэлгэц"}


@pytest.mark.parametrize("lang", ["en", "ja", "mn"])
def test_the_fullscreen_button_and_no_chips(pages: Pages, lang: str) -> None:
    page = in_lang(pages, lang, viewport={"width": 1280, "height": 800})
    page.goto(f"{pages.workshop.server.url}/r/{ROOM}/present")
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(page.locator("#conn-state")).to_be_hidden()
    expect(page.locator(".lang-switch")).to_be_hidden()
    button = page.get_by_role("button", name=NAMES[lang])
    expect(button).to_be_visible()
    button.click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    expect(button).to_be_hidden()
    pages.check()


def test_two_interface_languages_at_once(pages: Pages) -> None:
    page = pages.new(viewport={"width": 1280, "height": 800})
    page.goto(f"{pages.workshop.server.url}/r/{ROOM}/present?langs=ja,mn")
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(page.locator("#present-qr")).to_have_attribute("data-ready", "true", timeout=TIMEOUT)
    assert page.evaluate("document.documentElement.lang") == "ja"
    title = page.locator("#title-present-pinned")
    expect(title.locator('span[lang="ja"]')).to_have_text("回答中の質問")
    expect(title.locator('span[lang="mn"]')).not_to_be_empty()
    expect(page.get_by_role("button", name="全画面表示 · Бүтэн дэлгэц")).to_be_visible()
    assert axe(page) == []
    pages.check()
