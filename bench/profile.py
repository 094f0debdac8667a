"""Profile the workshop server under one benchmark load with py-spy (issue 7's evidence).

    .venv/bin/python -m bench.profile append [--backend embedded|redis] [--seconds 10]
    .venv/bin/python -m bench.profile rate --subscribers 1000 --rate 20
    .venv/bin/python -m bench.profile fanout --subscribers 1000 --window 20
    .venv/bin/python -m bench.profile joins --subscribers 5000   # 64 handshakes at a time

Starts a fresh, pinned server (as `bench.run` does), attaches `py-spy record` to it for
the load's duration, then prints where the samples fall: the functions with the most
samples of their own ("self") and on the stack ("total"), by share of all samples. The
collapsed stacks are kept in bench/results/profile-<mode>-<backend>.txt for a flame graph
(`inferno-flamegraph`, speedscope). py-spy comes from the `bench` extra.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.costs import backend_server
from bench.live import measure
from bench.procs import ROOM, ROOT, Pinning, run_loadgen

RESULTS = ROOT / "bench" / "results"


def summarise(stacks: Path, top: int = 25) -> str:
    """Self and total sample shares per function from py-spy's collapsed ("raw") output."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in stacks.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        samples += n
        frames = [f.split(" (")[0] + " " + _where(f) for f in stack.split(";")[1:]]
        if frames:
            own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    if not samples:
        return "no samples"
    lines = [f"{samples} samples", "", "self %  function"]
    lines += [f"{100 * n / samples:6.1f}  {name}" for name, n in own.most_common(top)]
    lines += ["", "total %  function"]
    lines += [f"{100 * n / samples:6.1f}  {name}" for name, n in total.most_common(top)]
    return "\n".join(lines)


def _where(frame: str) -> str:
    """`(path/to/module.py:123)` → `module.py`: one row per function, not per line."""
    inside = frame.partition(" (")[2].rstrip(")")
    return Path(inside.rpartition(":")[0]).name


@contextlib.contextmanager
def py_spy(pid: int, out: Path, seconds: float, *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    proc = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(out),
         "--duration", str(int(seconds)), "--rate", "250", "--nonblocking", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1.0)  # py-spy attaches
    try:
        yield proc
    finally:
        try:
            proc.wait(seconds + 30)
        except subprocess.TimeoutExpired:
            proc.kill()


def hold_joins(ctx: Context, server: Any, config: dict[str, Any]) -> dict[str, Any]:
    """Join `subscribers` members, then let them go as soon as all are in."""

    def on_phase(message: dict[str, Any], proc: Any) -> None:
        if message["phase"] == "joined":
            proc.stdin.write("release\n")
            proc.stdin.flush()

    load = ctx.loadgen(url=server.ws_url, room=ROOM, client=server.client, **config)
    return run_loadgen(load, ctx.pin, on_phase)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["append", "rate", "fanout", "joins"])
    parser.add_argument("--backend", choices=["embedded", "redis"], default="embedded")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=20)
    parser.add_argument("--window", type=int, default=20)
    parser.add_argument("--publishers", type=int, default=4)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    config: dict[str, Any] = {"mode": args.mode, "seconds": args.seconds}
    if args.mode == "append":
        config |= {"publishers": args.publishers, "window": 64}
    else:
        config |= {"subscribers": args.subscribers, "rate": args.rate, "window": args.window}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"profile-{args.mode}-{args.backend}.txt"
    with tempfile.TemporaryDirectory(prefix="workshop-profile-") as scratch:
        ctx = Context(quick=False, pin=Pinning.choose("0", "1"), workers=1,
                      scratch=Path(scratch), machine={})  # fmt: skip
        name = "redis" if args.backend == "redis" else "embedded-full"
        # The spy starts when the load does; subscribers' joins come first in the fan-out
        # modes, so the profile also holds a second or two of joining.
        if args.mode == "joins":
            # Connect and join, 64 handshakes at a time, then hold (bench/memory.py).
            config = {"mode": "hold", "subscribers": args.subscribers, "concurrency": 64}
        with backend_server(ctx, name) as (server, key), py_spy(server.pid, out, args.seconds + 2):
            if args.mode == "joins":
                result = hold_joins(ctx, server, config)
            else:
                result = measure(ctx, server, {**config, "key": key})
    print({k: result.get(k) for k in ("acked_per_s", "deliveries_per_s", "latency_ms",
                                       "server_cpu_cores", "lost", "join_seconds")})  # fmt: skip
    print(summarise(out, args.top))
    print(f"\ncollapsed stacks: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
