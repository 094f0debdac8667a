"""Scenario 3: what an idle joined connection costs the server, in resident memory.

Per server: start it, join and leave a few connections (the room is loaded and the code
paths warm), read VmRSS; join N connections and let them sit; read VmRSS again. The
difference over N is the cost of one idle participant (socket, session, queue, buffers).
The reference server is measured the same way, for scale.
"""

from __future__ import annotations

import time
from typing import Any

from bench.context import Context
from bench.live import available_peers, redis_available, target
from bench.procs import ROOM, Server, cpu_seconds, raise_open_files, rss_kib, run_loadgen
from bench.report import table

SETTLE_SECONDS = 2.0


def _hold(ctx: Context, server: Server, count: int, on_joined: Any = None) -> dict[str, Any]:
    concurrency = ctx.sizes("memory").get("concurrency", 64)
    marks: dict[str, float] = {"start": cpu_seconds(server.pid)}

    def on_phase(message: dict[str, Any], proc: Any) -> None:
        if message["phase"] == "joined":
            marks["joined"] = cpu_seconds(server.pid)
            if on_joined is not None:
                on_joined(message)
            proc.stdin.write("release\n")
            proc.stdin.flush()

    config = ctx.loadgen(mode="hold", url=server.ws_url, room=ROOM, subscribers=count,
                         concurrency=concurrency, client=server.client)  # fmt: skip
    result = run_loadgen(config, ctx.pin, on_phase)
    # The server's CPU from before the first handshake until every member had joined.
    result["join_cpu_seconds"] = marks.get("joined", marks["start"]) - marks["start"]
    result["concurrency"] = concurrency
    return result


def measure(ctx: Context, server: Server, count: int) -> dict[str, Any]:
    _hold(ctx, server, 10)
    time.sleep(SETTLE_SECONDS)
    before = rss_kib(server.pid)
    seen: dict[str, Any] = {}

    def on_joined(message: dict[str, Any]) -> None:
        time.sleep(SETTLE_SECONDS)
        seen["after"] = rss_kib(server.pid)
        seen["joined"] = message["joined"]

    result = _hold(ctx, server, count, on_joined)
    after = seen["after"]
    return {
        "connections": seen["joined"],
        "rss_before_kib": before["VmRSS"],
        "rss_after_kib": after["VmRSS"],
        "hwm_after_kib": after["VmHWM"],
        "kib_per_connection": (after["VmRSS"] - before["VmRSS"]) / max(1, seen["joined"]),
        "join_seconds": result["join_seconds"],
        "joins_per_s": seen["joined"] / result["join_seconds"],
        "joins_per_cpu_s": seen["joined"] / max(1e-9, result["join_cpu_seconds"]),
        "concurrency": result["concurrency"],
    }


def memory(ctx: Context) -> dict[str, Any]:
    count = ctx.sizes("memory")["connections"]
    limit = raise_open_files(count * 2 + 1000)
    if limit < count + 200:
        ctx.notes.append(f"open-file limit {limit} is below {count} connections: reduced")
        count = max(10, limit - 200)
    rows, results = [], {}
    redis = [] if redis_available() else ["workshop-redis"]
    for name in ("workshop-embedded", *redis, "reference-uvloop", *available_peers(ctx)):
        with target(ctx, name, 0) as (server, _key):
            results[name] = measure(ctx, server, count)
        r = results[name]
        rows.append({
            "server": name,
            "connections": r["connections"],
            "RSS before MiB": r["rss_before_kib"] / 1024,
            "RSS after MiB": r["rss_after_kib"] / 1024,
            "KiB per connection": r["kib_per_connection"],
            "join s": r["join_seconds"],
            "connect+join/s": r["joins_per_s"],
            "per server CPU-s": r["joins_per_cpu_s"],
        })  # fmt: skip
    columns = ["server", "connections", "RSS before MiB", "RSS after MiB", "KiB per connection",
               "join s", "connect+join/s", "per server CPU-s"]  # fmt: skip
    return {
        "title": f"Memory: server RSS per idle joined connection, {count:,} connections "
        f"({ctx.sizes('memory').get('concurrency', 64)} handshakes at a time)",
        "table": table(columns, rows),
        "rows": rows,
        "runs": results,
        "kib_per_connection": {n: r["kib_per_connection"] for n, r in results.items()},
    }
