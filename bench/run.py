"""The benchmark suite of issue 7: `make bench`, or

    .venv/bin/python -m bench.run [--quick] [--only fanout,latency,...] [--repeat N]
                                  [--server-cpu 0] [--loadgen-cpu 1] [--workers N]
                                  [--size KEY=JSON ...]

Scenarios: fanout, latency, memory, history, append, export, and the peaks of issue 17:
poll (bench/poll_burst.py), storm (bench/storm.py), notes (bench/notes_writers.py) and
rooms (bench/many_rooms.py),
commands (bench/commands.py). Each prints a table and
saves bench/results/<name>.json with the machine's details. The servers run pinned to
`--server-cpu` and the Node load generator to `--loadgen-cpu` (with taskset, when it is
there). `--quick` runs tiny sizes, to check the harness itself in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import (
    commands,
    costs,
    history,
    live,
    many_rooms,
    memory,
    notes_writers,
    poll_burst,
    storm,
)
from bench.context import Context
from bench.procs import Pinning, node_modules_ready, raise_open_files
from bench.report import RESULTS, machine_info, save

SCENARIOS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "fanout": live.fanout,
    "latency": live.latency,
    "memory": memory.memory,
    "history": history.history,
    "append": costs.append,
    "export": costs.export,
    "poll": poll_burst.poll_burst,
    "storm": storm.storm,
    "notes": notes_writers.notes_writers,
    "rooms": many_rooms.many_rooms,
    "commands": commands.commands,
}


def parse(argv: list[str] | None) -> argparse.Namespace:
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--repeat", type=int, help="fan-out runs per server (median kept)")
    parser.add_argument("--subscribers", type=int, help="override fanout/latency subscribers")
    parser.add_argument("--seconds", type=float, help="override fanout/latency/append seconds")
    parser.add_argument("--window", type=int, help="override the fan-out window (events)")
    parser.add_argument(
        "--size", action="append", default=[], metavar="KEY=JSON",
        help="override a size of every scenario that has it, e.g. members=20 writers=[10]",
    )  # fmt: skip
    parser.add_argument("--server-cpu", default="0", help="taskset core list for servers")
    parser.add_argument(
        "--loadgen-cpu", default="1" if cpus <= 2 else f"1-{cpus - 1}",
        help="taskset core list for the load generator",
    )  # fmt: skip
    parser.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    parser.add_argument("--workers", type=int, help="Node subscriber processes (default: cores)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
        return 2
    if not node_modules_ready():
        print("bench/loadgen/node_modules is missing: run `make bench` (or npm ci there)")
        return 2
    pin = Pinning() if args.no_pin else Pinning.choose(args.server_cpu, args.loadgen_cpu)
    open_files = raise_open_files(65536)
    machine = machine_info(pin) | {"open_files_limit": open_files}
    overrides = {"repeat": args.repeat, "subscribers": args.subscribers,
                 "seconds": args.seconds, "window": args.window}  # fmt: skip
    for pair in args.size:
        key, _, value = pair.partition("=")
        overrides[key] = json.loads(value)
    print(f"# {machine['cpu_model']}, {machine['nproc']} cores, load {machine['load_average']}, "
          f"Python {machine['python']}, uvicorn {machine['uvicorn']}, websockets "
          f"{machine['websockets']}, Node {machine['node']}; pinned {pin.server or '-'} / "
          f"{pin.loadgen or '-'}")  # fmt: skip
    failed = 0
    with tempfile.TemporaryDirectory(prefix="workshop-bench-") as scratch:
        for name in names:
            ctx = Context(
                quick=args.quick, pin=pin, workers=args.workers or pin.loadgen_cores(),
                scratch=Path(scratch) / name, machine=machine, overrides=overrides,
            )  # fmt: skip
            started = time.monotonic()
            try:
                payload = SCENARIOS[name](ctx)
            except Exception:
                failed += 1
                print(f"\n## {name}: FAILED\n{traceback.format_exc()}", flush=True)
                continue
            payload["notes"] = ctx.notes + payload.get("notes", [])
            payload["seconds"] = round(time.monotonic() - started, 1)
            machine_now = machine | {"load_average": os.getloadavg()}
            path = save(name, payload, machine_now, ctx.sizes(name), args.results)
            print(f"\n## {payload['title']}\n\n{payload['table']}\n")
            for note in payload["notes"]:
                print(f"note: {note}")
            print(f"({payload['seconds']} s; saved {os.path.relpath(path)})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
