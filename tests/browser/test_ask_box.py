"""The ask box as a participant uses it (issue 13): a question is anonymous only when
asked so, and each send starts again with the box unticked."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import TIMEOUT, Pages


def test_anonymous_is_unticked_after_each_question(pages: Pages) -> None:
    asker = pages.participant("Aiko Sato")
    other = pages.participant("Bat-Erdene", "Ulaanbaatar City")
    asker.check("#ask-anon")
    asker.fill("#ask-text", "Who funds the shelters in Ulaanbaatar?")
    asker.click("#ask-submit")
    expect(asker.locator("#ask-anon")).not_to_be_checked()
    asker.fill("#ask-text", "How often does Sendai drill with schools?")
    asker.click("#ask-submit")

    first = other.locator("[data-qid]", has_text="shelters in Ulaanbaatar")
    second = other.locator("[data-qid]", has_text="drill with schools")
    expect(second.locator(".q-author")).to_contain_text("Aiko Sato", timeout=TIMEOUT)
    expect(first.locator(".q-author")).not_to_contain_text("Aiko")
    assert not pages.problems, pages.problems


def test_withdrawing_takes_a_second_tap(pages: Pages) -> None:
    asker = pages.participant("Aiko Sato")
    other = pages.participant("Bat-Erdene", "Ulaanbaatar City")
    asker.fill("#ask-text", "Can Sendai share its shelter-funding model?")
    asker.click("#ask-submit")
    mine = asker.locator("[data-qid]", has_text="shelter-funding model")
    withdraw = mine.locator('button[data-action="withdraw"]')
    withdraw.click()
    expect(withdraw).to_have_text("Tap again to withdraw")
    seen = other.locator("[data-qid]", has_text="shelter-funding model")
    expect(seen).to_have_count(1, timeout=TIMEOUT)  # one tap withdrew nothing
    withdraw.click()
    expect(mine).to_have_count(0, timeout=TIMEOUT)
    expect(seen).to_have_count(0, timeout=TIMEOUT)
    assert not pages.problems, pages.problems
