"""Where a command's server CPU goes, from py-spy's collapsed stacks (issue 17, item 5).

Each sample is charged to one step of a command's path: the innermost frame of the
project's own code decides (a `msgpack` call under `server/live/fanout.py` is fan-out,
under `protocol/codec.py` decoding); a stack with none of our frames is charged by its
innermost library (the WebSocket transport, the storage) or to the event loop.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

# (step, path fragments of our code), first match wins: order matters where one module's
# work is another's (the room's round trip calls the fold, the log and the fan-out).
OURS: list[tuple[str, tuple[str, ...]]] = [
    ("decode", ("/protocol/",)),
    ("fold", ("/server/rooms/",)),
    ("append", ("/server/backends/",)),
    ("fan-out", ("/server/live/fanout.py", "/server/live/outbound.py", "/server/live/wire.py",
                 "/server/live/signals.py", "/server/live/presence.py")),
    ("reply", ("/server/live/outcomes.py",)),
    ("admission", ("/server/live/connection.py", "/server/live/actor.py", "/server/limits.py",
                   "/server/identity.py", "/server/live/hub.py")),
    ("room round trip", ("/server/live/room.py",)),
    ("server, other", ("/server/",)),
]  # fmt: skip
LIBRARIES: list[tuple[str, tuple[str, ...]]] = [
    ("WebSocket transport", ("/websockets/", "/uvicorn/", "/starlette/", "/h11/", "/httptools/")),
    ("append", ("sqlite3", "/redis/", "hiredis")),
    ("fold", ("/pycrdt/",)),
    ("decode", ("/msgpack/",)),
]
STEPS = ["decode", "admission", "append", "fold", "fan-out", "reply", "room round trip",
         "server, other", "WebSocket transport", "event loop, other"]  # fmt: skip


def _path(frame: str) -> str:
    """`name (path/to/file.py:12)` → `/path/to/file.py` (py-spy names files as imported:
    relative to the server's folder, so a leading / makes every fragment match alike)."""
    inside = frame.rpartition(" (")[2].rstrip(")")
    return "/" + (inside.rpartition(":")[0] or inside).lstrip("/")


def step_of(frames: list[str]) -> str:
    """The step a stack (outermost first) is charged to."""
    # `workshop serve` itself is at the root of every stack: it says nothing.
    paths = [p for p in map(_path, reversed(frames)) if "/server/cli/" not in p]
    for path in paths:
        for step, fragments in OURS:
            if any(fragment in path for fragment in fragments):
                return step
    for path in paths:
        for step, fragments in LIBRARIES:
            if any(fragment in path for fragment in fragments):
                return step
    return "event loop, other"


def split(stacks: Path) -> dict[str, float]:
    """Each step's share of all samples (0-1), in the order of STEPS."""
    counts: Counter[str] = Counter()
    for line in stacks.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            counts[step_of(stack.split(";"))] += int(count)
    total = sum(counts.values())
    return {step: counts[step] / total for step in STEPS if total and counts[step]}
