"""A staff link keeps working on the same device (issue 13): from a new tab, a bookmark and
another room of the event, never with the key in an address; "Forget this key" ends it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import ROOM, TIMEOUT, Pages, join

OTHER = "SUB-PLAN"  # another room of the same event


def live(page: Page) -> None:
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)


def test_the_moderator_key_is_kept_per_device_until_forgotten(pages: Pages) -> None:
    base = pages.workshop.server.url
    room = next(r for r in pages.workshop.links["rooms"] if r["code"] == ROOM)
    first = pages.new()
    join(first, room["moderator_url"], "Chair", "UNDRR")
    assert "#" not in first.url and "key" not in first.url
    expect(first.locator("#role-banner")).to_be_hidden()
    expect(first.locator(".forget-key")).to_be_visible()

    # A new tab of the same browser, opened from a bookmark (no key in it).
    tab = first.context.new_page()
    tab.goto(f"{base}/r/{ROOM}/moderate")
    live(tab)
    expect(tab.locator("#role-banner")).to_be_hidden()
    expect(tab.locator("#set-premoderation")).to_be_enabled(timeout=TIMEOUT)

    # Another room of the same event: the event's key opens it too.
    tab.goto(f"{base}/r/{OTHER}/moderate")
    live(tab)
    expect(tab.locator("#role-banner")).to_be_hidden()

    # Forget it: back to the participant page, and the console asks for the link again.
    tab.locator(".forget-key").click()
    expect(tab).to_have_url(f"{base}/r/{OTHER}", timeout=TIMEOUT)
    tab.goto(f"{base}/r/{OTHER}/moderate")
    live(tab)
    expect(tab.locator("#role-banner")).to_contain_text("invite link", timeout=TIMEOUT)
    expect(tab.locator(".forget-key")).to_be_hidden()
    # The first room kept its own copy, which this device has not forgotten.
    tab.goto(f"{base}/r/{ROOM}/moderate")
    live(tab)
    expect(tab.locator("#role-banner")).to_be_hidden()
    # A browser that never had the link gets nothing.
    stranger = pages.new()
    join(stranger, f"{base}/r/{ROOM}/moderate", "Curious", "Sendai City")
    expect(stranger.locator("#role-banner")).to_contain_text("invite link")
    pages.check()
