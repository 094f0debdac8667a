"""Polls in real browsers (issue 4): the moderator prepares and runs polls, participants
vote from their own browser contexts, the presenter screen shows live results.

Every page also listens for Content-Security-Policy violations: the result bars get their
widths through the CSSOM, which `style-src 'self'` allows, and nothing may be refused.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.support import TIMEOUT, Pages


def create_poll(
    mod: Page, title: str, kind: str, options: list[str] = (), *, hide: bool = False
) -> str:
    """Fill the draft form and submit it; return the new draft's poll id."""
    before = set(
        mod.locator("[data-poll-id]").evaluate_all("els => els.map(e => e.dataset.pollId)")
    )
    mod.fill("#poll-create-title", title)
    mod.select_option("#poll-create-kind", kind)
    for i, option in enumerate(options):
        if mod.locator(".poll-option-input").count() <= i:
            mod.click("#poll-add-option")
        mod.locator(".poll-option-input").nth(i).fill(option)
    mod.set_checked("#poll-hide-results", hide)
    mod.click("#poll-create-submit")
    new = mod.locator('[data-poll-status="draft"]', has_text=title)
    expect(new).to_have_count(1, timeout=TIMEOUT)
    poll_id = new.get_attribute("data-poll-id")
    assert poll_id and poll_id not in before
    return poll_id


def poll(page: Page, poll_id: str) -> Locator:
    return page.locator(f'[data-poll-id="{poll_id}"]')


def act(mod: Page, poll_id: str, action: str, status: str) -> None:
    poll(mod, poll_id).locator(f'button[data-poll-action="{action}"]').click()
    expect(poll(mod, poll_id)).to_have_attribute("data-poll-status", status, timeout=TIMEOUT)


def show(mod: Page, poll_id: str, presenter: Page | None = None) -> None:
    """Put the poll on the projector (poll.show), and wait for the screen to show it."""
    poll(mod, poll_id).locator('button[data-poll-action="show"]').click()
    expect(poll(mod, poll_id)).to_have_attribute("data-on-screen", "true", timeout=TIMEOUT)
    if presenter is not None:
        expect(presenter.locator("#present-poll")).to_have_attribute(
            "data-poll-id", poll_id, timeout=TIMEOUT
        )


def vote_option(page: Page, poll_id: str, value: int) -> None:
    page.locator(f'input[name="poll-choice-{poll_id}"][value="{value}"]').check()
    poll(page, poll_id).locator('button[data-poll-action="vote"]').click()


def vote_word(page: Page, poll_id: str, word: str) -> None:
    poll(page, poll_id).locator(".poll-word-input").fill(word)
    poll(page, poll_id).locator('button[data-poll-action="vote"]').click()


def counts(scope: Locator, n: int) -> list[str]:
    return [
        scope.locator(f'.poll-result[data-option="{i}"] .poll-count').inner_text() for i in range(n)
    ]


def test_a_single_choice_poll_from_draft_to_the_presenter(pages: Pages) -> None:
    mod = pages.moderator()
    aiko = pages.participant("Aiko Sato")
    bat = pages.participant("Bat-Erdene", "Ulaanbaatar City")
    presenter = pages.presenter()

    # A draft, edited before it opens; participants never see drafts.
    poll_id = create_poll(mod, "Which channel reaches residnts?", "multi", ["Sirens", "SMS"])
    poll(mod, poll_id).locator('button[data-poll-action="edit"]').click()
    expect(mod.locator("#poll-form")).to_have_attribute("data-editing", poll_id)
    expect(mod.locator("#poll-create-title")).to_have_value("Which channel reaches residnts?")
    mod.fill("#poll-create-title", "Which early-warning channel reaches most residents?")
    mod.select_option("#poll-create-kind", "single")
    mod.click("#poll-add-option")
    mod.locator(".poll-option-input").nth(2).fill("Community radio")
    mod.click("#poll-create-submit")
    expect(poll(mod, poll_id).locator(".poll-title")).to_have_text(
        "Which early-warning channel reaches most residents?", timeout=TIMEOUT
    )
    expect(poll(mod, poll_id)).to_have_attribute("data-poll-kind", "single")
    expect(poll(aiko, poll_id)).to_have_count(0)
    expect(presenter.locator("#present-poll")).to_be_hidden()

    act(mod, poll_id, "open", "open")
    expect(poll(aiko, poll_id)).to_have_attribute("data-poll-status", "open", timeout=TIMEOUT)
    expect(presenter.locator("#present-poll")).to_be_hidden()  # open, not on screen yet
    show(mod, poll_id, presenter)
    expect(presenter.locator("#present-poll")).to_be_visible(timeout=TIMEOUT)
    expect(presenter.locator("#present-poll .present-poll-title")).to_have_text(
        "Which early-warning channel reaches most residents?"
    )

    vote_option(aiko, poll_id, 1)
    vote_option(bat, poll_id, 2)
    # Each sees their own vote marked.
    expect(poll(aiko, poll_id).locator('label.poll-choice[data-mine="true"]')).to_have_attribute(
        "data-value", "1", timeout=TIMEOUT
    )
    expect(poll(aiko, poll_id).locator(".poll-mine")).to_contain_text("SMS")
    expect(poll(bat, poll_id).locator('label.poll-choice[data-mine="true"]')).to_have_attribute(
        "data-value", "2", timeout=TIMEOUT
    )

    present = presenter.locator("#present-poll")
    expect(present.locator(".poll-voters")).to_have_attribute("data-voters", "2", timeout=TIMEOUT)
    expect(present.locator('.poll-result[data-option="1"] .poll-count')).to_have_text("1")
    assert counts(present, 3) == ["0", "1", "1"]
    expect(present.locator(".poll-voters")).to_contain_text("2")

    # A changed vote moves, it does not add.
    expect(poll(bat, poll_id).locator('button[data-poll-action="vote"]')).to_have_text(
        re.compile("Change"), timeout=TIMEOUT
    )
    vote_option(bat, poll_id, 1)
    expect(present.locator('.poll-result[data-option="1"] .poll-count')).to_have_text(
        "2", timeout=TIMEOUT
    )
    assert counts(present, 3) == ["0", "2", "0"]
    expect(present.locator(".poll-voters")).to_have_attribute("data-voters", "2")
    expect(poll(mod, poll_id).locator('.poll-result[data-option="1"] .poll-count')).to_have_text(
        "2", timeout=TIMEOUT
    )
    # The bar is drawn through the CSSOM: 2 of 2 voters fill it.
    width = present.locator('.poll-result[data-option="1"] .poll-bar-fill').evaluate(
        "e => e.style.width"
    )
    assert width == "100%"

    act(mod, poll_id, "close", "closed")
    expect(poll(aiko, poll_id)).to_have_attribute("data-poll-status", "closed", timeout=TIMEOUT)
    expect(poll(aiko, poll_id).locator(".poll-vote")).to_be_hidden()
    expect(present).to_have_attribute("data-poll-status", "closed", timeout=TIMEOUT)
    assert counts(present, 3) == ["0", "2", "0"]

    # A late joiner sees the closed poll with its results.
    late = pages.participant("Chika", "Tohoku University")
    expect(poll(late, poll_id)).to_have_attribute("data-poll-status", "closed", timeout=TIMEOUT)
    expect(poll(late, poll_id).locator(".poll-voters")).to_have_attribute("data-voters", "2")

    # Reopened, it takes votes again.
    act(mod, poll_id, "reopen", "open")
    vote_option(late, poll_id, 0)
    expect(present.locator(".poll-voters")).to_have_attribute("data-voters", "3", timeout=TIMEOUT)

    # Clear screen: the projector shows no poll, the poll stays open.
    poll(mod, poll_id).locator('button[data-poll-action="unshow"]').click()
    expect(present).to_be_hidden(timeout=TIMEOUT)
    expect(poll(mod, poll_id)).not_to_have_attribute("data-on-screen", "true")
    expect(poll(aiko, poll_id)).to_have_attribute("data-poll-status", "open")


def test_a_hidden_word_leaves_the_presenters_cloud(pages: Pages) -> None:
    mod = pages.moderator()
    voters = [pages.participant(name) for name in ("Aiko", "Bat", "Chika")]
    presenter = pages.presenter()
    poll_id = create_poll(mod, "One word: what makes a drill work?", "words")
    act(mod, poll_id, "open", "open")
    show(mod, poll_id, presenter)
    for page, word in zip(voters, ["Practice", "  practice ", "boring"], strict=True):
        vote_word(page, poll_id, word)

    cloud = presenter.locator("#present-poll .poll-cloud")
    expect(cloud.locator('.poll-word[data-word="practice"] .poll-count')).to_have_text(
        "2", timeout=TIMEOUT
    )
    expect(cloud.locator('.poll-word[data-word="boring"]')).to_have_count(1, timeout=TIMEOUT)
    expect(voters[2].locator(f'[data-poll-id="{poll_id}"] .poll-mine')).to_contain_text("boring")

    at_mod = poll(mod, poll_id)
    at_mod.locator('.poll-word[data-word="boring"] button[data-poll-action="hide-word"]').click()
    expect(cloud.locator('.poll-word[data-word="boring"]')).to_have_count(0, timeout=TIMEOUT)
    expect(cloud.locator('.poll-word[data-word="practice"]')).to_have_count(1)
    expect(presenter.locator("#present-poll .poll-voters")).to_have_attribute("data-voters", "3")
    expect(poll(voters[0], poll_id).locator('.poll-word[data-word="boring"]')).to_have_count(
        0, timeout=TIMEOUT
    )
    # The moderator can show it again.
    hidden = at_mod.locator('.poll-hidden-words [data-word="boring"]')
    expect(hidden).to_have_count(1, timeout=TIMEOUT)
    hidden.locator('button[data-poll-action="show-word"]').click()
    expect(cloud.locator('.poll-word[data-word="boring"]')).to_have_count(1, timeout=TIMEOUT)


def test_hidden_results_show_only_once_the_poll_closes(pages: Pages) -> None:
    mod = pages.moderator()
    aiko = pages.participant("Aiko")
    presenter = pages.presenter()
    poll_id = create_poll(mod, "How useful was the drill?", "rating", hide=True)
    act(mod, poll_id, "open", "open")
    show(mod, poll_id, presenter)
    aiko.locator(f'input[name="poll-choice-{poll_id}"][value="4"]').check()
    poll(aiko, poll_id).locator('button[data-poll-action="vote"]').click()
    expect(poll(mod, poll_id).locator(".poll-voters")).to_have_attribute(
        "data-voters", "1", timeout=TIMEOUT
    )
    expect(poll(aiko, poll_id).locator(".poll-results-hidden")).to_be_visible()
    expect(poll(aiko, poll_id).locator(".poll-bars")).to_be_hidden()
    expect(presenter.locator("#present-poll .poll-results-hidden")).to_be_visible()

    act(mod, poll_id, "close", "closed")
    rating = presenter.locator("#present-poll")
    expect(rating.locator('.poll-result[data-option="3"] .poll-count')).to_have_text(
        "1", timeout=TIMEOUT
    )
    expect(rating.locator(".poll-results-hidden")).to_be_hidden()
    expect(poll(aiko, poll_id).locator('.poll-result[data-option="3"] .poll-count')).to_have_text(
        "1", timeout=TIMEOUT
    )


def test_poll_strings_follow_the_language(pages: Pages) -> None:
    mod = pages.moderator()
    mod.select_option("#lang-switch", "ja")
    expect(mod.locator("#title-polls")).to_have_text(re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"))
    expect(mod.locator("#poll-create-submit")).to_have_text(
        re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    )
    mod.select_option("#lang-switch", "mn")
    expect(mod.locator("#title-polls")).to_have_text(re.compile(r"[\u0400-\u04ff]"))
    expect(mod.locator('#poll-create-kind option[value="words"]')).to_have_text(
        re.compile(r"[\u0400-\u04ff]")
    )
    mod.select_option("#lang-switch", "en")
