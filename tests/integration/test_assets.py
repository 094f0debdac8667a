"""The browser client's files over HTTP (issue 13, "Quality bars"): precompressed copies
chosen by Accept-Encoding, hashed names cached for good, pages that are not, no source maps
unless asked for, and the service worker at the root. Against the real server; the client
must be built (`make client`)."""

from __future__ import annotations

import gzip
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from server.http.assets import DIST, MAPS, CompressedStaticFiles, Manifest, accepted_encodings
from tests.conftest import Workshop, start_workshop

PAGES = {
    "/": "landing",
    "/r/SUB-PLAN": "participant",
    "/r/SUB-PLAN/moderate": "moderator",
    "/r/SUB-PLAN/present": "presenter",
    "/r/SUB-PLAN/rapporteur": "rapporteur",
    "/r/SUB-PLAN/interpret": "interpreter",
}


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    built = Manifest.read()
    if built is None:
        pytest.fail("the browser client is not built: run `make client`")
    return built


@pytest.fixture
def http(shared: Workshop) -> Iterator[httpx.Client]:
    # httpx would decode the bodies itself; the tests look at what was sent.
    with httpx.Client(base_url=shared.server.url, timeout=10) as client:
        yield client


def raw(
    http: httpx.Client, path: str, encoding: str | None, method: str = "GET"
) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent, not decoded (httpx would decode br and gzip)."""
    headers = {"accept-encoding": encoding} if encoding is not None else {}
    request = http.build_request(method, path, headers=headers)
    if encoding is None:
        del request.headers["accept-encoding"]  # httpx's default asks for gzip
    response = http.send(request, stream=True)
    try:
        return response, b"".join(response.iter_raw())
    finally:
        response.close()


def unbrotli(data: bytes) -> bytes:
    """Node's zlib (the one that made the file) reads it back: Python has no brotli here."""
    script = (
        "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    )
    return subprocess.run(
        ["node", "-e", script], input=data, capture_output=True, check=True
    ).stdout


def test_accept_encoding_is_read_with_q_values() -> None:
    assert accepted_encodings("gzip, deflate, br, zstd") == {"gzip", "deflate", "br", "zstd"}
    assert accepted_encodings("br;q=0, gzip;q=0.5") == {"gzip"}
    assert accepted_encodings("*") == {"br", "gzip"}
    assert accepted_encodings("*;q=0.1, br;q=0") == {"gzip"}
    assert accepted_encodings("identity") == {"identity"}
    assert accepted_encodings("") == set()
    assert accepted_encodings("BR ; Q=1.0") == {"br"}


def test_brotli_then_gzip_then_identity(http: httpx.Client, manifest: Manifest) -> None:
    path = f"/static/{manifest.script}"
    plain = (DIST / manifest.script).read_bytes()
    cases = {
        "gzip, deflate, br": "br",
        "br;q=1.0, gzip;q=0.8": "br",
        "gzip": "gzip",
        "br;q=0, gzip": "gzip",
        "identity": None,
        "": None,
        None: None,
    }
    for accept, expected in cases.items():
        r, sent = raw(http, path, accept)
        assert r.status_code == 200, accept
        assert r.headers.get("content-encoding") == expected, accept
        assert "accept-encoding" in r.headers["vary"].lower(), accept
        assert "javascript" in r.headers["content-type"], accept
        assert int(r.headers["content-length"]) == len(sent), accept
        if expected == "br":
            assert unbrotli(sent) == plain
            assert len(sent) < len(plain)
        elif expected == "gzip":
            assert gzip.decompress(sent) == plain
        else:
            assert sent == plain


def test_head_answers_like_get(http: httpx.Client, manifest: Manifest) -> None:
    path = f"/static/{manifest.style}"
    for accept in ("br", "gzip", "identity"):
        get, _ = raw(http, path, accept)
        head, nothing = raw(http, path, accept, method="HEAD")
        assert head.status_code == 200
        assert nothing == b""
        for name in ("content-encoding", "content-length", "content-type", "vary"):
            assert head.headers.get(name) == get.headers.get(name), (accept, name)
        assert head.headers["content-type"].startswith("text/css")


async def test_a_revalidation_of_an_unhashed_compressed_copy_is_a_304(tmp_path: Path) -> None:
    """A file without a hash in its name (none is built today) may change under its name:
    its precompressed copy keeps the ETag and answers a revalidation with 304."""
    (tmp_path / "notice.js").write_text("console.log('x')", "utf-8")
    (tmp_path / "notice.js.br").write_bytes(b"not really brotli")
    app = Starlette(routes=[Mount("/static", CompressedStaticFiles(directory=tmp_path, maps=None))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://static.test") as client:
        first = await client.get("/static/notice.js", headers={"accept-encoding": "br"})
        assert first.headers["content-encoding"] == "br"
        assert first.headers["cache-control"] == "no-cache"
        again = await client.get(
            "/static/notice.js",
            headers={"accept-encoding": "br", "if-none-match": first.headers["etag"]},
        )
    assert again.status_code == 304
    assert again.headers["etag"] == first.headers["etag"]


def test_hashed_files_carry_no_validators(http: httpx.Client, manifest: Manifest) -> None:
    """A hashed name never changes content, so nothing revalidates it: no ETag,
    Last-Modified or Accept-Ranges, whichever copy is sent; and no Server header."""
    for accept in ("br", "gzip", "identity"):
        r, _ = raw(http, f"/static/{manifest.script}", accept)
        assert r.status_code == 200
        for name in ("etag", "last-modified", "accept-ranges", "server"):
            assert name not in r.headers, (accept, name)


def test_hashed_files_are_immutable(http: httpx.Client, manifest: Manifest) -> None:
    for name in manifest.files:
        assert re.search(r"-[A-Z2-7]{8}\.", name), name
        r, _ = raw(http, f"/static/{name}", "br")
        assert r.status_code == 200, name
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable", name


def test_pages_name_the_hashed_files_and_are_not_cached(
    http: httpx.Client, manifest: Manifest
) -> None:
    for path, view in PAGES.items():
        r = http.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-cache", path
        assert "/static/app.js" not in r.text and "/static/app.css" not in r.text
        named = re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text)
        assert f"/static/{manifest.script}" in named and f"/static/{manifest.style}" in named
        assert set(named) - {f"/static/{manifest.script}", f"/static/{manifest.style}"} == {
            f"/static/{chunk}" for chunk in manifest.preload[view]
        }, path
        for url in named:
            asset = http.get(url)
            assert asset.status_code == 200, (path, url)
            assert asset.content == (DIST / url.removeprefix("/static/")).read_bytes()


def test_source_maps_and_the_compressed_copies_are_not_served_by_default(
    http: httpx.Client, manifest: Manifest
) -> None:
    maps = sorted(MAPS.glob("*.map"))
    assert maps, "build.mjs writes the maps to client/web/build/maps/"
    assert not list(DIST.glob("*.map")), "no source map in the served folder"
    for found in maps:
        assert http.get(f"/static/{found.name}").status_code == 404, found.name
    assert http.get(f"/static/{manifest.script}.br").status_code == 404
    assert http.get(f"/static/{manifest.script}.gz").status_code == 404
    assert http.get("/static/../build/manifest.json").status_code == 404


def test_source_maps_are_served_when_asked_for(tmp_path: Path, manifest: Manifest) -> None:
    w = start_workshop(tmp_path, "--source-maps", "1")
    try:
        r = httpx.get(f"{w.server.url}/static/{manifest.script}.map", timeout=10)
        assert r.status_code == 200
        assert r.json()["version"] == 3
        js = httpx.get(f"{w.server.url}/static/{manifest.script}", timeout=10)
        assert f"sourceMappingURL={manifest.script}.map" in js.text
    finally:
        w.server.stop()


def test_the_service_worker_is_at_the_root_and_never_cached(http: httpx.Client) -> None:
    r = http.get("/sw.js")
    assert r.status_code == 200
    assert "javascript" in r.headers["content-type"]
    assert r.headers["cache-control"] == "no-cache"
    csp = r.headers["content-security-policy"]
    assert "worker-src 'self'" in csp


def test_pages_are_gzipped_when_allowed(http: httpx.Client, manifest: Manifest) -> None:
    for accept, expected in (("br, gzip", "gzip"), ("gzip", "gzip"), ("br", None), (None, None)):
        r, sent = raw(http, "/r/SUB-PLAN", accept)
        assert r.status_code == 200, accept
        assert r.headers.get("content-encoding") == expected, accept
        assert "accept-encoding" in r.headers["vary"].lower()
        assert int(r.headers["content-length"]) == len(sent)
        text = (gzip.decompress(sent) if expected else sent).decode("utf-8")
        assert f"/static/{manifest.script}" in text
