"""What a Redis Cluster costs per primary, beside one Redis (docs/scaling.md, issue 16).

    .venv/bin/python -m bench.cluster_costs [--appends 8000] [--rooms 60] [--fsync always]

Starts one redis-server and a local Redis Cluster (three primaries, three replicas,
tests/support/redis_cluster.py), both AOF on with the chosen `appendfsync`, and
measures on each, from this one process:

1. appends/s, one at a time and 500 concurrent coroutines (the appender pipelines
   them) spread over `--rooms` rooms, hence over every primary; on the cluster also
   with `?replicas=1` (each batch waits for a replica: WAIT 1);
2. Redis CPU per append (INFO `used_cpu_*` of every primary, summed; replicas apart);
3. the cost of one live message: PUBLISH (plain pub/sub, which a cluster broadcasts to
   every node over its bus) against SPUBLISH (sharded: only the owner's shard), as the
   CPU of every node over 20,000 messages to a channel nobody subscribes;
4. deliveries/s into a second process that tails every room, and its Redis CPU per
   message delivered.

Numbers go to stdout as JSON; docs/scaling.md quotes them with the machine's CPU and
load. The machine may be shared: run it a few times and read the spread.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from server.backends.base import EventInfo, RoomInfo
from server.backends.redis import RedisBackend
from tests.support.redis import RedisProcess
from tests.support.redis_cluster import RedisCluster

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"bench-secret-0123456789abcdef0123456789"
ACTOR = {"pid": "b0b0b0b0b0b0b0b0", "name": "Bench", "org": "Sendai City", "roles": []}


def event(rooms: int) -> EventInfo:
    codes = tuple(RoomInfo(f"R{i:04d}", f"Room {i}", "bench") for i in range(rooms))
    return EventInfo("bench", "Bench", ("Asia/Tokyo",), ("en",), codes, 0.0)


def cpu(nodes: list[RedisProcess]) -> float:
    total = 0.0
    for node in nodes:
        with node.client() as client:
            info = client.info("cpu")
        total += float(info["used_cpu_sys"]) + float(info["used_cpu_user"])
    return total


async def appends(url: str, primaries: list[RedisProcess], n: int, rooms: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    codes = [room.code for room in event(rooms).rooms]
    for node in primaries:
        with node.client() as client:
            client.flushall()
    async with RedisBackend(url, secret=SECRET) as b:
        await b.create_event(event(rooms))
        serial = n // 4
        r0, t0 = cpu(primaries), time.perf_counter()
        for i in range(serial):
            await b.append(codes[i % rooms], "ask", {"text": "Shelters?", "i": i}, ACTOR, f"s{i}")
        wall = time.perf_counter() - t0
        out["one_at_a_time_per_s"] = round(serial / wall)
        out["redis_cpu_us_serial"] = round((cpu(primaries) - r0) / serial * 1e6, 1)

        async def worker(w: int) -> None:
            for i in range(w, n, 500):
                await b.append(codes[i % rooms], "vote", {"qid": "q1"}, ACTOR, f"c{i}")

        r0, p0, t0 = cpu(primaries), time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(500)))
        wall = time.perf_counter() - t0
        out["concurrent_per_s"] = round(n / wall)
        out["redis_cpu_us_concurrent"] = round((cpu(primaries) - r0) / n * 1e6, 1)
        out["python_cpu_us_concurrent"] = round((time.process_time() - p0) / n * 1e6, 1)
    return out


def publish_cost(nodes: list[RedisProcess], owner: RedisProcess, verb: str) -> list[float]:
    """Redis CPU (µs per message) on every node while `owner` takes 20,000 `verb`s of a
    record-sized payload to a channel of its slot that nobody subscribes."""
    channel = "ws:{room:R0000}:bench"
    payload = b"x" * 320
    before = [cpu([node]) for node in nodes]
    with owner.client() as client:
        for _ in range(40):
            pipe = client.pipeline(transaction=False)
            for _ in range(500):
                pipe.execute_command(verb, channel, payload)
            pipe.execute()
    time.sleep(0.5)  # let the bus deliver what it carries
    return [
        round((cpu([node]) - b) / 20_000 * 1e6, 2) for node, b in zip(nodes, before, strict=True)
    ]


TAIL = """
import asyncio, json, sys, time
from server.backends.redis import RedisBackend

async def main(url, rooms, expect):
    global_count = [0]
    def on(record, epoch):
        global_count[0] += 1
    async with RedisBackend(url, secret=SECRET) as b:
        for i in range(rooms):
            b.subscribe(f"R{i:04d}", on)
        for i in range(rooms):
            await b.head(f"R{i:04d}")
        print("ready", flush=True)
        t0 = None
        while global_count[0] < expect:
            if t0 is None and global_count[0]:
                t0 = time.perf_counter()
            await asyncio.sleep(0.005)
        wall = time.perf_counter() - (t0 or time.perf_counter())
        out = {"per_s": expect / max(wall, 1e-9), "caught_up": b.stats["caught_up"]}
        print(json.dumps(out), flush=True)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


async def deliveries(url: str, primaries: list[RedisProcess], rooms: int, n: int) -> dict[str, Any]:
    """A second process tails every room; this one floods appends over them."""
    async with RedisBackend(url, secret=SECRET) as b:
        await b.create_event(event(rooms))
    child = subprocess.Popen(  # noqa: ASYNC220 (started once, read from a thread)
        [sys.executable, "-c", f"SECRET = {SECRET!r}\n" + TAIL, url, str(rooms), str(n)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    try:
        async with RedisBackend(url, secret=SECRET) as b:
            ready = await asyncio.to_thread(child.stdout.readline)
            assert ready.strip() == "ready", ready
            codes = [f"R{i:04d}" for i in range(rooms)]
            r0 = cpu(primaries)

            async def worker(w: int) -> None:
                for i in range(w, n, 200):
                    await b.append(codes[i % rooms], "vote", {"qid": "q1"}, ACTOR, None)

            await asyncio.gather(*(worker(w) for w in range(200)))
            line = await asyncio.to_thread(child.stdout.readline)
            used = cpu(primaries) - r0
        result: dict[str, Any] = json.loads(line)
        return {
            "deliveries_per_s": round(result["per_s"]),
            "caught_up_from_stream": result["caught_up"],
            "redis_cpu_us_per_append_and_delivery": round(used / n * 1e6, 1),
        }
    finally:
        child.kill()
        child.wait()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appends", type=int, default=8000)
    parser.add_argument("--rooms", type=int, default=60)
    parser.add_argument("--fsync", default="always", choices=("always", "everysec"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        single = RedisProcess(Path(folder) / "single", appendfsync=args.fsync)
        cluster = RedisCluster(Path(folder) / "cluster", appendfsync=args.fsync)
        single.start()
        cluster.start()
        try:
            primaries = cluster.primary_nodes()
            report: dict[str, Any] = {
                "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()[0]},
                "fsync": args.fsync,
                "one redis": await appends(single.url, [single], args.appends, args.rooms),
                "cluster": await appends(cluster.url, primaries, args.appends, args.rooms),
                "cluster, replicas=1": await appends(
                    f"{cluster.url}?replicas=1", primaries, args.appends, args.rooms
                ),
            }
            for node in [single, *primaries]:
                with node.client() as client:
                    client.flushall()
            owner = cluster.owner("ws:{room:R0000}:bench")
            report["cluster PUBLISH, µs per message on each node"] = publish_cost(
                cluster.nodes, owner, "PUBLISH"
            )
            report["cluster SPUBLISH, µs per message on each node"] = publish_cost(
                cluster.nodes, owner, "SPUBLISH"
            )
            report["owner"] = cluster.nodes.index(owner)
            report["one redis, tail"] = await deliveries(
                single.url, [single], args.rooms, args.appends
            )
            for node in [single, *primaries]:
                with node.client() as client:
                    client.flushall()
            report["cluster, tail"] = await deliveries(
                cluster.url, primaries, args.rooms, args.appends
            )
            report["machine"]["load_after"] = os.getloadavg()[0]
        finally:
            single.kill()
            cluster.kill()
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
