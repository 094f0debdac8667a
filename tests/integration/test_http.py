"""The HTTP side: pages with a strict CSP, the public room API, health and readiness.

The pages need the browser client built (`make client`; `make test` builds it first).
"""

from __future__ import annotations

import httpx
import pytest

from server.http.assets import Manifest
from tests.conftest import Workshop

PAGES = ["/", "/r/SUB-PLAN", "/r/SUB-PLAN/moderate", "/r/SUB-PLAN/present", "/r/sub-plan"]


def directives(csp: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def check_security_headers(response: httpx.Response) -> None:
    h = response.headers
    csp = h.get("content-security-policy")
    assert csp, f"no CSP on {response.url}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    d = directives(csp)
    assert d.get("default-src") == ["'self'"]
    assert "'self'" in d.get("script-src", d["default-src"])
    assert not any(src in ("*", "data:", "http:", "https:") for src in d.get("script-src", []))
    assert d.get("object-src") == ["'none'"]
    assert d.get("frame-ancestors") == ["'none'"] or h.get("x-frame-options") == "DENY"
    assert h.get("x-content-type-options") == "nosniff"
    assert h.get("x-frame-options", "").upper() in ("DENY", "SAMEORIGIN")


@pytest.fixture
def http(shared: Workshop) -> httpx.Client:
    return httpx.Client(base_url=shared.server.url, timeout=10)


def test_pages_are_html_with_a_strict_csp(http: httpx.Client) -> None:
    manifest = Manifest.read()
    if manifest is None:
        pytest.fail("the browser client is not built: run `make client`")
    with http:
        for path in PAGES:
            r = http.get(path)
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
            assert r.headers["content-type"].startswith("text/html")
            assert "<html" in r.text.lower()
            assert "<script>" not in r.text.lower(), "inline scripts would need 'unsafe-inline'"
            check_security_headers(r)
        bundle = http.get(f"/static/{manifest.script}")
        assert bundle.status_code == 200
        assert "javascript" in bundle.headers["content-type"]
        # a subresource: nosniff and the referrer policy; a CSP acts on documents only
        assert bundle.headers["x-content-type-options"] == "nosniff"
        assert bundle.headers["referrer-policy"] == "no-referrer"
        assert "content-security-policy" not in bundle.headers


def test_api_lists_the_rooms(http: httpx.Client, shared: Workshop) -> None:
    with http:
        r = http.get("/api/rooms")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        rooms = r.json()["rooms"]
        codes = sorted(room["code"] for room in rooms)
        assert codes == ["DISCUSS", "SUB-ECC", "SUB-EWS", "SUB-PLAN"]
        for room in rooms:
            assert room["title"]
            assert room["event"]["id"] == shared.links["event_id"]
            assert room["event"]["timezones"] == ["Asia/Tokyo", "Asia/Ulaanbaatar"]
            # the tests' event is a first-round file: no slots, given as null (issue 14)
            assert room["starts"] is None and room["ends"] is None
        check_security_headers(r)

        one = http.get("/api/rooms/sub-plan")
        assert one.status_code == 200
        body = one.json()
        assert body["code"] == "SUB-PLAN" and body["title"] == "Planning and Investment"
        assert body["event"]["timezones"] == ["Asia/Tokyo", "Asia/Ulaanbaatar"]
        assert "starts" not in body and "ends" not in body  # a room without a slot
        # Nothing secret in the public API.
        assert shared.moderator_key not in r.text + one.text
        assert shared.rapporteur_key not in r.text + one.text

        missing = http.get("/api/rooms/NOPE")
        assert missing.status_code == 404


def test_health_and_readiness(http: httpx.Client) -> None:
    with http:
        assert http.get("/healthz").status_code == 200
        assert http.get("/readyz").status_code == 200
        assert http.get("/no/such/page").status_code == 404
