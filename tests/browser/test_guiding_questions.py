"""The discussion's guiding questions (issue 14) on the demo event, as `make run` serves
it: each participant reads them in their interface language, following a switch; a
session without any shows no empty box; axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_accessibility import axe
from tests.conftest import Workshop, running, start_event_file
from tests.support.server import ROOT

from .support import TIMEOUT, Pages, join

DEMO = ROOT / "examples" / "sendai-ulaanbaatar.toml"


@pytest.fixture
def workshop(tmp_path: Path) -> Iterator[Workshop]:
    yield from running(start_event_file(tmp_path, DEMO.read_text("utf-8")))


@pytest.mark.parametrize(
    ("locale", "first", "title"),
    [
        ("en-US", "Did the Sendai Framework change", "Discussion"),
        ("ja-JP", "仙台防災枠組は、あなたの活動や組織を変えましたか。", "意見交換"),
        ("mn-MN", "Гамшгийн эрсдэлийг бууруулах Сендайн", "Хэлэлцүүлэг"),
    ],
)
def test_guiding_questions_in_the_readers_language(
    browser: Browser, workshop: Workshop, locale: str, first: str, title: str
) -> None:
    pages = Pages(browser, workshop)
    page = pages.new(locale=locale, viewport={"width": 360, "height": 740})
    join(page, f"{workshop.server.url}/r/DISCUSS", "Aiko", "UNDRR Kobe Office")
    expect(page.locator("#room-title")).to_have_text(title, timeout=TIMEOUT)
    prompts = page.locator("#prompts .prompt")
    expect(prompts).to_have_count(3)
    expect(prompts.first).to_contain_text(first)
    expect(prompts.first).to_have_attribute("lang", locale[:2])
    assert axe(page) == []

    page.select_option("#lang-switch", "en")  # the prompts follow the interface language
    expect(prompts.nth(1)).to_have_text("What led you to make this commitment or initiative?")

    plan = pages.new(locale=locale)
    join(plan, f"{workshop.server.url}/r/SUB-PLAN", "Bat", "Ulaanbaatar City")
    expect(plan.locator("#prompts")).to_be_hidden()
    pages.check()
