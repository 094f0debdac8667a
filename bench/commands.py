"""Peak scenario 5 (issue 17): what each command costs, on each backend.

For each kind (`ask`, `vote`, `poll.vote`, `edit`, `notes.update`), a fresh server and
`connections` members of one room each keeping `window` commands of that kind awaiting
their reply (bench/loadgen/commands.mjs). Reported: commands acknowledged per second, the
server's CPU per command, `ok` latency, and — when py-spy is there (the `bench` extra) —
where the server's samples fall along the command's path: decode, admission, append,
fold, fan-out, reply (bench/command_split.py). The run fails when a command is refused
or a member's seq stream breaks.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.command_split import STEPS, split
from bench.context import Context
from bench.live import measure, workshop
from bench.peaks import backends, check, gap_evidence
from bench.profile import RESULTS, py_spy
from bench.report import table


def correctness(label: str, r: dict[str, Any]) -> list[str]:
    """What is wrong with one run ([] when nothing)."""
    wrong = []
    if r["errors"]:
        wrong.append(f"{label}: commands refused: {r['errors']}")
    if r["dupes"] or r["gaps"] or r["early"] or r["behind"] or r["closed"] or not r["drained"]:
        wrong.append(f"{label}: seq streams broken: dupes {r['dupes']}, gaps {r['gaps']}, "
                     f"behind {r['behind']}, closed {r['closed']}" + gap_evidence(r))  # fmt: skip
    if not r["acked"]:
        wrong.append(f"{label}: no command acknowledged")
    return wrong


def spy_available() -> bool:
    return bool(shutil.which("py-spy", path=str(Path(sys.executable).parent)))


@contextlib.contextmanager
def maybe_spy(pid: int, out: Path, seconds: float, on: bool) -> Iterator[None]:
    if not on:
        yield
        return
    # --gil: only samples holding the GIL, so Python's CPU on any thread, and not the
    # SQLite writer thread's wait in COMMIT (an fsync, with the GIL released).
    with py_spy(pid, out, seconds, "--gil"):
        yield


def commands(ctx: Context) -> dict[str, Any]:
    sizes = ctx.sizes("commands")
    profile = sizes["profile"] and spy_available()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if sizes["profile"] and not profile:
        ctx.notes.append("no CPU split: py-spy is not installed (the `bench` extra)")
    results, rows, splits = {}, [], {}
    for name in backends(ctx):
        for kind in sizes["kinds"]:
            label = f"{name} {kind}"
            config = {"mode": "commands", "kind": kind, "connections": sizes["connections"],
                      "window": sizes["window"], "seconds": sizes["seconds"],
                      "warmupSeconds": sizes["warmup_seconds"], "concurrency": 64,
                      "settleMs": 10_000}  # fmt: skip
            stacks = RESULTS / f"profile-commands-{name}-{kind}.txt"  # kept for flame graphs
            seconds = sizes["warmup_seconds"] + sizes["seconds"]
            with workshop(ctx, f"commands-{name}-{kind}", redis=name == "redis") as (
                server, key,
            ), maybe_spy(server.pid, stacks, seconds, profile):  # fmt: skip
                r = results[label] = measure(ctx, server, {**config, "key": key})
            cpu = r.get("server_cpu_seconds")
            row = {
                "backend": name, "command": kind, "acked/s": r["acked_per_s"],
                "server µs/command": 1e6 * cpu / r["acked"] if cpu and r["acked"] else None,
                "ok p50 ms": (r["ok_ms"] or {}).get("p50"),
                "ok p99 ms": (r["ok_ms"] or {}).get("p99"),
                "server CPU": r.get("server_cpu_cores"),
                "server waited": r.get("server_waited_share"),
                "loadgen CPU": r["loadgen_cpu"]["cores_used"],
            }  # fmt: skip
            if profile and stacks.exists():
                splits[label] = shares = split(stacks)
                row |= {f"{step} %": 100 * shares[step] for step in STEPS if step in shares}
            rows.append(row)
    check("commands", [w for label, r in results.items() for w in correctness(label, r)])
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return {
        "title": f"Command cost: {sizes['connections']} members × {sizes['window']} commands "
        f"in flight, one kind at a time, {sizes['seconds']} s each"
        + ("; % = share of the server's py-spy samples holding the GIL" if profile else ""),
        "table": table(columns, rows),
        "rows": rows,
        "runs": results,
        "cpu_split": splits,
    }
