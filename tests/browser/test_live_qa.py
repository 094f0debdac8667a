"""Two participants and a moderator run a live Q&A in real browsers (issue: foundation).

One asks, the other sees it live and upvotes, the moderator pins it, the presenter
screen shows it; the interface switches to Japanese and Mongolian.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.support import join
from tests.conftest import Workshop

QUESTION = "How does Sendai train volunteers for tsunami evacuation? 避難訓練"


def test_two_participants_a_moderator_and_the_presenter(
    browser: Browser, workshop: Workshop
) -> None:
    base = workshop.server.url
    room = next(r for r in workshop.links["rooms"] if r["code"] == "SUB-EWS")
    asker = browser.new_context().new_page()
    voter = browser.new_context().new_page()
    moderator = browser.new_context().new_page()
    presenter = browser.new_context().new_page()

    join(asker, f"{base}/r/SUB-EWS", "Aiko Sato", "Sendai City")
    join(voter, f"{base}/r/SUB-EWS", "Bat-Erdene", "Ulaanbaatar City")
    join(moderator, room["moderator_url"], "Moderator", "UNDRR")
    presenter.goto(f"{base}/r/SUB-EWS/present")
    # The key travels after '#', and the page drops it from the address bar.
    assert "key=" not in moderator.url

    asker.fill("#ask-text", QUESTION)
    asker.click("#ask-submit")

    seen = voter.locator("[data-qid]", has_text="tsunami evacuation")
    expect(seen).to_have_count(1, timeout=10_000)
    expect(seen.locator(".q-votes")).to_have_text("0")
    seen.locator(".q-upvote").click()
    expect(seen.locator(".q-upvote")).to_have_attribute("aria-pressed", "true")
    mine = asker.locator("[data-qid]", has_text="tsunami evacuation")
    expect(mine.locator(".q-votes")).to_have_text("1", timeout=10_000)

    at_moderator = moderator.locator("[data-qid]", has_text="tsunami evacuation").first
    at_moderator.locator('button[data-action="pin"]').click()
    expect(presenter.locator("#present-pinned")).to_contain_text(
        "tsunami evacuation", timeout=10_000
    )
    expect(voter.locator("#pinned .q-text")).to_contain_text("tsunami evacuation")

    # Presence counts the participants only (issue 13): not the moderator, not the projector
    # (which joins with screen: true), though both are in the room and show the count.
    for page in (voter, moderator, presenter):
        expect(page.locator("#presence-count")).to_contain_text(
            re.compile(r"\b2\b"), timeout=10_000
        )


def test_language_switch_changes_visible_strings(browser: Browser, workshop: Workshop) -> None:
    page = browser.new_context().new_page()
    join(page, f"{workshop.server.url}/r/SUB-PLAN", "Tuya", "Ulaanbaatar City")
    heading = page.locator("#title-ask")
    page.select_option("#lang-switch", "en")
    expect(heading).to_have_text(re.compile(r"[A-Za-z]"))
    english = heading.inner_text()
    page.select_option("#lang-switch", "ja")
    expect(heading).not_to_have_text(english)
    expect(heading).to_have_text(re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"))
    page.select_option("#lang-switch", "mn")
    expect(heading).to_have_text(re.compile(r"[\u0400-\u04ff]"))
    # The choice is remembered across a reload.
    page.reload()
    expect(page.locator("#title-ask")).to_have_text(re.compile(r"[\u0400-\u04ff]"))
