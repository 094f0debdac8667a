"""Peak scenario 4 (issue 17): many rooms against one, on each backend.

100 rooms × 50 members with a moderator in each posting 5 questions a second, then one
room of the same 5,000 members at the same 5 a second: the same deliveries a second,
spread over many rooms or not. Reported: the server's deliveries per CPU-second in each
case and their ratio, and delivery latency (bench/loadgen/rooms.mjs). The run fails
unless every question is acknowledged and every member ends at its room's head with no
gap, no duplicate and no question seen twice.
"""

from __future__ import annotations

from typing import Any

from bench.context import Context
from bench.live import measure
from bench.peaks import backends, check, gap_evidence, room_codes, rooms_server
from bench.report import table


def correctness(label: str, r: dict[str, Any]) -> list[str]:
    """What is wrong with one run ([] when nothing)."""
    wrong = []
    for field in ("dupes", "gaps", "early", "repeats", "behind", "appended_twice"):
        if r[field]:
            wrong.append(f"{label}: {field} = {r[field]}" + gap_evidence(r))
    if r["acked"] != r["sent"] or r["errors"]:
        wrong.append(f"{label}: {r['sent']} sent, {r['acked']} acknowledged, {r['errors']}")
    if r["closed"] or not r["drained"]:
        wrong.append(f"{label}: closed {r['closed']}, drained {r['drained']}")
    return wrong


def many_rooms(ctx: Context) -> dict[str, Any]:
    sizes = ctx.sizes("rooms")
    total = sizes["rooms"] * sizes["members"]
    shapes = [(sizes["rooms"], sizes["members"]), (1, total)]
    results, rows = {}, []
    for name in backends(ctx):
        for rooms, members in shapes:
            label = f"{name}, {rooms} × {members}"
            config = {"mode": "rooms", "rooms": room_codes(rooms), "members": members,
                      "rate": sizes["rate"], "seconds": sizes["seconds"],
                      "warmupSeconds": sizes["warmup_seconds"], "concurrency": 64,
                      "settleMs": 30_000}  # fmt: skip
            with rooms_server(ctx, f"rooms-{name}-{rooms}", rooms, redis=name == "redis") as (
                server, key, _url,
            ):  # fmt: skip
                r = results[label] = measure(ctx, server, {**config, "key": key})
            lat = r["latency_ms"] or {}
            rows.append({
                "backend": name, "rooms": rooms, "members/room": members,
                "events/s": rooms * sizes["rate"], "deliveries/s": r["deliveries_per_s"],
                "per CPU-s": r.get("deliveries_per_cpu_s"), "p50 ms": lat.get("p50"),
                "p99 ms": lat.get("p99"), "lost": r["behind"] + r["gaps"],
                "dupes": r["dupes"] + r["repeats"], "server CPU": r.get("server_cpu_cores"),
                "server waited": r.get("server_waited_share"),
                "loadgen CPU": r["loadgen_cpu"]["cores_used"],
                "loadgen waited": r["loadgen_cpu"]["waited_share"],
            })  # fmt: skip
    check("rooms", [w for label, r in results.items() for w in correctness(label, r)])
    for row in rows:
        one = next(x for x in rows if x["backend"] == row["backend"] and x["rooms"] == 1)
        if row["per CPU-s"] and one["per CPU-s"]:
            row["vs one room"] = row["per CPU-s"] / one["per CPU-s"]
    return {
        "title": f"Many rooms: {sizes['rooms']} rooms × {sizes['members']} members against "
        f"1 room × {total:,}, {sizes['rate']} questions/s per room, {sizes['seconds']} s",
        "table": table(list(rows[0]), rows),
        "rows": rows,
        "runs": results,
    }
