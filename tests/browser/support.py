"""What the browser tests share: pages watched for CSP violations and script errors,
and joining a room the way a person does."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Coroutine
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.conftest import Workshop

ROOM = "SUB-EWS"
TIMEOUT = 10_000  # ms for any one expected change

# Recorded in the page itself, before any of its scripts run (init scripts are not inline
# scripts, so the CSP does not apply to them).
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`);
});
"""


class Pages:
    """Browser pages of one test, each in its own context (its own identity), watched for
    CSP violations and script errors."""

    def __init__(self, browser: Browser, workshop: Workshop) -> None:
        self.browser = browser
        self.workshop = workshop
        self.pages: list[Page] = []
        self.problems: list[str] = []

    def new(self, **context: Any) -> Page:
        page = self.browser.new_context(**context).new_page()
        page.add_init_script(CSP_PROBE)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))

        def console(msg: Any) -> None:
            if "Content Security Policy" in msg.text or msg.type == "error":
                self.problems.append(f"console {msg.type}: {msg.text}")

        page.on("console", console)
        self.pages.append(page)
        return page

    def participant(self, name: str, org: str = "Sendai City") -> Page:
        page = self.new()
        join(page, f"{self.workshop.server.url}/r/{ROOM}", name, org)
        return page

    def moderator(self) -> Page:
        room = next(r for r in self.workshop.links["rooms"] if r["code"] == ROOM)
        page = self.new(viewport={"width": 1100, "height": 1200})
        join(page, room["moderator_url"], "Chair", "UNDRR")
        return page

    def presenter(self) -> Page:
        page = self.new(viewport={"width": 1920, "height": 1080})
        page.goto(f"{self.workshop.server.url}/r/{ROOM}/present")
        expect(page.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
        return page

    def check(self) -> None:
        for page in self.pages:
            violations = page.evaluate("window.__cspViolations || []")
            assert violations == [], violations
        assert self.problems == [], self.problems


def join(page: Page, url: str, name: str, org: str) -> None:
    """Joins with `org` typed as free text ("Other…" when the event has a registry; the
    server still counts a registry name under its id, issue 14)."""
    page.goto(url)
    page.fill("#join-name", name)
    form = page.locator("#join-form")
    expect(form).to_have_attribute("data-registry", re.compile(r"^(loaded|none)$"), timeout=TIMEOUT)
    if form.get_attribute("data-registry") == "loaded":
        page.select_option("#join-org-pick", "other")
    page.fill("#join-org", org)
    page.click("#join-submit")
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)


def open_settings(page: Page) -> None:
    """Opens the moderator console's settings drawer (issue 13: settings left the flow)."""
    page.click("#settings-open")
    expect(page.locator("#settings-drawer")).to_be_visible()


def close_settings(page: Page) -> None:
    page.click('#settings-drawer button[data-action="close-settings"]')
    expect(page.locator("#settings-drawer")).to_be_hidden()


def show_queue(page: Page, status: str) -> None:
    """Selects one of the console's queue tabs (pending, live, answered, dismissed, withdrawn)."""
    page.click(f"#tab-queue-{status}")
    expect(page.locator(f"#section-{status}")).to_be_visible()


def run_in_own_loop(work: Coroutine[Any, Any, None], what: str, timeout: float = 60) -> None:
    """Runs `work` (room clients on real sockets, say) to its end in a thread and event
    loop of its own: the sync Playwright API holds this thread's loop. A failure in it is
    raised here; a thread still running after `timeout` seconds fails the test."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(work)
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{what} did not finish"
    if failure:
        raise failure[0]
