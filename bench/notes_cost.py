"""What shared notes cost (issue 5): 10,000 small updates, then a newcomer's join + sync.

A benchmark, not a test. For compaction on (a snapshot every 500 events, the default)
and off (no snapshot during the run), it measures:

- the time for a new client to connect, join and `notes.sync` on the live process,
- the same for the first client after a restart (the process loads the room: its
  snapshot plus the log's tail, or the whole log when there is no snapshot),
- what is stored: the SQLite files' growth, the snapshot, and the sync reply.

    .venv/bin/python -m bench.notes_cost [--updates 10000] [--writers 4] [--json out.json]

Writers are pycrdt documents sending one small edit (a word) per `notes.update`, each
waiting for its `ok`, as a browser does; rate limits are lifted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pycrdt import Doc, Text

from bench.procs import LIFTED
from client.room_client import RoomClient
from tests.support.server import ServerProcess, create_event

ROOM = "SUB-PLAN"


def db_bytes(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in data_dir.glob("workshop.db*"))


def snapshot_bytes(data_dir: Path) -> tuple[int, int]:
    """(seq, size) of the room's snapshot, (0, 0) when there is none."""
    with sqlite3.connect(data_dir / "workshop.db") as db:
        query = "SELECT seq, length(blob) FROM snapshots WHERE room = ?"
        row = db.execute(query, (ROOM,)).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def write(url: str, n: int, writer: int) -> None:
    doc: Doc = Doc()
    text = doc.get("notes", type=Text)
    async with RoomClient(url, ROOM, name=f"Writer {writer}", org="Bench") as client:
        for i in range(n):
            before = doc.get_state()
            text += f"w{writer}.{i} "
            await client.notes_update(bytes(doc.get_update(before)))


async def join_and_sync(url: str) -> tuple[float, int, int]:
    """Seconds to connect, join and sync from nothing; the reply's size; the text's."""
    start = time.perf_counter()
    async with RoomClient(url, ROOM, name="Newcomer") as client:
        reply = await client.notes_sync(bytes(Doc().get_state()))
        elapsed = time.perf_counter() - start
        doc: Doc = Doc()
        text = doc.get("notes", type=Text)
        doc.apply_update(reply["u"])
        return elapsed, len(reply["u"]), len(str(text).encode())


async def run_case(updates: int, writers: int, snapshot_every: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="notes-cost-") as tmp:
        data_dir = Path(tmp)
        server = ServerProcess(data_dir, args=(*LIFTED, "--snapshot-every", str(snapshot_every)))
        create_event(data_dir, server.url)
        server.start()
        try:
            url = server.ws_url
            await join_and_sync(url)  # the room is hot before the baseline
            base = db_bytes(data_dir)
            t0 = time.perf_counter()
            per = updates // writers
            await asyncio.gather(*(write(url, per, w) for w in range(writers)))
            write_s = time.perf_counter() - t0
            hot = [await join_and_sync(url) for _ in range(10)]
            server.stop()  # SIGTERM: a clean stop, so the files are checkpointed
            grown = db_bytes(data_dir) - base
            snap_seq, snap_size = snapshot_bytes(data_dir)
            server.start()
            cold = await join_and_sync(url)
            warm = [await join_and_sync(url) for _ in range(5)]
        finally:
            server.stop()
    return {
        "snapshot_every": snapshot_every,
        "updates": per * writers,
        "write_s": round(write_s, 2),
        "updates_per_s": round(per * writers / write_s),
        "join_sync_hot_ms": round(statistics.median(h[0] for h in hot) * 1000, 1),
        "join_sync_after_restart_ms": round(cold[0] * 1000, 1),
        "join_sync_after_restart_then_ms": round(statistics.median(w[0] for w in warm) * 1000, 1),
        "sync_reply_bytes": hot[0][1],
        "text_bytes": hot[0][2],
        "db_growth_bytes": grown,
        "snapshot_seq": snap_seq,
        "snapshot_bytes": snap_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = []
    for label, every in (("compaction on", 500), ("compaction off", 10**9)):
        print(f"{label}: {args.updates} updates from {args.writers} writers…", file=sys.stderr)
        case = asyncio.run(run_case(args.updates, args.writers, every))
        case["case"] = label
        results.append(case)
        print(json.dumps(case), file=sys.stderr)
    keys = [k for k in results[0] if k != "case"]
    print(f"| {'':32} | " + " | ".join(r["case"] for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for key in keys:
        print(f"| {key:32} | " + " | ".join(str(r[key]) for r in results) + " |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
