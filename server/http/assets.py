"""The browser client's files as `client/web/build.mjs` leaves them (issue 13, "Quality bars").

- `/static/*`: the bundle, under hashed names, each with a `.br` and a `.gz` made at build
  time. The copy the request's `Accept-Encoding` allows is sent (br, then gzip, else the
  file itself), with `Vary: Accept-Encoding`; hashed names are cached for a year
  (`immutable`): a new build has new names, so they carry no validators (ETag,
  Last-Modified, Accept-Ranges): nothing ever revalidates them, and on a first load of
  twenty files those headers were 2.5 KB of the 80 KB budget. Source maps are in
  `build/maps/`, not in the served folder, and are served only with `--source-maps 1`
  (`WORKSHOP_SOURCE_MAPS=1`).
- The pages get the hashed names from `build/manifest.json`, and a
  `<link rel="modulepreload">` for every chunk their view needs, so that the browser
  fetches them at once instead of one import level after another.
- `/sw.js`: the service worker (`client/web/src/sw.js`), at a fixed path so the browser
  can look for a new one, never cached without asking.
"""

from __future__ import annotations

import gzip
import html
import json
import mimetypes
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB = Path(__file__).resolve().parents[2] / "client" / "web"
PAGES = WEB / "pages"
DIST = WEB / "dist"
BUILD = WEB / "build"
MANIFEST = BUILD / "manifest.json"
MAPS = BUILD / "maps"
SERVICE_WORKER = BUILD / "sw.js"

IMMUTABLE = "public, max-age=31536000, immutable"
# esbuild's "[name]-[hash]": eight characters of base32.
HASHED = re.compile(r"-[A-Z2-7]{8}\.[a-z]+(\.LEGAL\.txt)?$")
# (encoding, suffix of its file), best first: brotli is ~12% smaller than gzip here.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
VALIDATORS = ("etag", "last-modified", "accept-ranges")


def accepted_encodings(header: str) -> set[str]:
    """The content codings an `Accept-Encoding` value allows (RFC 9110 12.5.3): listed with
    q > 0, or covered by `*` with q > 0 and not listed with q=0."""
    allowed: set[str] = set()
    refused: set[str] = set()
    star = False
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding == "*":
            star = q > 0
        elif q > 0:
            allowed.add(coding)
        else:
            refused.add(coding)
    if star:
        allowed |= {coding for coding, _ in ENCODINGS} - refused
    return allowed


class CompressedStaticFiles(StaticFiles):
    """Starlette's StaticFiles (path checks, HEAD, ETag, 304), choosing a precompressed copy."""

    def __init__(self, *, directory: Path, maps: Path | None) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.maps = StaticFiles(directory=maps, check_dir=False) if maps else None

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path.endswith(".map"):
            if self.maps is None:
                raise HTTPException(404)
            return await self.maps.get_response(path, scope)
        if path.endswith((".br", ".gz")):
            raise HTTPException(404)  # only ever sent as the encoding of their file
        hashed = HASHED.search(path) is not None
        headers = {"cache-control": IMMUTABLE if hashed else "no-cache", "vary": "accept-encoding"}
        allowed = accepted_encodings(Headers(scope=scope).get("accept-encoding", ""))
        if scope["method"] in ("GET", "HEAD"):
            for coding, suffix in ENCODINGS:
                if coding not in allowed:
                    continue
                full_path, found = self.lookup_path(path + suffix)
                if found is None or not stat.S_ISREG(found.st_mode):
                    continue
                compressed = FileResponse(
                    full_path,
                    stat_result=found,
                    media_type=mimetypes.guess_type(path)[0] or "text/plain",
                    headers={**headers, "content-encoding": coding},
                )
                if hashed:
                    return _without_validators(compressed)
                if self.is_not_modified(compressed.headers, Headers(scope=scope)):
                    return _not_modified(compressed)
                return compressed
        response = await super().get_response(path, scope)
        response.headers.update(headers)
        return _without_validators(response) if hashed and response.status_code == 200 else response


def _without_validators(response: Response) -> Response:
    for name in VALIDATORS:
        if name in response.headers:
            del response.headers[name]
    return response


def _not_modified(response: Response) -> Response:
    keep = ("cache-control", "content-location", "date", "etag", "expires", "vary")
    headers = {k: v for k, v in response.headers.items() if k in keep}
    return Response(status_code=304, headers=headers)


@dataclass(frozen=True, slots=True)
class Manifest:
    """What build.mjs says about this build: entry names and each view's chunks."""

    script: str
    style: str
    preload: dict[str, tuple[str, ...]]  # view ("landing", "participant", ...) -> chunks
    files: tuple[str, ...]  # every file served under /static/ (not the .br and .gz)

    @classmethod
    def read(cls, path: Path = MANIFEST) -> Manifest | None:
        try:
            raw: dict[str, Any] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        views = raw.get("views", {})
        return cls(
            script=raw["app.js"],
            style=raw["app.css"],
            preload={view: tuple(files) for view, files in views.items()},
            files=tuple(raw.get("files", ())),
        )


class PageRenderer:
    """pages/*.html with this build's file names; read again when a new build appears."""

    def __init__(self, pages: Path = PAGES, manifest: Path = MANIFEST) -> None:
        self.pages = pages
        self.manifest = manifest
        self.cache: dict[tuple[str, str], tuple[float, bytes]] = {}
        self.gzipped: dict[bytes, bytes] = {}

    def compressed(self, body: bytes) -> bytes:
        """The page gzipped, once per build (Python has no brotli; pages are ~1.5 KB)."""
        if body not in self.gzipped:
            self.gzipped = {body: gzip.compress(body, 9, mtime=0), **self.gzipped}
            while len(self.gzipped) > 16:  # old builds' pages
                self.gzipped.pop(next(reversed(self.gzipped)))
        return self.gzipped[body]

    def render(self, name: str, view: str) -> bytes | None:
        try:
            built = os.stat(self.manifest).st_mtime
        except OSError:
            return None
        cached = self.cache.get((name, view))
        if cached and cached[0] == built:
            return cached[1]
        manifest = Manifest.read(self.manifest)
        if manifest is None:
            return None
        text = (self.pages / name).read_text("utf-8")
        text = text.replace("/static/app.css", f"/static/{html.escape(manifest.style)}")
        text = text.replace("/static/app.js", f"/static/{html.escape(manifest.script)}")
        links = "".join(
            f'  <link rel="modulepreload" href="/static/{html.escape(chunk)}">\n'
            for chunk in manifest.preload.get(view, ())
        )
        text = text.replace("</head>", f"{links}</head>", 1)
        body = text.encode("utf-8")
        self.cache[(name, view)] = (built, body)
        return body


RENDERER = PageRenderer()


def page(request: Request, name: str, view: str) -> Response:
    """One HTML page for `view`; `no-cache`, so a new build's names are seen at once."""
    body = RENDERER.render(name, view)
    if body is None:
        return PlainTextResponse("the browser client is not built; run `make run`", 503)
    headers = {"cache-control": "no-cache", "vary": "accept-encoding"}
    if "gzip" in accepted_encodings(request.headers.get("accept-encoding", "")):
        body = RENDERER.compressed(body)
        headers["content-encoding"] = "gzip"
    return Response(body, media_type="text/html", headers=headers)


async def service_worker(request: Request) -> Response:
    if not SERVICE_WORKER.exists():
        return PlainTextResponse("the browser client is not built; run `make run`", 503)
    return FileResponse(
        SERVICE_WORKER, media_type="text/javascript", headers={"cache-control": "no-cache"}
    )
