"""What a page costs on the wire (issue 13, "Quality bars"): a participant's first load
stays within 80 KB, brotli-compressed, and the projector never fetches the notes editor
(yjs). A real server and Chromium; the sizes are Chromium's own accounting of each response."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Response

from server.http.assets import BUILD, Manifest
from tests.browser.support import ROOM, Pages, join

BUDGET = 80 * 1024  # bytes on the wire for a participant's first load, headers included


def fetched(page: Page) -> list[Response]:
    seen: list[Response] = []
    page.on("response", lambda response: seen.append(response))
    return seen


def wire_bytes(response: Response) -> int:
    sizes: dict[str, Any] = response.request.sizes()
    return int(sizes["responseHeadersSize"]) + int(sizes["responseBodySize"])


def notes_files() -> set[str]:
    """The built files that hold the notes editor or yjs (esbuild's metafile)."""
    meta = json.loads((BUILD / "meta.json").read_text("utf-8"))
    return {
        path.rsplit("/", 1)[-1]
        for path, out in meta["outputs"].items()
        if any(
            source.endswith(("src/views/notes-editor.js", "src/notes.js"))
            or "node_modules/yjs/" in source
            for source in out["inputs"]
        )
    }


@pytest.mark.parametrize("locale", ["en-US", "ja-JP", "mn-MN"])
def test_a_participants_first_load_is_within_80_kb_with_brotli(pages: Pages, locale: str) -> None:
    """In each language: the page fetches its own catalogue (English is in the bundle)."""
    page = pages.new(extra_http_headers={"accept-encoding": "br, gzip"}, locale=locale)
    responses = fetched(page)
    join(page, f"{pages.workshop.server.url}/r/{ROOM}", "Aiko", "Sendai City")
    page.wait_for_load_state("networkidle")
    page.locator("#notes-text").wait_for()
    static = [r for r in responses if "/static/" in r.url]
    assert static and all(
        r.headers.get("content-encoding") == "br" for r in static if wire_bytes(r) > 1024
    )
    assert all(r.status == 200 for r in responses), [(r.url, r.status) for r in responses]
    urls = [r.url for r in responses]
    assert len(urls) == len(set(urls)), "each file once"
    lang = locale[:2]
    catalogues = [u for u in urls if any(f"/{c}-" in u for c in ("ja", "mn"))]
    assert catalogues == ([] if lang == "en" else [u for u in catalogues if f"/{lang}-" in u])
    assert len(catalogues) == (0 if lang == "en" else 1), catalogues
    total = sum(wire_bytes(r) for r in responses)
    assert total <= BUDGET, "\n".join(
        [f"{total} bytes:", *(f"{wire_bytes(r):>7} {r.url}" for r in responses)]
    )


def test_the_projector_fetches_no_notes_editor(pages: Pages) -> None:
    page = pages.new(viewport={"width": 1024, "height": 768})
    responses = fetched(page)
    page.goto(f"{pages.workshop.server.url}/r/{ROOM}/present")
    page.locator("#conn-state[data-state=live]").wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    names = {r.url.rsplit("/", 1)[-1] for r in responses if "/static/" in r.url}
    manifest = Manifest.read()
    assert manifest is not None and manifest.script in names
    heavy = notes_files()
    assert heavy, "the build has a notes chunk"
    assert not names & heavy, names & heavy
    assert page.locator("#notes").count() == 0
