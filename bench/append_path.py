"""Python CPU per append on one Redis, to compare two checkouts (the single-server path).

    .venv/bin/python -m bench.append_path      # run from each checkout, interleaved

Starts its own redis-server (AOF on, appendfsync always) and appends 1,500 records
one at a time, then 8,000 from 500 concurrent coroutines (pipelined); prints appends/s
and this process's CPU per append. Wall-clock rates swing with the machine's load; the
CPU figures are what to compare.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path

from server.backends.base import EventInfo, RoomInfo
from server.backends.redis import RedisBackend
from tests.support.redis import RedisProcess

SECRET = b"bench-secret-0123456789abcdef0123456789"
ACTOR = {"pid": "b0b0b0b0b0b0b0b0", "name": "Bench"}
EVENT = EventInfo("bench", "Bench", ("Asia/Tokyo",), ("en",), (RoomInfo("R", "R", "bench"),), 0.0)


async def measure(url: str) -> dict[str, float]:
    async with RedisBackend(url, secret=SECRET) as b:
        await b.create_event(EVENT)
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(1500):
            await b.append("R", "ask", {"i": i}, ACTOR, f"s{i}")
        serial = 1500 / (time.perf_counter() - t0)
        serial_cpu = (time.process_time() - c0) / 1500 * 1e6

        async def worker(k: int) -> None:
            for i in range(k, 8000, 500):
                await b.append("R", "vote", {"i": i}, ACTOR, f"c{i}")

        t0, c0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(k) for k in range(500)))
        concurrent = 8000 / (time.perf_counter() - t0)
        concurrent_cpu = (time.process_time() - c0) / 8000 * 1e6
    return {
        "serial_per_s": round(serial),
        "serial_cpu_us": round(serial_cpu, 1),
        "concurrent_per_s": round(concurrent),
        "concurrent_cpu_us": round(concurrent_cpu, 1),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        redis = RedisProcess(Path(folder))
        redis.start()
        try:
            print(json.dumps(asyncio.run(measure(redis.url))))
        finally:
            redis.kill()


if __name__ == "__main__":
    main()
