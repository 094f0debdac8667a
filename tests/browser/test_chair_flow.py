"""The chair's flow in real browsers (issue 13): a new question to review shows in the
tab's title, and "Next question" answers the pinned one and puts up the most voted."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.support import TIMEOUT, Pages, close_settings, open_settings


def ask(page: Page, text: str) -> None:
    page.fill("#ask-text", text)
    page.click("#ask-submit")
    expect(page.locator("[data-qid]", has_text=text)).to_have_count(1, timeout=TIMEOUT)


def test_next_question_and_the_pending_count_in_the_title(pages: Pages) -> None:
    chair = pages.moderator()
    aiko = pages.participant("Aiko Sato", "Sendai City")
    bat = pages.participant("Bat-Erdene", "Ulaanbaatar City")
    expect(chair.locator(".up-next")).to_contain_text("No live question")
    expect(chair.locator("button.next-question")).to_be_disabled()

    ask(aiko, "Where are the tsunami towers?")
    ask(bat, "How often are the sirens tested?")
    bat.locator("[data-qid]", has_text="tsunami towers").locator(".q-upvote").click()
    aiko.locator("[data-qid]", has_text="sirens").locator(".q-upvote").click()
    ask(aiko, "Who pays for the shelters?")
    for page in (aiko, bat):  # "shelters": 2 votes; the other two: 1 each
        page.locator("[data-qid]", has_text="shelters").locator(".q-upvote").click()

    expect(chair.locator(".up-next")).to_contain_text("shelters", timeout=TIMEOUT)
    chair.locator("button.next-question").click()
    expect(aiko.locator("#pinned .q-text")).to_contain_text("shelters", timeout=TIMEOUT)
    # Ties on one vote: the older question comes next.
    expect(chair.locator(".up-next")).to_contain_text("tsunami towers", timeout=TIMEOUT)
    chair.locator("button.next-question").click()
    expect(bat.locator("#pinned .q-text")).to_contain_text("tsunami towers", timeout=TIMEOUT)
    answered = bat.locator("[data-qid]", has_text="shelters")
    expect(answered).to_have_attribute("data-status", "answered", timeout=TIMEOUT)

    # With review on, a new question shows as "(1)" in the chair's tab title.
    open_settings(chair)  # the settings are in a drawer now
    chair.locator("#set-premoderation").check()
    expect(chair.locator("#set-premoderation")).to_be_checked()
    close_settings(chair)
    aiko.fill("#ask-text", "Can we visit the command center?")
    aiko.click("#ask-submit")
    expect(chair).to_have_title(re.compile(r"^\(1\) "), timeout=TIMEOUT)
    pending = chair.locator("#queue-pending [data-qid]", has_text="command center")
    pending.locator('button[data-action="approve"]').click()
    expect(chair).not_to_have_title(re.compile(r"^\(\d+\) "), timeout=TIMEOUT)
    pages.check()
