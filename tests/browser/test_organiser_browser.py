"""The organiser page, /e/EVENT/organise#key=... (issue 15), on a real server, in en, ja and
mn: create a room, rename it, invite a moderator for one room, see them connected, revoke the
link while they are (their page loses the role within 5 s), print the room's handout, and
axe on both pages. A page without a key, or with a wrong one, says so."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from server.http.assets import BUILD
from tests.browser.support import ROOM, TIMEOUT, Pages, join
from tests.browser.test_accessibility import axe, in_lang

LANGS = ("en", "ja", "mn")
TITLES = {"en": "Field visit", "ja": "現地視察", "mn": "Газар дээрх айлчлал"}
RENAMED = {
    "en": "Field visit to the shelter",
    "ja": "避難所の現地視察",
    "mn": "Хоргодох байранд айлчлах",
}
CREATED = {"en": "created", "ja": "作成しました", "mn": "үүслээ"}
REVOKED = {"en": "revoked", "ja": "無効にしました", "mn": "хүчингүй болголоо"}
AUTH_FAILED = {
    "en": "This link's key was not accepted",
    "ja": "このリンクのキーは受け付けられませんでした",
    "mn": "Энэ холбоосны түлхүүрийг хүлээн авсангүй",
}
CONNECTED_ONE = {"en": "Connected now: 1", "ja": "現在の接続数: 1", "mn": "Одоо холбогдсон: 1"}
REFRESH_S = 10  # the page reloads its lists this often (views/organiser.js)


def organiser(pages: Pages, lang: str, **context: Any) -> Page:
    context.setdefault("viewport", {"width": 1280, "height": 900})
    page = in_lang(pages, lang, **context)
    page.goto(str(pages.workshop.links["organiser_url"]))
    expect(page.locator("#org-rooms .org-room").first).to_be_visible(timeout=TIMEOUT)
    return page


def room_card(page: Page, code: str) -> Any:
    return page.locator(f'#org-rooms li.org-room[data-code="{code}"]')


@pytest.mark.parametrize("lang", LANGS)
def test_an_organiser_sets_up_a_room_and_cuts_off_a_moderator(pages: Pages, lang: str) -> None:
    page = organiser(pages, lang)
    assert "#" not in page.url and "key" not in page.url, "the key leaves the address bar"
    expect(page.locator("#org-event-title")).to_have_text(
        "City-to-city learning between Sendai and Ulaanbaatar"
    )
    status = page.locator("#org-status")

    # A new room, titled in the three languages, at 13:00 JST.
    code = f"FIELD-{lang.upper()}"
    page.locator(".org-new-details > summary").click()
    for each, text in TITLES.items():
        page.fill(f"#org-new-title-{each}", text)
    page.fill("#org-new-code", code.lower())
    page.select_option("#org-new-zone", "JST")
    page.fill("#org-new-starts-date", "2026-12-11")
    page.fill("#org-new-starts-time", "13:00")
    page.fill("#org-new-ends-date", "2026-12-11")
    page.fill("#org-new-ends-time", "14:30")
    page.click("#org-new-room button[type=submit]")
    card = room_card(page, code)
    expect(card).to_be_visible(timeout=TIMEOUT)
    expect(status).to_contain_text(CREATED[lang])
    expect(card.locator(".org-room-title")).to_have_text(TITLES[lang])
    expect(card.locator(".org-room-slot")).to_contain_text("13:00–14:30 JST")
    expect(card.locator(".org-room-slot")).to_contain_text("12:00–13:30 ULAT")
    expect(card.locator(".org-link")).to_have_value(f"{pages.workshop.server.url}/r/{code}")

    # Renamed in every language, and moved an hour later on Ulaanbaatar's clock.
    card.locator(".org-edit-details > summary").click()
    for each, text in RENAMED.items():
        card.locator(f"#org-{code}-title-{each}").fill(text)
    card.locator(f"#org-{code}-zone").select_option("ULAT")
    expect(card.locator(f"#org-{code}-starts-time")).to_have_value("12:00")
    card.locator(f"#org-{code}-starts-time").fill("13:00")
    card.locator(f"#org-{code}-ends-time").fill("14:30")
    card.locator('button[data-action="save"]').click()
    expect(card.locator(".org-room-title")).to_have_text(RENAMED[lang], timeout=TIMEOUT)
    expect(card.locator(".org-room-slot")).to_contain_text("14:00–15:30 JST")
    expect(card.locator(".org-edit-details")).not_to_have_attribute("open", "")

    # A moderator for one room only; the link is shown once.
    page.select_option("#org-invite-role", "moderator")
    page.select_option("#org-invite-room", ROOM)
    page.fill("#org-invite-label", "Chair — Sendai")
    page.click("#org-invite button[type=submit]")
    expect(page.locator("#org-new-link")).to_be_visible(timeout=TIMEOUT)
    url = page.locator("#org-new-link-url").input_value()
    assert url.startswith(f"{pages.workshop.server.url}/r/{ROOM}/moderate#key="), url
    item = page.locator("#org-staff-list li.org-staff-item").filter(has_text="Chair — Sendai")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-revoked", "false")

    chair = in_lang(pages, lang, viewport={"width": 1100, "height": 900})
    join(chair, url, "Chair", "Sendai City")
    expect(chair.locator("#role-banner")).to_be_hidden()
    expect(chair.locator("#set-premoderation")).to_be_enabled(timeout=TIMEOUT)
    # The list's next reload counts them.
    expect(item.locator(".org-staff-state")).to_have_text(
        CONNECTED_ONE[lang], timeout=(REFRESH_S + 5) * 1000
    )

    # Revoked while connected: confirmed first, then their page loses the role.
    item.locator('button[data-action="revoke"]').click()
    dialog = page.locator("#org-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Chair — Sendai")
    dialog.locator('button[data-action="confirm"]').click()
    revoked_at = time.monotonic()
    expect(item).to_have_attribute("data-revoked", "true", timeout=TIMEOUT)
    expect(status).to_contain_text(REVOKED[lang])
    expect(chair.locator("#room-banner")).to_contain_text(AUTH_FAILED[lang], timeout=6_000)
    assert time.monotonic() - revoked_at < 5.5
    # The device forgets the refused key: a reload does not bring the role back.
    assert chair.evaluate(f"localStorage.getItem('workshop.key.{ROOM}')") is None
    assert axe(page) == [], "organiser"

    # The room's handout, as printed: the QR code, the code and the three titles.
    handout = in_lang(pages, lang, viewport={"width": 1280, "height": 900})
    handout.goto(f"{pages.workshop.server.url}/r/{code}/handout")
    expect(handout.locator("#handout-qr")).to_be_visible(timeout=TIMEOUT)
    handout.emulate_media(media="print")
    expect(handout.locator("#handout-print")).to_be_hidden()
    qr = handout.locator("#handout-qr")
    expect(qr).to_have_attribute("src", f"/api/rooms/{code}/qr.svg")
    # (expect, not wait_for_function: a string predicate is eval, which the page's CSP refuses)
    expect(qr).to_have_js_property("complete", True)
    assert handout.evaluate("document.getElementById('handout-qr').naturalWidth") > 0
    for each, text in RENAMED.items():
        expect(handout.locator(f'.handout-title[lang="{each}"]')).to_have_text(text)
    expect(handout.locator("#handout-code")).to_have_text(code)
    expect(handout.locator("#handout-link")).to_have_text(f"{pages.workshop.server.url}/r/{code}")
    expect(handout.locator("#handout-slot")).to_contain_text("14:00–15:30 JST")
    expect(handout.locator("#handout-slot")).to_contain_text("13:00–14:30 ULAT")
    handout.emulate_media(media="screen")
    assert axe(handout) == [], "handout"
    pages.check()


def test_the_page_says_when_its_key_is_missing_or_wrong(pages: Pages) -> None:
    base = pages.workshop.server.url
    event = pages.workshop.links["event_id"]
    page = in_lang(pages, "en")
    page.goto(f"{base}/e/{event}/organise")
    expect(page.locator("#org-fatal")).to_contain_text("needs the key", timeout=TIMEOUT)
    # A moderator's key is not an organiser's: refused, and nothing of the event is shown.
    page = in_lang(pages, "en")
    page.goto(f"{base}/e/{event}/organise#key={pages.workshop.moderator_key}")
    expect(page.locator("#org-fatal")).to_contain_text("cannot organise", timeout=TIMEOUT)
    expect(page.locator("#org-rooms")).to_have_count(0)
    assert pages.workshop.moderator_key not in page.url
    # Some browsers log a refused fetch (403) as a console error: not a script error.
    pages.problems[:] = [p for p in pages.problems if "403" not in p and "401" not in p]
    pages.check()


def test_reorder_archive_close_and_defaults(pages: Pages) -> None:
    page = organiser(pages, "en")
    codes = lambda: page.locator("#org-rooms li.org-room").evaluate_all(  # noqa: E731
        "(items) => items.map((li) => li.dataset.code)"
    )
    first, second = codes()[:2]
    room_card(page, second).locator('button[data-action="move-up"]').click()
    expect(page.locator("#org-rooms li.org-room").first).to_have_attribute("data-code", second)
    assert codes()[:2] == [second, first]
    expect(room_card(page, first).locator('button[data-action="move-up"]')).to_be_enabled()
    expect(room_card(page, second).locator('button[data-action="move-up"]')).to_be_disabled()

    card = room_card(page, ROOM)
    card.locator(f"#org-{ROOM}-set-premoderation").check()
    expect(page.locator("#org-status")).to_contain_text("Defaults of", timeout=TIMEOUT)
    card.locator('button[data-action="toggle-state"]').click()
    expect(card).to_have_attribute("data-state", "closed", timeout=TIMEOUT)
    card.locator('button[data-action="toggle-archive"]').click()
    expect(card).to_have_attribute("data-state", "archived", timeout=TIMEOUT)
    # What the page says is what the server keeps: a reload shows the same.
    page.reload()
    card = room_card(page, ROOM)
    expect(card).to_have_attribute("data-state", "archived", timeout=TIMEOUT)
    expect(card.locator(f"#org-{ROOM}-set-premoderation")).to_be_checked()
    assert codes()[:2] == [second, first]
    # A participant finds the room closed.
    person = pages.new()
    join(person, f"{pages.workshop.server.url}/r/{ROOM}", "Aiko", "Sendai City")
    expect(person.locator("#room-banner")).to_be_visible(timeout=TIMEOUT)
    pages.check()


def test_a_participant_never_fetches_the_organiser_pages(pages: Pages) -> None:
    """The organiser's pages are a bundle of their own (build.mjs): none of their files, nor
    their strings or style sheet, is in a participant's load (issue 13's 80 KB)."""
    meta = json.loads((BUILD / "meta.json").read_text("utf-8"))
    organise = {
        path.rsplit("/", 1)[-1]
        for path, out in meta["outputs"].items()
        if any("organise" in source or "handout" in source for source in out["inputs"])
    }
    assert any(name.startswith("organiser-") for name in organise), organise
    page = pages.new()
    seen: list[str] = []
    page.on("response", lambda response: seen.append(response.url.rsplit("/", 1)[-1]))
    join(page, f"{pages.workshop.server.url}/r/{ROOM}", "Aiko", "Sendai City")
    page.wait_for_load_state("networkidle")
    assert seen and not organise & set(seen), organise & set(seen)
    pages.check()
