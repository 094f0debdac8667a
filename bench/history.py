"""Scenario 4: join and resume cost with a long history (snapshot vs replay).

The history is written straight into a data dir through the embedded backend (fast: the
group commit takes thousands of appends at once), before the server starts: room HISTORY
gets QUESTIONS questions first, then votes and un-votes by PARTICIPANTS people and a
moderator's answer every 100 events. The room's state is the same size whatever the
length of the log, so what changes with length is the history alone.

Then, one connection at a time (the load generator's `joins` mode):
- the first join loads the room cold: no snapshot yet, so the server folds the whole log
  (and saves snapshots on the way);
- fresh joins: `ok` + one snapshot frame, the time from join sent to snapshot received;
- resumes `since = head - resume` with the epoch: a replay of the missing events
  (within --replay-limit) or a snapshot (beyond it);
- after a restart, the first join loads the room from its latest snapshot.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.procs import EVENT_FILE, Server, run_loadgen, workshop_server
from bench.report import table
from server.backends.embedded import EmbeddedBackend
from server.cli.main import event_links
from server.event_file import load_event
from server.staff.keys import StaffKeys

ROOM = "HISTORY"
QUESTIONS = 200
PARTICIPANTS = 300
ORGS = ("Sendai City", "Ulaanbaatar City", "UNDRR", "Tohoku University")
MODERATOR = {"pid": "0d0d0d0d0d0d0d0d", "name": "Mia", "org": "UNDRR",
             "roles": ["moderator", "rapporteur"]}  # fmt: skip


def person(i: int) -> dict[str, Any]:
    return {"pid": f"{i + 1:016x}", "name": f"P{i}", "org": ORGS[i % len(ORGS)], "roles": []}


def records(events: int, seed: int = 4) -> Any:
    """(type, data, actor) for a log of `events` records."""
    rnd = random.Random(seed)
    voted: set[tuple[int, int]] = set()
    for n in range(min(QUESTIONS, events)):
        text = f"Question {n}: how do shelters run through a winter power cut? 冬の停電時は?"
        yield "ask", {"text": text, "lang": "en", "anon": n % 7 == 0}, person(n % PARTICIPANTS)
    for n in range(QUESTIONS, events):
        q = rnd.randrange(QUESTIONS)
        if n % 100 == 0:
            yield "answer", {"qid": f"q{q + 1}", "text": f"Answer {n}"}, MODERATOR
            continue
        p = rnd.randrange(PARTICIPANTS)
        up = (p, q) not in voted
        (voted.add if up else voted.discard)((p, q))
        yield "vote", {"qid": f"q{q + 1}", "up": up}, person(p)


async def build(data_dir: Path, events: int) -> dict[str, Any]:
    """The benchmark event, with `events` records in room HISTORY; its links."""
    async with EmbeddedBackend(data_dir, synchronous="NORMAL") as backend:
        event = load_event(EVENT_FILE)
        await backend.create_event(event)
        pending = []
        for type_, data, actor in records(events):
            pending.append(backend.append(ROOM, type_, data, actor, None))
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        keys = StaffKeys(await backend.get_secret())
        return event_links(event, keys, "http://127.0.0.1")


def joins(ctx: Context, server: Server, samples: int, gaps: list[int]) -> dict[str, Any]:
    config = {"mode": "joins", "url": server.ws_url, "room": ROOM, "samples": samples,
              "gaps": gaps}  # fmt: skip
    return run_loadgen(config, ctx.pin)


def one_size(ctx: Context, events: int) -> dict[str, Any]:
    sizes = ctx.sizes("history")
    folder = ctx.folder(f"h{events}")
    started = time.perf_counter()
    asyncio.run(build(folder, events))
    built = time.perf_counter() - started
    beyond = max(sizes["resume"] * 5, 5000)  # past the replay limit: a snapshot
    gaps = [sizes["resume"], beyond] if events > beyond else [sizes["resume"]]
    with workshop_server(folder, ctx.pin) as server:
        live = joins(ctx, server, sizes["samples"], gaps)
    with workshop_server(folder, ctx.pin) as server:  # restarted: loads from a snapshot
        warm = joins(ctx, server, 3, [])
    resume = live["resume"][str(sizes["resume"])]
    far = live["resume"].get(str(beyond))
    return {
        "events": events,
        "build_seconds": built,
        "head": live["head"],
        "cold_load_from_log_ms": live["first_join_ms"],
        "cold_load_from_snapshot_ms": warm["first_join_ms"],
        "snapshot": live["snapshot"],
        "resume": resume,
        "resume_beyond_limit": far,
    }


def history(ctx: Context) -> dict[str, Any]:
    sizes = ctx.sizes("history")
    results = [one_size(ctx, events) for events in sizes["events"]]
    rows = []
    for r in results:
        snap, resume, far = r["snapshot"], r["resume"], r["resume_beyond_limit"] or {}
        rows.append({
            "events": r["events"],
            "join p50 ms": snap["join_ms"]["p50"],
            "join p90 ms": snap["join_ms"]["p90"],
            "join max ms": snap["join_ms"]["max"],
            "snapshot KiB": snap["bytes"] / 1024,
            f"resume {sizes['resume']} p50 ms": resume["join_ms"]["p50"],
            "resume as": "/".join(resume["kinds"]),
            "resume frames": resume["frames"],
            "far resume p50 ms": (far.get("join_ms") or {}).get("p50"),
            "far resume as": "/".join(far.get("kinds", {})) or None,
            "cold load ms": r["cold_load_from_log_ms"],
            "load from snapshot ms": r["cold_load_from_snapshot_ms"],
        })  # fmt: skip
    columns = list(rows[0]) if rows else []
    return {
        "title": f"Join and resume cost by history length (room of {QUESTIONS} questions, "
        f"{sizes['samples']} samples each)",
        "table": table(columns, rows),
        "rows": rows,
        "runs": results,
    }
