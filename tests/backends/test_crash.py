"""Contract: an acknowledged append survives kill -9 of the process that made it, in a
room's log and in an event's desk log (issue 15)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from server.backends.base import desk_code

from .support import EVENT, ROOM, Kit

REPO = Path(__file__).resolve().parents[2]
WORKERS = 8
ACKS_BEFORE_KILL = 400

CHILD = """
import asyncio, sys

async def main():
    await backend.start()

    async def worker(w):
        n = 0
        while True:
            a = await backend.append(ROOM, "ask", {"w": w, "n": n}, {"pid": f"w{w}"}, f"c{n}")
            print(a.seq, w, n, flush=True)
            n += 1

    await asyncio.gather(*(worker(w) for w in range(WORKERS)))

asyncio.run(main())
"""


@pytest.mark.parametrize("code", [ROOM, desk_code(EVENT.event_id)], ids=["room", "desk"])
async def test_acknowledged_appends_survive_kill_9(kit: Kit, code: str) -> None:
    async with kit.open() as setup:
        await setup.create_event(EVENT)
    source = f"ROOM = {code!r}\nWORKERS = {WORKERS}\n{kit.child_setup}{CHILD}"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        source,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    lines: list[bytes] = []
    try:
        async with asyncio.timeout(60):
            while len(lines) < ACKS_BEFORE_KILL:
                line = await child.stdout.readline()
                if not line:
                    raise AssertionError((await child.stderr.read()).decode())
                lines.append(line)
    finally:
        os.kill(child.pid, signal.SIGKILL)  # mid-stream: appends are in flight
        rest = await child.stdout.read()
        await child.wait()
    assert child.returncode == -signal.SIGKILL
    # Only whole lines were acknowledged; a line cut by the kill is not.
    lines += rest.splitlines(keepends=True)
    acked = [tuple(map(int, line.split())) for line in lines if line.endswith(b"\n")]
    assert len(acked) >= ACKS_BEFORE_KILL

    async with kit.open() as after:
        head = (await after.head(code)).seq
        log = {r.seq: r async for r in after.read_all(code)}
        assert sorted(log) == list(range(1, head + 1))  # gapless
        for seq, w, n in acked:
            assert log[seq].data == {"w": w, "n": n}
            assert log[seq].actor == {"pid": f"w{w}"} and log[seq].cid == f"c{n}"
        w, n = acked[-1][1:]  # dedupe was persisted with the record
        repeat = await after.append(code, "ask", {}, {"pid": f"w{w}"}, f"c{n}")
        assert repeat.seq == acked[-1][0]
        assert (await after.append(code, "ask", {}, None, None)).seq == head + 1
