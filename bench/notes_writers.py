"""Peak scenario 3 (issue 17): many writers in one notes document.

For each N, a fresh server and N editors in one room, each typing one character a second
into the shared notes (Yjs updates from the `yjs` package, bench/loadgen/notes.mjs) and
receiving everyone's. Reported: update → everyone p99 (sent until the last of the N has
it), each delivery's p99, the server's CPU, and the largest N served with update →
everyone p99 ≤ 100 ms. The run fails unless every update is acknowledged, every member
ends at the head with no gap and no duplicate, and the server's document holds every
writer's text exactly once.

This is the embedded backend's figure (one process on one core, as the issue's target is
stated); the notes take the same path to the log on Redis.
"""

from __future__ import annotations

from typing import Any

from bench.context import Context
from bench.live import measure, workshop
from bench.peaks import check, gap_evidence
from bench.report import table

TARGET_MS = 100.0


def correctness(n: int, r: dict[str, Any]) -> list[str]:
    """What is wrong with the run of `n` writers ([] when nothing)."""
    wrong = []
    if r["errors"]:
        wrong.append(f"{n} writers: updates refused: {r['errors']}")
    if r["dupes"] or r["gaps"] or r["early"] or r["behind"] or not r["drained"]:
        wrong.append(f"{n} writers: seq streams broken: dupes {r['dupes']}, gaps {r['gaps']}, "
                     f"early {r['early']}, behind {r['behind']}" + gap_evidence(r))  # fmt: skip
    if r["writers_text_wrong"] or r["text_length"] != r["expected_length"]:
        wrong.append(f"{n} writers: the server's notes hold {r['text_length']} characters, "
                     f"{r['expected_length']} typed; {r['writers_text_wrong']} writers' text "
                     "not there exactly once")  # fmt: skip
    if r["unknown"]:
        wrong.append(f"{n} writers: {r['unknown']} notes events no writer sent")
    return wrong


def notes_writers(ctx: Context) -> dict[str, Any]:
    sizes = ctx.sizes("notes")
    results, rows = {}, []
    for n in sizes["writers"]:
        config = {"mode": "notes", "writers": n, "rate": sizes["rate"],
                  "seconds": sizes["seconds"], "warmupSeconds": sizes["warmup_seconds"],
                  "concurrency": 64, "settleMs": 10_000}  # fmt: skip
        with workshop(ctx, f"notes-{n}") as (server, key):
            r = results[n] = measure(ctx, server, {**config, "key": key})
        everyone = r["update_to_everyone_ms"] or {}
        single = r["delivery_ms"] or {}
        rows.append({
            "writers": n, "updates": r["updates"], "deliveries/s": r["deliveries_per_s"],
            "→everyone p50 ms": everyone.get("p50"), "→everyone p99 ms": everyone.get("p99"),
            "delivery p99 ms": single.get("p99"), "ok p99 ms": (r["update_ok_ms"] or {}).get("p99"),
            "missed by someone": r["missed_everyone"], "closed": sum(r["closed"].values()),
            "server CPU": r.get("server_cpu_cores"), "server waited": r.get("server_waited_share"),
            "loadgen CPU": r["loadgen_cpu"]["cores_used"],
            "loadgen waited": r["loadgen_cpu"]["waited_share"],
        })  # fmt: skip
    check("notes", [w for n, r in results.items() for w in correctness(n, r)])
    served = [
        row["writers"]
        for row in rows
        if row["→everyone p99 ms"] is not None and row["→everyone p99 ms"] <= TARGET_MS
        and not row["missed by someone"]
    ]  # fmt: skip
    largest = max(served, default=None)
    return {
        "title": f"Many writers in the notes: N editors × {sizes['rate']} keystroke/s for "
        f"{sizes['seconds']} s (first {sizes['warmup_seconds']} s not timed), embedded; "
        f"largest N with update → everyone p99 ≤ {TARGET_MS:.0f} ms: {largest}",
        "table": table(list(rows[0]), rows),
        "rows": rows,
        "runs": {str(n): r for n, r in results.items()},
        "largest_writers_within_target": largest,
    }
