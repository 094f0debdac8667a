"""The rapporteur view in real Chromium: the live timeline, export buttons that download
the files (with progress and a final size), an error shown when the server refuses, and
the whole-event zip."""

from __future__ import annotations

import asyncio
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import Browser, Route, expect

from client.room_client import RoomClient
from tests.conftest import Workshop

from .support import Q_JA, Q_MN


async def _ask(url: str) -> None:
    async with RoomClient(url, "SUB-PLAN", name="佐藤 愛子", org="Sendai City", lang="ja") as c:
        await c.ask(Q_JA, "ja")
    async with RoomClient(url, "SUB-PLAN", name="Батбаяр", org="Ulaanbaatar City") as c:
        await c.ask(Q_MN, "mn", anon=True)


def test_rapporteur_exports_with_progress_and_errors(browser: Browser, workshop: Workshop) -> None:
    room = next(r for r in workshop.links["rooms"] if r["code"] == "SUB-PLAN")
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(room["rapporteur_url"])
    page.fill("#join-name", "Rita Rapporteur")
    page.fill("#join-org", "UNDRR")
    page.click("#join-submit")
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=10_000)
    assert "key=" not in page.url

    with ThreadPoolExecutor(1) as other_thread:  # Playwright's sync API holds this one's loop
        other_thread.submit(lambda: asyncio.run(_ask(workshop.server.ws_url))).result()
    timeline = page.locator("#transcript ul.timeline li")
    expect(timeline).to_have_count(2, timeout=10_000)
    expect(timeline.first).to_contain_text(Q_MN)
    expect(timeline.first).to_contain_text("JST")

    with page.expect_download() as info:
        page.click('#transcript button[data-format="md"]')
    download = info.value
    assert download.suggested_filename == "SUB-PLAN-transcript.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert Q_JA in text and Q_MN in text and "ULAT" in text
    expect(page.locator("#transcript [role=status]")).to_have_text(
        re.compile(r"Markdown downloaded \(\d+(\.\d)? (B|KB)\)")
    )

    with page.expect_download() as info:
        page.click('#transcript button[data-format="zip"]')
    with zipfile.ZipFile(info.value.path()) as archive:
        assert "SUB-PLAN/SUB-PLAN-transcript.docx" in archive.namelist()

    # In Japanese, the report is too; a refusal shows as an error in the page's language.
    page.select_option("#lang-switch", "ja")
    # The Japanese catalogue is fetched on demand: the switch is done once the page says so.
    expect(page.locator("html")).to_have_attribute("lang", "ja", timeout=10_000)
    with page.expect_download() as info:
        page.click('#transcript button[data-format="html"]')
    assert "回答済みの質問" in Path(info.value.path()).read_text(encoding="utf-8")

    def refuse(route: Route) -> None:
        route.fulfill(status=403, content_type="application/json", body='{"error":"forbidden"}')

    page.route("**/transcript.csv*", refuse)
    page.click('#transcript button[data-format="csv"]')
    error = page.locator("#transcript .form-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("403")
    expect(error).to_contain_text("キー")
    expect(page.locator('#transcript button[data-format="csv"]')).to_be_enabled()
