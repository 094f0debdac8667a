"""axe-core (from npm, client/web's devDependencies) in the browser on every page, in the
three languages (issue 13): no critical and no serious violation.

axe runs through `page.evaluate`, which the page's Content-Security-Policy does not
apply to, so the policy stays as strict as it is for people.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import ROOM, TIMEOUT, Pages

AXE = Path(__file__).resolve().parents[2] / "client" / "web" / "node_modules" / "axe-core"
LANGS = ("en", "ja", "mn")


def axe(page: Page) -> list[dict[str, Any]]:
    """The critical and serious violations axe-core finds on the page as it is now."""
    page.evaluate((AXE / "axe.min.js").read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter((v) => v.impact === "critical" || v.impact === "serious")
            .map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3)
                .map((n) => n.target.join(" ") + ": " + n.failureSummary)}))"""
    )
    return found


def in_lang(pages: Pages, lang: str, **context: Any) -> Page:
    page = pages.new(**context)
    page.add_init_script(f"localStorage.setItem('workshop.lang', '{lang}')")
    return page


@pytest.mark.parametrize("lang", LANGS)
def test_landing_and_join_form(pages: Pages, lang: str) -> None:
    page = in_lang(pages, lang)
    page.goto(f"{pages.workshop.server.url}/")
    expect(page.locator("#room-list li").first).to_be_visible(timeout=TIMEOUT)
    assert axe(page) == []
    page.goto(f"{pages.workshop.server.url}/r/{ROOM}")
    expect(page.locator("#join-name")).to_be_visible(timeout=TIMEOUT)
    assert axe(page) == []


@pytest.mark.parametrize("lang", LANGS)
def test_room_pages(pages: Pages, lang: str) -> None:
    base = pages.workshop.server.url
    room = next(r for r in pages.workshop.links["rooms"] if r["code"] == ROOM)
    participant = in_lang(pages, lang)
    participant.goto(f"{base}/r/{ROOM}")
    participant.fill("#join-name", "Aiko Sato")
    participant.fill("#join-org", "Sendai City")
    participant.click("#join-submit")
    expect(participant.locator("#conn-state")).to_have_attribute("data-state", "live",
                                                                  timeout=TIMEOUT)  # fmt: skip
    participant.fill("#ask-text", "How are evacuation drills run in schools? 避難訓練")
    participant.click("#ask-submit")
    expect(participant.locator("[data-qid]")).to_have_count(1, timeout=TIMEOUT)
    assert axe(participant) == [], "participant"
    # Every control names what it acts on, not just "Upvote" twenty times.
    upvote = {"en": "Upvote", "ja": "いいね", "mn": "Дэмжих"}[lang]
    name = f"{upvote}: How are evacuation drills run in schools? 避難訓練"
    expect(participant.get_by_role("button", name=name, exact=True)).to_have_count(1)
    withdraw = participant.locator('button[data-action="withdraw"]')
    expect(withdraw).to_have_attribute("aria-label", re.compile(r": How are evacuation drills"))

    for url, name in ((room["moderator_url"], "moderator"), (room["rapporteur_url"], "rapporteur")):
        staff = in_lang(pages, lang, viewport={"width": 1280, "height": 800})
        staff.goto(url)
        staff.fill("#join-name", "Chair")
        staff.click("#join-submit")
        expect(staff.locator("[data-qid]").first).to_be_visible(timeout=TIMEOUT)
        assert axe(staff) == [], name

    presenter = in_lang(pages, lang, viewport={"width": 1920, "height": 1080})
    presenter.goto(f"{base}/r/{ROOM}/present")
    expect(presenter.locator("#conn-state")).to_have_attribute("data-state", "live",
                                                                timeout=TIMEOUT)  # fmt: skip
    assert axe(presenter) == [], "presenter"
