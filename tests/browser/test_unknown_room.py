"""An unknown room code (issue 13): a clear "no such room" page with the code field, in
every language, not an ask box for a room that does not exist."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import TIMEOUT, Pages

SAID = {"en": "no room with the code", "ja": "のルームはありません", "mn": "кодтой өрөө алга"}


@pytest.mark.parametrize("lang", sorted(SAID))
def test_an_unknown_code_gets_the_code_field_and_says_so(pages: Pages, lang: str) -> None:
    page = pages.new()
    page.add_init_script(f"localStorage.setItem('workshop.lang', '{lang}')")
    page.goto(f"{pages.workshop.server.url}/r/NO-SUCH-ROOM")
    error = page.locator("#code-error")
    expect(error).to_be_visible(timeout=TIMEOUT)
    expect(error).to_contain_text(SAID[lang])
    expect(error).to_contain_text("NO-SUCH-ROOM")
    expect(page.locator("#code-input")).to_have_value("NO-SUCH-ROOM")
    expect(page.locator("#ask-text")).to_have_count(0)
    page.fill("#code-input", "SUB-EWS")
    page.click("#code-submit")
    expect(page).to_have_url(f"{pages.workshop.server.url}/r/SUB-EWS", timeout=TIMEOUT)
    # The page asked the server about the code and was told 404: expected, not a problem.
    pages.problems[:] = [p for p in pages.problems if "status of 404" not in p]
    assert not pages.problems, pages.problems
