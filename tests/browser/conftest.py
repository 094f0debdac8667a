"""Browser fixtures: Playwright (from PyPI) driving Debian's /usr/bin/chromium.

Playwright's own browser download does not work on these machines, so the tests
launch the system Chromium by path, with the flags a closed network needs.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.support import Pages
from tests.conftest import Workshop

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "client" / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def built_client() -> Path:
    """The browser bundle; built here if `make client` has not run (needs npm ci first)."""
    dist = WEB / "build" / "manifest.json"
    if not dist.exists():
        if not (WEB / "node_modules").exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
        subprocess.run(["npm", "run", "build"], cwd=WEB, check=True)
    return dist


@pytest.fixture(scope="module")
def browser(built_client: Path) -> Iterator[Browser]:
    """One Chromium per test module. Module scope, not session: the sync Playwright API
    runs its own event loop in this thread while it lives, which would break the
    asyncio tests collected after the browser tests."""
    assert CHROMIUM.exists() or shutil.which("chromium"), "install Debian's chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def pages(browser: Browser, workshop: Workshop) -> Iterator[Pages]:
    made = Pages(browser, workshop)
    try:
        yield made
        made.check()
    finally:
        for page in made.pages:
            page.context.close()
