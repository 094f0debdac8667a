"""What each page of the browser client downloads: raw, gzip and brotli bytes of its HTML,
its entry script, its stylesheet and every chunk its view imports (issue 13).

    make client && .venv/bin/python -m bench.asset_sizes

Reads `client/web/build/manifest.json` and the `.gz` / `.br` copies that build.mjs
wrote beside each file in `client/web/dist/` (the bytes the server sends). The HTML is
rendered and gzipped as the server does (gzip 9; Python's standard library has no
brotli, so the server sends pages gzipped to brotli clients too).
Headers are not counted; tests/browser/test_assets_browser.py measures the wire with them.
"""

from __future__ import annotations

from server.http.assets import DIST, Manifest, PageRenderer

PAGES = {
    "landing": ("index.html", "/"),
    "participant": ("room.html", "/r/CODE"),
    "moderator": ("room.html", "/r/CODE/moderate"),
    "presenter": ("room.html", "/r/CODE/present"),
    "rapporteur": ("room.html", "/r/CODE/rapporteur"),
}


def size(name: str, suffix: str) -> int:
    copy = DIST / f"{name}{suffix}"
    return (copy if copy.exists() else DIST / name).stat().st_size


def main() -> None:
    manifest = Manifest.read()
    if manifest is None:
        raise SystemExit("build the client first: make client")
    renderer = PageRenderer()
    print(f"{'page':<12} {'path':<20} {'files':>5} {'raw':>9} {'gzip':>9} {'br':>9}  (bytes)")
    for view, (html, path) in PAGES.items():
        body = renderer.render(html, view) or b""
        files = [manifest.script, manifest.style, *manifest.preload[view]]
        raw = len(body) + sum(size(f, "") for f in files)
        page = len(renderer.compressed(body))
        gz = page + sum(size(f, ".gz") for f in files)
        br = page + sum(size(f, ".br") for f in files)
        print(f"{view:<12} {path:<20} {len(files) + 1:>5} {raw:>9,} {gz:>9,} {br:>9,}")


if __name__ == "__main__":
    main()
