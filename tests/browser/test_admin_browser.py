"""The server admin's page, /admin#key=… (issue 15; client/web/src/views/admin.js), in en, ja
and mn: the events, a new event with its first room, its organiser link (which opens the
organiser's API), a room code that is taken, a wrong key and no key; axe-core finds no
serious or critical violation. Screenshots go to /tmp/shots-admin/ for a person to look at."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import TIMEOUT, Pages
from tests.browser.test_accessibility import axe, in_lang
from tests.support.server import workshop as workshop_cli

LANGS = ("en", "ja", "mn")
CATALOGUES = Path(__file__).resolve().parents[2] / "client" / "web" / "src" / "catalogues"
SHOTS = Path("/tmp/shots-admin")
VIEWPORTS = ((360, 740), (1280, 800), (1920, 1080))
TITLES = {"en": "MCR2030 follow-up", "ja": "MCR2030 フォローアップ", "mn": "MCR2030 үргэлжлэл"}
ROOM_TITLES = {"en": "Commitments", "ja": "コミットメント", "mn": "Амлалт"}


def admin_key(data_dir: Path) -> str:
    done = workshop_cli("links", "--admin", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    found = re.fullmatch(r"\S+/admin#key=(\S+)\n", done.stdout)
    assert found is not None, done.stdout
    return found.group(1)


def text(lang: str, key: str, **params: str) -> str:
    """A string of the admin page's catalogue in `lang`, its placeholders filled."""
    source = (CATALOGUES / f"admin-{lang}.js").read_text("utf-8")
    found = re.search(rf"^\s*{json.dumps(key)}: (\".*\"),$", source, re.M)
    assert found is not None, key
    value: str = json.loads(found.group(1))
    for name, filled in params.items():
        value = value.replace(f"{{{name}}}", filled)
    return value


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=True)


@pytest.mark.parametrize("lang", LANGS)
def test_the_admin_creates_an_event_and_hands_over_its_organiser_link(
    pages: Pages, lang: str
) -> None:
    base = pages.workshop.server.url
    key = admin_key(pages.workshop.server.data_dir)
    page = in_lang(pages, lang, viewport={"width": 1280, "height": 800})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(f"{base}/admin#key={key}")
    expect(page.locator("#event-list li")).to_have_count(1, timeout=TIMEOUT)
    assert "#key=" not in page.url  # wiped from the address bar
    existing = page.locator("#event-list li").first
    expect(existing).to_contain_text("City-to-city learning between Sendai and Ulaanbaatar")
    expect(existing).to_contain_text("SUB-EWS")
    expect(existing.locator("a")).to_have_text(text(lang, "admin.open_organiser"))
    assert axe(page) == []
    shoot(page, f"list-{lang}")
    page.set_viewport_size({"width": 1280, "height": 800})

    # A mistake is caught before anything is sent, in the reader's language.
    page.click("#create-event")
    expect(page.locator("#new-event-error")).to_have_text(text(lang, "admin.err.title_missing"))
    expect(page.locator("#event-title-en")).to_be_focused()

    code = f"FOLLOW-{lang.upper()}"
    for which, value in TITLES.items():
        page.fill(f"#event-title-{which}", value)
    page.fill("#room-code", code.lower())
    page.fill(f"#room-title-{lang}", ROOM_TITLES[lang])
    page.fill("#slot-date", "2027-02-03")
    page.fill("#slot-starts", "10:00")
    page.fill("#slot-ends", "11:30")
    page.select_option("#slot-zone", "ULAT")
    page.click("#create-event")
    created = page.locator("#created")
    expect(created).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#created-text")).to_have_text(
        text(lang, "admin.created_event", title=TITLES[lang])
    )
    link = page.locator("#created-link").input_value()
    assert re.fullmatch(rf"{re.escape(base)}/e/[0-9a-f]+/organise#key=\S+", link), link
    expect(page.locator("#event-list li")).to_have_count(2, timeout=TIMEOUT)
    expect(page.locator("#event-list li").last).to_contain_text(TITLES[lang])
    created.get_by_role("button").click()
    expect(page.locator("#created-copy-status")).to_have_text(text(lang, "admin.copied"))
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert axe(page) == []
    shoot(page, f"created-{lang}")
    page.set_viewport_size({"width": 1280, "height": 800})

    # The language switch re-words the page, the new event's title included.
    other = "mn" if lang != "mn" else "ja"
    page.select_option("#lang-switch", other)
    expect(page.locator("#created-text")).to_have_text(
        text(other, "admin.created_event", title=TITLES[other])
    )
    expect(page.locator("#create-event")).to_have_text(text(other, "admin.create"))
    page.select_option("#lang-switch", lang)
    expect(page.locator("#create-event")).to_have_text(text(lang, "admin.create"))

    # The same room code again: taken (409), said in the reader's language.
    for which, value in TITLES.items():
        page.fill(f"#event-title-{which}", value)
    page.fill("#room-code", code)
    page.fill("#room-title-en", "Again")
    page.click("#create-event")
    expect(page.locator("#new-event-error")).to_have_text(text(lang, "admin.err.taken", code=code))
    expect(page.locator("#room-code")).to_be_focused()
    pages.problems[:] = [p for p in pages.problems if "status of 409" not in p]

    # What only the server checks (a control character in a title): its detail, introduced
    # in the reader's language.
    page.fill("#room-code", f"{code}-2")
    page.fill("#event-title-en", "Bell\u0007")
    page.click("#create-event")
    refused = text(lang, "admin.err.refused", detail="event: title")
    expect(page.locator("#new-event-error")).to_contain_text(refused)
    pages.problems[:] = [p for p in pages.problems if "status of 400" not in p]

    # The organiser link opens the organiser's page, and its key runs the event.
    created.get_by_role("link").click()
    event_id = link.split("/e/")[1].split("/")[0]
    page.wait_for_url(re.compile(rf"/e/{event_id}/organise"))
    organiser = link.split("#key=")[1]
    seen = httpx.get(
        f"{base}/api/events/{event_id}/organise",
        headers={"authorization": f"Bearer {organiser}"},
    )
    assert seen.status_code == 200, seen.text
    room = seen.json()["rooms"][0]
    assert room["code"] == code
    assert room["title"] == {lang: ROOM_TITLES[lang]}
    assert (room["starts"], room["ends"]) == (
        "2027-02-03T10:00:00+08:00",
        "2027-02-03T11:30:00+08:00",
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_key_and_no_key_say_how_to_get_the_admin_link(pages: Pages, lang: str) -> None:
    base = pages.workshop.server.url
    page = in_lang(pages, lang, viewport={"width": 360, "height": 740})
    page.goto(f"{base}/admin#key=not-the-admin-key")
    expect(page.locator("#admin-banner")).to_have_text(text(lang, "admin.err.bad_key"))
    expect(page.locator("#new-event")).to_be_hidden()
    expect(page.locator("#events")).to_be_hidden()
    assert axe(page) == []
    shoot(page, f"wrong-key-{lang}")
    pages.problems[:] = [p for p in pages.problems if "status of 403" not in p]
    page.reload()  # the refused key was not kept
    expect(page.locator("#admin-banner")).to_have_text(text(lang, "admin.no_key"))
    assert "workshop links --admin" in page.locator("#admin-banner").inner_text()
    # An organiser's key is not an admin key either.
    page.goto(f"{base}/admin#key={pages.workshop.links['organiser_key']}")
    expect(page.locator("#admin-banner")).to_have_text(text(lang, "admin.err.bad_key"))
    pages.problems[:] = [p for p in pages.problems if "status of 403" not in p]
