"""The service worker keeps the app shell (issue 13): a reload without network opens the
room from the cache, offline and saying what is not synced; a question asked then reaches
another participant once the network is back. A real server and Chromium."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from server.http.assets import Manifest
from tests.browser.support import TIMEOUT, Pages
from tests.browser.test_accessibility import axe

QUESTION = "Can the evacuation maps be printed for shelters without power? 停電時"


def wait_for_shell(page: Page, view: str) -> None:
    """Until the worker controls the page and keeps the page and every file of its view."""
    manifest = Manifest.read()
    assert manifest is not None
    base = page.url.split("/r/")[0]
    urls = [page.url.split("#")[0].split("?")[0]] + [
        f"{base}/static/{name}"
        for name in (manifest.script, manifest.style, *manifest.preload[view])
    ]
    page.wait_for_function(
        """async (urls) => navigator.serviceWorker.controller !== null
            && (await Promise.all(urls.map((u) => caches.match(u)))).every(Boolean)""",
        arg=urls,
        timeout=TIMEOUT,
    )


def test_a_reload_offline_opens_the_room_and_sends_the_question_when_back(pages: Pages) -> None:
    aiko = pages.participant("Aiko Sato")
    bat = pages.participant("Bat-Erdene", "Ulaanbaatar City")
    wait_for_shell(aiko, "participant")

    aiko.context.set_offline(True)
    reloaded = aiko.reload()
    assert reloaded is not None and reloaded.from_service_worker
    # The worker's own requests are offline too (so the page came from its cache): a file
    # it does not keep, the projector's view, cannot be fetched.
    manifest = Manifest.read()
    assert manifest is not None
    absent = next(n for n in manifest.preload["presenter"] if n.startswith("presenter-"))
    assert (
        aiko.evaluate("(u) => fetch(u).then((r) => r.ok, () => false)", f"/static/{absent}")
        is False
    )
    state = aiko.locator("#conn-state")
    expect(state).to_have_attribute("data-state", "offline", timeout=TIMEOUT)
    expect(aiko.locator("#ask-text")).to_be_visible()

    aiko.fill("#ask-text", QUESTION)
    aiko.click("#ask-submit")
    expect(state).to_have_attribute("data-pending", "1", timeout=TIMEOUT)
    expect(state).to_have_text("Offline · 1 not synced")
    assert axe(aiko) == []  # the room as the cache opens it, offline
    expect(bat.locator("[data-qid]", has_text="evacuation maps")).to_have_count(0)

    aiko.context.set_offline(False)
    expect(state).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(state).to_have_attribute("data-pending", "0", timeout=TIMEOUT)
    expect(bat.locator("[data-qid]", has_text="evacuation maps")).to_have_count(1, timeout=TIMEOUT)
    expect(aiko.locator("[data-qid]", has_text="evacuation maps")).to_have_count(1)
    # Chromium logs each refused request while offline (the worker's as ERR_FAILED):
    # expected here, not a script error.
    offline = ("ERR_INTERNET_DISCONNECTED", "net::ERR_FAILED")
    pages.problems[:] = [p for p in pages.problems if not any(o in p for o in offline)]
