"""The registry of organisations in the join form and in the counts (issue 14): a Japanese
participant picks 仙台市, an English one Sendai City, a third types free text; the
projector and the moderator count Sendai City once, with 2, and per city; a reload keeps
the pick; an old profile's typed name gains its id; the options are named in en, ja, mn.

Screenshots of the join form and the projector's counts at three sizes in the three
languages go to /tmp/shots-join/ (looked at by hand; not a test of pixels)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import TIMEOUT, Pages
from tests.browser.test_accessibility import LANGS, axe, in_lang
from tests.conftest import Workshop, running, start_event_file

CODE = "SUB-PLAN"
SHOTS = Path("/tmp/shots-join")
SIZES = [(360, 740), (1280, 800), (1920, 1080)]

EVENT = """
title = { en = "City-to-city learning", ja = "都市間学習", mn = "Хот хоорондын суралцахуй" }

[[organisations]]
id = "sendai"
name = { en = "Sendai City", ja = "仙台市", mn = "Сендай хот" }
city = "sendai"

[[organisations]]
id = "ulaanbaatar"
name = { en = "Ulaanbaatar City", ja = "ウランバートル市", mn = "Улаанбаатар хот" }
city = "ulaanbaatar"

[[organisations]]
id = "undrr-onea-geti"
name = { en = "UNDRR Office for Northeast Asia and Global Education and Training Institute for DRR (ONEA-GETI), Incheon", ja = "国連防災機関（UNDRR）北東アジア事務所・防災グローバル教育研修機関（ONEA-GETI）、仁川", mn = "НҮБ-ын Гамшгийн эрсдэлийг бууруулах алба (UNDRR) — Зүүн хойд Азийн алба ба Гамшгийн эрсдэлийг бууруулах дэлхийн боловсрол, сургалтын хүрээлэн (ONEA-GETI), Инчхон" }
city = "undrr"

[[organisations]]
id = "undrr-kobe"
name = { en = "UNDRR Kobe Office", ja = "国連防災機関（UNDRR）神戸事務所", mn = "НҮБ-ын Гамшгийн эрсдэлийг бууруулах алба (UNDRR) — Кобе дахь алба" }
city = "undrr"

[[rooms]]
code = "SUB-PLAN"
title = { en = "Planning and Investment", ja = "計画と投資", mn = "Төлөвлөлт ба хөрөнгө оруулалт" }
"""  # noqa: E501

KOBE_MN = "НҮБ-ын Гамшгийн эрсдэлийг бууруулах алба (UNDRR) — Кобе дахь алба"
LABELS = {
    "en": ["Sendai City", "Ulaanbaatar City", "UNDRR Kobe Office", "Other…"],
    "ja": ["仙台市", "ウランバートル市", "国連防災機関（UNDRR）神戸事務所", "その他…"],
    "mn": ["Сендай хот", "Улаанбаатар хот", KOBE_MN, "Бусад…"],
}


@pytest.fixture
def workshop(tmp_path: Path) -> Iterator[Workshop]:
    """The browser fixtures' workshop, here with a registry of four organisations."""
    yield from running(start_event_file(tmp_path, EVENT))


def open_form(pages: Pages, lang: str, **context: object) -> Page:
    page = in_lang(pages, lang, **context)
    page.goto(f"{pages.workshop.server.url}/r/{CODE}")
    expect(page.locator("#join-form")).to_have_attribute("data-registry", "loaded", timeout=TIMEOUT)
    return page


def submit(page: Page, name: str) -> None:
    page.fill("#join-name", name)
    page.click("#join-submit")
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)


def profile(page: Page) -> dict[str, object]:
    saved: dict[str, object] = json.loads(page.evaluate("localStorage.getItem('workshop.profile')"))
    return saved


def projector(pages: Pages, lang: str, width: int = 1920, height: int = 1080) -> Page:
    page = in_lang(pages, lang, viewport={"width": width, "height": height})
    page.goto(f"{pages.workshop.server.url}/r/{CODE}/present")
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    return page


@pytest.mark.parametrize("lang", LANGS)
def test_the_registry_is_offered_in_the_interface_language(pages: Pages, lang: str) -> None:
    page = open_form(pages, lang)
    pick = page.locator("#join-org-pick")
    expect(pick).to_be_visible()
    names = pick.locator("option").all_text_contents()
    for label in LABELS[lang]:
        assert label in names, (label, names)
    assert names.index(LABELS[lang][0]) == 1 and names[-1] == LABELS[lang][3]  # none, …, other
    expect(page.locator("#join-org")).to_be_hidden()  # free text only behind "Other…"
    assert axe(page) == []
    page.select_option("#join-org-pick", "other")
    expect(page.locator("#join-org")).to_be_visible()
    expect(page.locator("#join-org")).to_have_attribute("maxlength", "80")
    assert axe(page) == []
    pages.check()


def test_a_language_switch_renames_the_options_and_keeps_the_choice(pages: Pages) -> None:
    page = open_form(pages, "en")
    page.select_option("#join-org-pick", "ulaanbaatar")
    option = page.locator('#join-org-pick option[value="ulaanbaatar"]')
    page.select_option("#join-lang", "mn")
    expect(option).to_have_text("Улаанбаатар хот")
    expect(page.locator("#join-org-pick")).to_have_value("ulaanbaatar")
    page.select_option("#join-lang", "ja")
    expect(option).to_have_text("ウランバートル市")
    expect(page.locator("#join-org-pick")).to_have_value("ulaanbaatar")
    submit(page, "Bold")
    saved = {"name": "Bold", "org": "ウランバートル市", "lang": "ja", "org_id": "ulaanbaatar"}
    assert profile(page) == saved
    pages.check()


def test_one_organisation_counted_once_whatever_language_it_was_picked_in(pages: Pages) -> None:
    aiko = open_form(pages, "ja")
    aiko.select_option("#join-org-pick", "sendai")
    submit(aiko, "佐藤愛子")
    ben = open_form(pages, "en")
    ben.select_option("#join-org-pick", "sendai")
    submit(ben, "Ben")
    sara = open_form(pages, "mn")
    sara.select_option("#join-org-pick", "other")
    sara.fill("#join-org", "Tohoku University")
    submit(sara, "Сараа")
    assert profile(aiko)["org_id"] == "sendai" and profile(ben)["org_id"] == "sendai"
    assert "org_id" not in profile(sara) and profile(sara)["org"] == "Tohoku University"

    screen = projector(pages, "en")
    orgs, cities = screen.locator("#present-orgs"), screen.locator("#present-cities")
    expect(orgs).to_have_text("Sendai City 2 · Tohoku University 1", timeout=TIMEOUT)
    expect(cities).to_have_text("Sendai 2", timeout=TIMEOUT)
    expect(aiko.locator("#presence-orgs")).to_have_text(
        "参加者 3 人：仙台市 2 · Tohoku University 1", timeout=TIMEOUT
    )
    expect(sara.locator("#presence-orgs")).to_contain_text("Сендай хот 2", timeout=TIMEOUT)

    # The moderator's console shows the same counts, in the moderator's language.
    room = next(r for r in pages.workshop.links["rooms"] if r["code"] == CODE)
    chair = in_lang(pages, "mn", viewport={"width": 1280, "height": 900})
    chair.goto(room["moderator_url"])
    chair.fill("#join-name", "Chair")
    form = chair.locator("#join-form")
    expect(form).to_have_attribute("data-registry", "loaded", timeout=TIMEOUT)
    chair.select_option("#join-org-pick", "undrr-kobe")
    chair.click("#join-submit")
    expect(chair.locator("#mod-presence")).to_contain_text("Сендай хот 2", timeout=TIMEOUT)
    expect(chair.locator("#mod-cities")).to_have_text("Хотоор: Сендай 2", timeout=TIMEOUT)

    # A question's author organisation, in each reader's language.
    aiko.fill("#ask-text", "避難所の運営はどうしていますか？")
    aiko.click("#ask-submit")
    expect(ben.locator("li[data-qid]").first).to_contain_text("(Sendai City)", timeout=TIMEOUT)
    expect(sara.locator("li[data-qid]").first).to_contain_text("(Сендай хот)", timeout=TIMEOUT)

    # A reload rejoins with the pick: no form, the same counts.
    aiko.reload()
    expect(aiko.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(aiko.locator("#join-form")).to_have_count(0)
    assert profile(aiko)["org_id"] == "sendai"
    expect(orgs).to_have_text("Sendai City 2 · Tohoku University 1", timeout=TIMEOUT)

    # A profile stored before the registry (only the typed name) gains its id.
    old = in_lang(pages, "mn")
    old.add_init_script(
        "localStorage.getItem('workshop.profile') || localStorage.setItem('workshop.profile',"
        " JSON.stringify({name: 'Бат', org: 'сендай хот', lang: 'mn'}))"
    )
    old.goto(f"{pages.workshop.server.url}/r/{CODE}")
    expect(old.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(orgs).to_have_text("Sendai City 3 · Tohoku University 1", timeout=TIMEOUT)
    assert profile(old) == {"name": "Бат", "org": "Сендай хот", "lang": "mn", "org_id": "sendai"}
    pages.check()


def test_screenshots_of_the_join_form_and_the_counts(pages: Pages) -> None:
    """For a person to look at (issue 14's three languages, phone to projector)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, org in [("Aiko", "sendai"), ("Kenji", "sendai"), ("Bat", "ulaanbaatar")]:
        page = open_form(pages, "en")
        page.select_option("#join-org-pick", org)
        submit(page, name)
    other = open_form(pages, "en")
    other.select_option("#join-org-pick", "undrr-onea-geti")
    submit(other, "Kim")
    for lang in LANGS:
        for width, height in SIZES:
            form = open_form(pages, lang, viewport={"width": width, "height": height})
            form.select_option("#join-org-pick", "other")
            form.fill("#join-org", "Tohoku University")
            form.screenshot(path=str(SHOTS / f"join-{lang}-{width}x{height}.png"), full_page=True)
            form.context.close()
            screen = projector(pages, lang, width, height)
            expect(screen.locator("#present-cities")).to_contain_text("2", timeout=TIMEOUT)
            screen.screenshot(path=str(SHOTS / f"projector-{lang}-{width}x{height}.png"))
            screen.context.close()
    pages.pages = [p for p in pages.pages if not p.is_closed()]
    pages.check()
