"""Scenarios 1 and 2: fan-out saturation and latency at a fixed rate, in one room.

Each target is a fresh server (the workshop server on the embedded backend, on Redis when
it is available, and the `websockets.broadcast()` reference), fed by the same Node load
generator: N participants, and a moderator posting questions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from bench.context import Context, redis_available
from bench.peers import PEERS, missing, peer_server
from bench.procs import (
    ROOM,
    Server,
    cpu_seconds,
    create_event,
    redis_server,
    reference_server,
    run_loadgen,
    run_queue_seconds,
    workshop_server,
)
from bench.report import table


@contextlib.contextmanager
def workshop(
    ctx: Context, folder_name: str, *extra: str, redis: bool = False
) -> Iterator[tuple[Server, str]]:
    """A started workshop server (on its own Redis when `redis`) and its moderator key."""
    folder = ctx.folder(folder_name)
    if redis:
        with redis_server(folder / "redis") as url:
            links = create_event(folder, redis_url=url)
            with workshop_server(folder, ctx.pin, *extra, redis_url=url) as server:
                yield server, links["moderator_key"]
        return
    links = create_event(folder)
    with workshop_server(folder, ctx.pin, *extra) as server:
        yield server, links["moderator_key"]


@contextlib.contextmanager
def target(ctx: Context, name: str, run: int) -> Iterator[tuple[Server, str | None]]:
    """A started server for `name` and the moderator key its publisher joins with."""
    if name.startswith("peer-"):
        with peer_server(ctx.folder(f"{name}-{run}"), ctx.pin, name) as server:
            yield server, None
        return
    if name.startswith("reference"):
        with reference_server(ctx.folder(f"{name}-{run}"), ctx.pin, name.split("-")[1]) as server:
            yield server, None
        return
    with workshop(ctx, f"{name}-{run}", redis=name == "workshop-redis") as started:
        yield started


def measure(ctx: Context, server: Server, config: dict[str, Any]) -> dict[str, Any]:
    """Run the load generator against `server`; add the server's CPU while publishing."""
    marks: dict[str, tuple[float, float, float]] = {}

    def on_phase(message: dict[str, Any], _proc: Any) -> None:
        pid = server.pid
        marks[message["phase"]] = (message["t"], cpu_seconds(pid), run_queue_seconds(pid))

    config = {"client": server.client, **config}  # the peers' clients speak socket.io
    result = run_loadgen(ctx.loadgen(url=server.ws_url, room=ROOM, **config), ctx.pin, on_phase)
    end = "drained" if "drained" in marks else "published"
    if "publishing" in marks and end in marks:
        (t0, c0, w0), (t1, c1, w1) = marks["publishing"], marks[end]
        seconds = (t1 - t0) / 1000
        result["server_cpu_seconds"] = c1 - c0
        result["server_cpu_cores"] = (c1 - c0) / seconds
        # Runnable but not running: another process had the server's core (a noisy run).
        result["server_waited_share"] = (w1 - w0) / seconds
        if result.get("applied") and c1 > c0:
            # Deliveries per second of server CPU: what one dedicated core would do.
            result["deliveries_per_cpu_s"] = result["applied"] / (c1 - c0)
    return result


def targets(ctx: Context) -> list[str]:
    names = ["workshop-embedded"]
    why = redis_available()
    if why:
        ctx.notes.append(f"Redis rows skipped: {why}")
    else:
        names.append("workshop-redis")
    names.append("reference-uvloop")
    if not ctx.quick:
        names.append("reference-asyncio")
    return names + available_peers(ctx)


def available_peers(ctx: Context) -> list[str]:
    """The socket.io peers that can run here (issue 17, item 6); a note for the others."""
    names = []
    for name in PEERS:
        why = missing(name)
        if why:
            ctx.notes.append(f"{name} skipped: {why}")
        else:
            names.append(name)
    return names


def _row(name: str, r: dict[str, Any]) -> dict[str, Any]:
    lat = r.get("latency_ms") or {}
    return {
        "server": name,
        "deliveries/s": r["deliveries_per_s"],
        "events/s": r["events_per_s"],
        "lost": r["lost"],
        "dupes": r["dupes"],
        "closed": sum(r["closed"].values()),
        "p50 ms": lat.get("p50"),
        "p90 ms": lat.get("p90"),
        "p99 ms": lat.get("p99"),
        "max ms": lat.get("max"),
        "per CPU-s": r.get("deliveries_per_cpu_s"),
        "server CPU": r.get("server_cpu_cores"),
        "server waited": r.get("server_waited_share"),
        "loadgen CPU": r["loadgen_cpu"]["cores_used"],
        "loadgen waited": r["loadgen_cpu"].get("waited_share"),
        "loadgen busiest": r["loadgen_cpu"]["busiest_process"],
    }


def fanout(ctx: Context) -> dict[str, Any]:
    """1 room × N subscribers; one publisher keeps `window` events in flight to all."""
    sizes = ctx.sizes("fanout")
    config = {"mode": "fanout", "subscribers": sizes["subscribers"], "seconds": sizes["seconds"],
              "window": sizes["window"]}  # fmt: skip
    names = targets(ctx)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for run in range(sizes["repeat"]):  # interleaved, so slow spells of a busy machine spread
        for name in names:
            with target(ctx, name, run) as (server, key):
                runs[name].append(measure(ctx, server, {**config, "key": key}))
    rows, best = [], {}
    for name in names:
        results = sorted(runs[name], key=lambda r: r["deliveries_per_s"])
        median = results[len(results) // 2]
        best[name] = median
        rows.append(_row(name, median) | {"runs": len(results)})
    reference = best["reference-uvloop"]
    for row in rows:
        row["ratio"] = row["deliveries/s"] / reference["deliveries_per_s"]
        if row["per CPU-s"] and reference.get("deliveries_per_cpu_s"):
            row["CPU ratio"] = row["per CPU-s"] / reference["deliveries_per_cpu_s"]
    columns = ["server", "deliveries/s", "ratio", "per CPU-s", "CPU ratio", "events/s", "lost",
               "dupes", "closed", "p50 ms", "p99 ms", "server CPU", "server waited",
               "loadgen CPU", "loadgen busiest", "loadgen waited", "runs"]  # fmt: skip
    return {
        "title": f"Fan-out saturation: 1 room × {sizes['subscribers']:,} subscribers, "
        f"window {sizes['window']} events, {sizes['seconds']} s (median of {sizes['repeat']})",
        "table": table(columns, rows),
        "rows": rows,
        "runs": runs,
        "lost_total": sum(r["lost"] for rs in runs.values() for r in rs),
        "ratio_to_reference": {row["server"]: row["ratio"] for row in rows},
        "cpu_ratio_to_reference": {row["server"]: row.get("CPU ratio") for row in rows},
    }


def latency(ctx: Context) -> dict[str, Any]:
    """N subscribers × a fixed rate of questions: publish-to-receipt percentiles."""
    sizes = ctx.sizes("latency")
    config = {"mode": "rate", "subscribers": sizes["subscribers"], "rate": sizes["rate"],
              "seconds": sizes["seconds"], "warmupSeconds": sizes["warmup_seconds"]}  # fmt: skip
    names = [n for n in targets(ctx) if n != "reference-asyncio"]
    results, rows = {}, []
    for name in names:
        with target(ctx, name, 0) as (server, key):
            results[name] = measure(ctx, server, {**config, "key": key})
        rows.append(_row(name, results[name]))
    columns = ["server", "p50 ms", "p90 ms", "p99 ms", "max ms", "lost", "dupes", "closed",
               "deliveries/s", "server CPU", "server waited", "loadgen CPU",
               "loadgen waited"]  # fmt: skip
    return {
        "title": f"Latency: {sizes['subscribers']:,} subscribers × {sizes['rate']} events/s "
        f"for {sizes['seconds']} s (first {sizes['warmup_seconds']} s not timed)",
        "table": table(columns, rows),
        "rows": rows,
        "runs": results,
        "lost_total": sum(r["lost"] for r in results.values()),
        "p99_ms": {name: (r.get("latency_ms") or {}).get("p99") for name, r in results.items()},
    }
