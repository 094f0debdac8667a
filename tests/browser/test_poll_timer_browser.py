"""The chair's timed polls, results once voted, Duplicate and Delete, in real browsers
(issue 13). The timer's own closing is proven against a real server in
tests/integration/test_poll_timer.py; here, what people see of it.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.support import TIMEOUT, Pages
from tests.browser.test_accessibility import axe
from tests.browser.test_polls_browser import act, poll, show, vote_option


def create_timed_poll(mod: Page, title: str, seconds: int, *, once_voted: bool) -> str:
    mod.fill("#poll-create-title", title)
    mod.select_option("#poll-create-kind", "single")
    mod.locator(".poll-option-input").nth(0).fill("Sirens")
    mod.locator(".poll-option-input").nth(1).fill("Phones")
    mod.select_option("#poll-timer", str(seconds))
    mod.set_checked("#poll-hide-until-voted", once_voted)
    mod.click("#poll-create-submit")
    new = mod.locator('[data-poll-status="draft"]', has_text=title)
    expect(new).to_have_count(1, timeout=TIMEOUT)
    poll_id = new.get_attribute("data-poll-id")
    assert poll_id
    return poll_id


def seconds_left(page: Page, poll_id: str) -> int:
    value = poll(page, poll_id).locator(".poll-countdown").get_attribute("data-seconds")
    assert value is not None
    return int(value)


def test_a_timed_poll_counts_down_and_shows_results_once_voted(pages: Pages) -> None:
    mod = pages.moderator()
    aiko = pages.participant("Aiko")
    presenter = pages.presenter()
    poll_id = create_timed_poll(mod, "Which channel first?", 300, once_voted=True)
    expect(poll(mod, poll_id).locator(".poll-countdown")).to_be_hidden()  # not open yet
    act(mod, poll_id, "open", "open")
    show(mod, poll_id, presenter)

    for page in (mod, aiko):
        countdown = poll(page, poll_id).locator(".poll-countdown")
        expect(countdown).to_be_visible(timeout=TIMEOUT)
        expect(countdown).to_have_text(re.compile(r"^Closes in [0-4]:[0-5]\d$"), timeout=TIMEOUT)
        first = seconds_left(page, poll_id)
        assert 0 < first <= 300  # never more than the timer, whatever the machine's pace
        page.wait_for_function(
            f"""() => Number(document.querySelector('[data-poll-id="{poll_id}"] .poll-countdown')
                .dataset.seconds) < {first}""",
            timeout=TIMEOUT,
        )
    badge = poll(aiko, poll_id).locator(".poll-hiding")
    expect(badge).to_have_text("Results after voting")
    note = poll(aiko, poll_id).locator(".poll-results-hidden")
    expect(note).to_have_text("Results will be shown once you vote.")
    expect(poll(aiko, poll_id).locator(".poll-bars")).to_be_hidden()
    expect(poll(mod, poll_id).locator(".poll-bars")).to_be_visible()
    # The projector never votes: it counts down and keeps the results for the close.
    expect(presenter.locator(".present-countdown")).to_have_text(
        re.compile(r"^Closes in [0-4]:[0-5]\d$"), timeout=TIMEOUT
    )
    expect(presenter.locator("#present-poll .poll-results-hidden")).to_have_text(
        "Results will be shown when the poll closes."
    )
    assert axe(aiko) == [] and axe(mod) == [] and axe(presenter) == []

    vote_option(aiko, poll_id, 1)
    expect(poll(aiko, poll_id).locator(".poll-bars")).to_be_visible(timeout=TIMEOUT)
    expect(poll(aiko, poll_id).locator('.poll-result[data-option="1"] .poll-count')).to_have_text(
        "1", timeout=TIMEOUT
    )
    expect(note).to_be_hidden()

    act(mod, poll_id, "close", "closed")
    expect(poll(mod, poll_id).locator(".poll-countdown")).to_be_hidden(timeout=TIMEOUT)
    expect(poll(aiko, poll_id).locator(".poll-countdown")).to_be_hidden(timeout=TIMEOUT)
    expect(presenter.locator(".present-countdown")).to_be_hidden(timeout=TIMEOUT)
    expect(
        presenter.locator('#present-poll .poll-result[data-option="1"] .poll-count')
    ).to_have_text("1", timeout=TIMEOUT)
    pages.check()


def test_duplicate_makes_a_draft_and_delete_removes_the_poll_for_everyone(pages: Pages) -> None:
    mod = pages.moderator()
    aiko = pages.participant("Aiko")
    poll_id = create_timed_poll(mod, "Shelter drill day?", 120, once_voted=False)
    act(mod, poll_id, "open", "open")
    vote_option(aiko, poll_id, 0)
    act(mod, poll_id, "close", "closed")

    poll(mod, poll_id).locator('button[data-poll-action="duplicate"]').click()
    copy = mod.locator('[data-poll-status="draft"]', has_text="Shelter drill day?")
    expect(copy).to_have_count(1, timeout=TIMEOUT)
    copy.locator('button[data-poll-action="edit"]').click()
    expect(mod.locator("#poll-timer")).to_have_value("120")
    expect(mod.locator(".poll-option-input").nth(1)).to_have_value("Phones")
    mod.click("#poll-edit-cancel")

    # Delete asks first: dismissing the question keeps the poll.
    mod.once("dialog", lambda dialog: dialog.dismiss())
    poll(mod, poll_id).locator('button[data-poll-action="delete"]').click()
    expect(poll(aiko, poll_id)).to_have_count(1)
    messages: list[str] = []

    def accept(dialog: object) -> None:
        messages.append(dialog.message)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    mod.once("dialog", accept)
    poll(mod, poll_id).locator('button[data-poll-action="delete"]').click()
    for page in (mod, aiko):
        expect(poll(page, poll_id)).to_have_count(0, timeout=TIMEOUT)
    assert messages and "Shelter drill day?" in messages[0]
    expect(copy).to_have_count(1)  # the copy stays
    aiko.reload()
    expect(aiko.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(poll(aiko, poll_id)).to_have_count(0)
    pages.check()
