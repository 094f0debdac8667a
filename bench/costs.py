"""Scenarios 5 and 6: append throughput per backend, and the cost of a big export.

5. Commands acknowledged per second through a real server: several moderator
   connections, each keeping a window of `ask` commands awaiting their `ok`, on the
   embedded backend (SQLite synchronous FULL, the default, and NORMAL) and on Redis
   (a private redis-server, AOF everysec). The Redis backend's own numbers, without a
   server in front, come from bench/redis_costs.py (`appends`) when it is there.
6. Export time and peak memory of a 100k-event transcript: bench/export_cost.py.
"""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from contextlib import AbstractContextManager
from typing import Any

from bench.context import Context, redis_available
from bench.live import measure, workshop
from bench.procs import ROOT, Server, redis_server
from bench.report import table


def backend_server(ctx: Context, name: str) -> AbstractContextManager[tuple[Server, str]]:
    """`redis`, `embedded-full` or `embedded-normal` (the SQLite sync mode)."""
    if name == "redis":
        return workshop(ctx, name, redis=True)
    sync = "NORMAL" if name == "embedded-normal" else "FULL"
    return workshop(ctx, name, "--sqlite-sync", sync)


def redis_backend_only(ctx: Context, appends: int) -> dict[str, Any] | None:
    """bench/redis_costs.py's in-process append numbers, if that module is there."""
    try:
        module = importlib.import_module("bench.redis_costs")
        run = module.appends
    except (ImportError, AttributeError) as exc:
        ctx.notes.append(f"Redis backend-only appends skipped: bench/redis_costs.py ({exc})")
        return None
    try:
        with redis_server(ctx.folder("redis-only")) as url:
            return dict(asyncio.run(run(url, appends)))
    except Exception as exc:
        ctx.notes.append(f"Redis backend-only appends failed: {exc!r}")
        return None


def append(ctx: Context) -> dict[str, Any]:
    sizes = ctx.sizes("append")
    names = ["embedded-full", "embedded-normal"]
    why = redis_available()
    if why:
        ctx.notes.append(f"Redis skipped: {why}")
    else:
        names.append("redis")
    config = {"mode": "append", "publishers": sizes["publishers"], "window": sizes["window"],
              "seconds": sizes["seconds"]}  # fmt: skip
    results, rows = {}, []
    for name in names:
        with backend_server(ctx, name) as (server, key):
            results[name] = r = measure(ctx, server, {**config, "key": key})
        rows.append({
            "backend": name, "acked/s": r["acked_per_s"], "acked": r["acked"],
            "errors": sum(r["errors"].values()),
            "per CPU-s": r["acked"] / cpu if (cpu := r.get("server_cpu_seconds")) else None,
            "server CPU": r.get("server_cpu_cores"),
            "server waited": r.get("server_waited_share"),
            "loadgen CPU": r["loadgen_cpu"]["cores_used"],
        })  # fmt: skip
    only = None if why else redis_backend_only(ctx, sizes["backend_appends"])
    if only:
        for key in ("one_at_a_time_per_s", "concurrent_per_s"):
            if key in only:
                rows.append({"backend": f"redis, backend only ({key.removesuffix('_per_s')})",
                             "acked/s": only[key]})  # fmt: skip
    columns = ["backend", "acked/s", "acked", "errors", "per CPU-s", "server CPU", "server waited",
               "loadgen CPU"]  # fmt: skip
    return {
        "title": f"Append throughput: {sizes['publishers']} moderators × {sizes['window']} "
        f"`ask` commands in flight, {sizes['seconds']} s",
        "table": table(columns, rows),
        "rows": rows,
        "runs": results,
        "redis_backend_only": only,
    }


def markdown_rows(text: str) -> list[dict[str, str]]:
    """The rows of the first Markdown table in `text`, keyed by its header cells."""
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    if len(lines) < 3:
        return []
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    header = cells[0]
    return [dict(zip(header, row, strict=False)) for row in cells[2:]]


def export(ctx: Context) -> dict[str, Any]:
    sizes = ctx.sizes("export")
    title = f"Export of a {sizes['events']:,}-event transcript (bench/export_cost.py)"
    if not (ROOT / "bench" / "export_cost.py").exists():
        ctx.notes.append("skipped: bench/export_cost.py is not there (issue 6)")
        return {"title": title, "table": "(skipped)", "rows": [], "skipped": True}
    argv = [*ctx.pin.prefix(ctx.pin.server), sys.executable, "-m", "bench.export_cost",
            "--events", str(sizes["events"]), "--formats", sizes["formats"]]  # fmt: skip
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"bench/export_cost.py failed:\n{out.stderr[-3000:]}")
    rows = markdown_rows(out.stdout)
    if not rows:
        ctx.notes.append("bench/export_cost.py printed no table this harness can read")
    # Its own table, as it printed it (its columns are that script's to choose).
    return {"title": title, "table": out.stdout.strip(), "rows": rows, "stdout": out.stdout}
