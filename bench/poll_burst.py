"""Peak scenario 1 (issue 17): a poll burst, on each backend.

N members are in the room; a moderator opens a single-choice poll and every member votes
once at a random moment within a window (a share change their vote later in it). The Node
load generator (bench/loadgen/poll.mjs) chose every vote, so it knows the exact final
counts, and checks that each member's `poll.results` frames end on them.

Reported: vote → `ok` p50/p99, and the time from the last vote sent until every member
holds the exact final counts. The run fails when a vote is refused, a member's counts are
wrong, or a member's seq stream has a gap or a duplicate.
"""

from __future__ import annotations

from typing import Any

from bench.context import Context
from bench.live import measure, workshop
from bench.peaks import backends, check, gap_evidence
from bench.report import table


def correctness(name: str, r: dict[str, Any]) -> list[str]:
    """What is wrong with one run's result ([] when nothing)."""
    wrong = []
    if r["errors"]:
        wrong.append(f"{name}: votes refused: {r['errors']}")
    if not r["all_exact"]:
        wrong.append(f"{name}: {r['wrong_counts']} members without the exact final counts "
                     f"{r['counts']} (e.g. {r['wrong_example']})")  # fmt: skip
    if r["dupes"] or r["gaps"] or r["early"] or r["behind"] or r["closed"]:
        wrong.append(f"{name}: seq stream broken: dupes {r['dupes']}, gaps {r['gaps']}, "
                     f"early {r['early']}, behind {r['behind']}, closed {r['closed']}"
                     + gap_evidence(r))  # fmt: skip
    return wrong


def poll_burst(ctx: Context) -> dict[str, Any]:
    sizes = ctx.sizes("poll")
    config = {"mode": "poll", "members": sizes["members"], "windowMs": sizes["window_ms"],
              "changeShare": sizes["change_share"], "concurrency": 64,
              "settleMs": sizes["settle_ms"]}  # fmt: skip
    results, rows = {}, []
    for name in backends(ctx):
        with workshop(ctx, f"poll-{name}", redis=name == "redis") as (server, key):
            r = results[name] = measure(ctx, server, {**config, "key": key})
        ok = r["vote_ok_ms"] or {}
        held = r["exact_after_last_vote_ms"] or {}
        rows.append({
            "backend": name, "members": r["members"], "votes": r["votes"],
            "changed": r["changes"], "vote→ok p50 ms": ok.get("p50"),
            "vote→ok p99 ms": ok.get("p99"), "vote→ok max ms": ok.get("max"),
            "exact at p50 member ms": held.get("p50"),
            "exact at every member ms": r["exact_at_every_member_ms"],
            "results frames/member": r["results_frames_per_member"],
            "refused": sum(r["errors"].values()), "wrong counts": r["wrong_counts"],
            "dupes": r["dupes"], "gaps": r["gaps"], "server CPU": r.get("server_cpu_cores"),
            "loadgen CPU": r["loadgen_cpu"]["cores_used"],
            "loadgen waited": r["loadgen_cpu"]["waited_share"],
        })  # fmt: skip
    check("poll", [w for name, r in results.items() for w in correctness(name, r)])
    columns = list(rows[0])
    return {
        "title": f"Poll burst: {sizes['members']:,} members vote within "
        f"{sizes['window_ms']} ms ({sizes['change_share']:.0%} change their vote); "
        "exact counts timed from the last vote sent",
        "table": table(columns, rows),
        "rows": rows,
        "runs": results,
    }
