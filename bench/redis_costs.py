"""What the Redis backend costs: appends/s, deliveries/s and latency across processes.

    .venv/bin/python -m bench.redis_costs [--appends 20000] [--fsync everysec|always]
                                          [--rate 2000] [--seconds 5] [--sockets 200]

Starts its own redis-server (a temporary folder, a free port, AOF on with the chosen
`appendfsync`, noeviction) and measures, on this machine:

1. appends/s from one process, one at a time (each awaits its reply: one round trip
   per append) and concurrently (500 coroutines: the appender pipelines them);
2. Redis CPU per append (INFO `used_cpu_*` before/after), and this process's CPU;
3. across two processes: a second process subscribes to the room and timestamps each
   record's arrival; this one appends at `--rate`/s for `--seconds` (latency from the
   `append` call to the other process's subscriber: p50/p95/p99), then as fast as it
   can (deliveries/s the other process takes in);
4. end to end through two real `workshop serve` processes on that Redis: `--sockets`
   WebSocket listeners split over both, one asker on the first; latency from sending
   `ask` to the `question.asked` frame on a socket of the *other* process, and the
   frames/s both processes deliver together.

Numbers go to stdout as a table; docs/scaling.md quotes them with the machine's CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from server.backends.base import EventInfo, RoomInfo
from server.backends.redis import RedisBackend

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"bench-secret-0123456789abcdef0123456789"
ROOM = "BENCH"
EVENT = EventInfo(
    "bench", "Bench", ("Asia/Tokyo",), ("en",), (RoomInfo(ROOM, "Bench", "bench"),), 0.0
)
ACTOR = {"pid": "b0b0b0b0b0b0b0b0", "name": "Bench", "org": "Sendai City", "roles": []}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(folder: Path, fsync: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--appendonly",
            "yes",
            "--appendfsync",
            fsync,
            "--save",
            "",
            "--maxmemory-policy",
            "noeviction",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, url
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


async def redis_cpu(backend: RedisBackend) -> float:
    info = await backend._redis.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


async def appends(url: str, n: int) -> dict[str, float]:
    out: dict[str, float] = {}
    async with RedisBackend(url, secret=SECRET) as b:
        await b.create_event(EVENT)
        mem0 = int((await b._redis.info("memory"))["used_memory"])
        # The floor: a bare PING round trip through redis-py, one at a time.
        t0 = time.perf_counter()
        for _ in range(n // 4):
            await b._redis.ping()
        out["ping_round_trips_per_s"] = (n // 4) / (time.perf_counter() - t0)
        # One at a time: one round trip each.
        cpu0, r0, t0 = time.process_time(), await redis_cpu(b), time.perf_counter()
        for i in range(n // 4):
            await b.append(
                ROOM, "ask", {"text": "How are shelters chosen?", "i": i}, ACTOR, f"s{i}"
            )
        wall = time.perf_counter() - t0
        out["one_at_a_time_per_s"] = (n // 4) / wall
        out["one_at_a_time_ms"] = wall / (n // 4) * 1000
        out["process_cpu_us_serial"] = (time.process_time() - cpu0) / (n // 4) * 1e6
        out["redis_cpu_us_serial"] = (await redis_cpu(b) - r0) / (n // 4) * 1e6

        # Concurrent: 500 coroutines; the appender pipelines their EVALSHAs.
        pipelines0 = b.stats["append_pipelines"]
        calls0 = b.stats["append_calls"]
        cpu0, r0, t0 = time.process_time(), await redis_cpu(b), time.perf_counter()

        round_ = 0

        async def worker(w: int) -> None:
            for i in range(w, n, 500):
                await b.append(ROOM, "vote", {"qid": "q1", "up": True}, ACTOR, f"c{round_}.{i}")

        await asyncio.gather(*(worker(w) for w in range(500)))
        wall = time.perf_counter() - t0
        out["concurrent_per_s"] = n / wall
        out["process_cpu_us_concurrent"] = (time.process_time() - cpu0) / n * 1e6
        out["redis_cpu_us_concurrent"] = (await redis_cpu(b) - r0) / n * 1e6
        pipelines = b.stats["append_pipelines"] - pipelines0
        out["mean_pipeline"] = (b.stats["append_calls"] - calls0) / max(pipelines, 1)
        info = await b._redis.info("memory")
        out["redis_bytes_per_record"] = (int(info["used_memory"]) - mem0) / (n + n // 4)

        out["redis_cpu_us_per_pubsub_delivery"] = await pubsub_cost(b, url)
    return out


async def pubsub_cost(b: RedisBackend, url: str, messages: int = 20_000) -> float:
    """Redis CPU per message per subscriber: PUBLISH a record-sized payload to a channel
    with no subscriber, then with 10 (`redis-cli`, so that they read fast)."""
    port = url.rsplit(":", 1)[1].split("/")[0]
    payload = b"x" * 320

    async def publish(channel: str) -> float:
        r0 = await redis_cpu(b)
        for _ in range(messages // 500):
            pipe = b._redis.pipeline(transaction=False)
            for _ in range(500):
                pipe.publish(channel, payload)
            await pipe.execute()
        return (await redis_cpu(b) - r0) / messages * 1e6

    alone = await publish("bench:nobody")
    cli = shutil.which("redis-cli") or "/usr/bin/redis-cli"
    subscribers = [
        await asyncio.create_subprocess_exec(
            cli, "-p", port, "subscribe", "bench:ten", stdout=asyncio.subprocess.DEVNULL
        )
        for _ in range(10)
    ]
    try:
        for _ in range(200):
            if dict(await b._redis.pubsub_numsub("bench:ten"))[b"bench:ten"] == 10:
                break
            await asyncio.sleep(0.05)
        ten = await publish("bench:ten")
    finally:
        for sub in subscribers:
            sub.kill()
            await sub.wait()
    return (ten - alone) / 10


SUBSCRIBER = """
import asyncio, json, sys, time
from server.backends.redis import RedisBackend

async def main(url, room, expect):
    arrivals = []
    async with RedisBackend(url, secret=SECRET) as b:
        def on(record, epoch):
            arrivals.append((time.time(), record.data.get("t0", 0.0)))
        b.subscribe(room, on)
        await b.head(room)
        cpu0 = time.process_time()
        print("ready", flush=True)
        while len(arrivals) < expect:
            await asyncio.sleep(0.01)
        cpu = time.process_time() - cpu0
    print(json.dumps({"arrivals": arrivals, "cpu": cpu}), flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


async def across_processes(url: str, rate: int, seconds: float, flood: int) -> dict[str, float]:
    """Latency at a steady rate, then deliveries/s of a flood, into a second process."""
    out: dict[str, float] = {}
    paced = int(rate * seconds)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        f"SECRET = {SECRET!r}\n{SUBSCRIBER}",
        url,
        ROOM,
        str(paced + flood),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    assert (await child.stdout.readline()).strip() == b"ready"
    async with RedisBackend(url, secret=SECRET) as b:
        start = time.perf_counter()
        pending: set[asyncio.Task[Any]] = set()
        for i in range(paced):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(
                b.append(ROOM, "ask", {"t0": time.time(), "i": i}, ACTOR, f"p{i}")
            )
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
        t0 = time.perf_counter()

        async def flooder(w: int) -> None:
            for i in range(w, flood, 500):
                await b.append(ROOM, "vote", {"t0": 0.0, "i": i}, ACTOR, f"f{i}")

        await asyncio.gather(*(flooder(w) for w in range(500)))
        sent = time.perf_counter() - t0
    result = json.loads((await child.stdout.read()).decode())
    await child.wait()
    arrivals = result["arrivals"]
    latencies = [(t - t0) * 1000 for t, t0 in arrivals[:paced]]
    out["rate"] = rate
    out["latency_p50_ms"] = statistics.median(latencies)
    out["latency_p95_ms"] = percentile(latencies, 95)
    out["latency_p99_ms"] = percentile(latencies, 99)
    flood_arrivals = [t for t, _ in arrivals[paced:]]
    span = max(flood_arrivals) - min(flood_arrivals)
    out["flood_sent_per_s"] = flood / sent
    out["deliveries_per_s"] = flood / span if span > 0 else float("nan")
    out["subscriber_cpu_us_per_record"] = result["cpu"] / (paced + flood) * 1e6
    return out


def start_server(url: str, folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    lifted = []
    for name in ("ask", "vote", "command"):
        lifted += [f"--{name}-rate", "100000", f"--{name}-burst", "100000"]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli.main",
            "serve",
            "--port",
            str(port),
            "--redis-url",
            url,
            "--data-dir",
            str(folder),
            "--conns-per-ip",
            "100000",
            *lifted,
        ],
        cwd=ROOT,
        env={**os.environ, "WORKSHOP_SECRET": SECRET.decode()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import urllib.request

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("workshop serve did not start")


LISTENERS = """
import asyncio, json, sys, time
import msgpack
from websockets.asyncio.client import connect

async def listen(url, n, seen, counts, ready):
    async with connect(url, subprotocols=["workshop.v1"], compression=None, max_size=2**24) as ws:
        await ws.send(msgpack.packb({"t": "join", "id": 1, "room": ROOM, "name": f"L{n}",
                                     "org": "", "lang": "en"}))
        ready.append(n)
        async for message in ws:
            counts[n] += 1
            frame = msgpack.unpackb(message)
            if frame.get("t") == "ev" and frame.get("type") == "question.asked":
                text = frame["data"]["text"]
                if text.startswith("paced"):
                    seen.append((time.time(), n, text))
                elif text == "stop":
                    return

async def main(urls, count):
    seen, ready, counts = [], [], [0] * count
    tasks = [asyncio.create_task(listen(urls[i % len(urls)], i, seen, counts, ready))
             for i in range(count)]
    while len(ready) < count:
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    print("ready", flush=True)
    await asyncio.gather(*tasks)
    print(json.dumps({"seen": seen, "frames": sum(counts)}), flush=True)

asyncio.run(main(sys.argv[1].split(","), int(sys.argv[2])))
"""


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def end_to_end(url: str, folder: Path, sockets: int, questions: int) -> dict[str, float]:
    """Two server processes, listeners spread over both, askers on the first: latency
    to the other process's sockets (paced asks), then CPU per frame delivered (a burst)."""
    from client.room_client import RoomClient

    out: dict[str, float] = {}
    async with RedisBackend(url, secret=SECRET) as b:
        if await b.get_room(ROOM) is None:
            await b.create_event(EVENT)
    servers = [start_server(url, folder / f"s{i}") for i in range(2)]
    try:
        urls = [f"ws://127.0.0.1:{port}/ws" for _, port in servers]
        rss0 = sum(rss_mib(proc.pid) for proc, _ in servers)
        listeners = await asyncio.create_subprocess_exec(
            sys.executable, "-c", f"ROOM = {ROOM!r}\n{LISTENERS}", ",".join(urls), str(sockets),
            cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert listeners.stdout is not None
        assert (await listeners.stdout.readline()).strip() == b"ready"
        out["server_rss_kib_per_socket"] = (
            (sum(rss_mib(proc.pid) for proc, _ in servers) - rss0) * 1024 / sockets
        )
        sent: dict[str, float] = {}
        askers = [RoomClient(urls[0], ROOM, name=f"Asker {i}", inbox=0) for i in range(4)]
        for asker in askers:
            await asker.connect()
        for i in range(questions):  # paced: one question every 20 ms
            text = f"paced {i}"
            sent[text] = time.time()
            await askers[0].ask(text)
            await asyncio.sleep(0.02)
        cpu0 = [cpu_seconds(proc.pid) for proc, _ in servers]
        t0 = time.perf_counter()

        async def burst(asker: RoomClient, k: int) -> None:
            for i in range(questions):
                await asker.ask(f"burst {k} {i}")

        await asyncio.gather(*(burst(a, k) for k, a in enumerate(askers)))
        span = time.perf_counter() - t0
        cpu = sum(cpu_seconds(proc.pid) for proc, _ in servers) - sum(cpu0)
        await askers[0].ask("stop")
        for asker in askers:
            await asker.close()
        result = json.loads((await listeners.stdout.read()).decode())
        await listeners.wait()
        seen = result["seen"]
        other = [(t - sent[text]) * 1000 for t, n, text in seen if n % 2 == 1]
        same = [(t - sent[text]) * 1000 for t, n, text in seen if n % 2 == 0]
        burst_frames = len(askers) * questions * sockets
        out["sockets"] = sockets
        out["other_process_p50_ms"] = statistics.median(other)
        out["other_process_p95_ms"] = percentile(other, 95)
        out["same_process_p50_ms"] = statistics.median(same)
        out["same_process_p95_ms"] = percentile(same, 95)
        out["burst_events_per_s"] = len(askers) * questions / span
        out["burst_frames_per_s"] = burst_frames / span
        out["server_cpu_us_per_frame"] = cpu / burst_frames * 1e6
        out["server_cpu_us_per_event"] = cpu / (len(askers) * questions) * 1e6
    finally:
        for proc, _ in servers:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in servers:
            proc.wait(15)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appends", type=int, default=20_000)
    parser.add_argument("--fsync", choices=("everysec", "always"), default="everysec")
    parser.add_argument("--rate", type=int, default=2000, help="appends/s for the latency run")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--flood", type=int, default=20_000)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs,"
          f" Python {platform.python_version()}, appendfsync {args.fsync}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        redis, url = start_redis(Path(tmp), args.fsync)
        try:
            results = {
                "appends": await appends(url, args.appends),
                "across": await across_processes(url, args.rate, args.seconds, args.flood),
                "end_to_end": await end_to_end(url, Path(tmp), args.sockets, args.questions),
            }
            for name, numbers in results.items():
                for key, value in numbers.items():
                    print(f"{name:18} {key:32} {value:12.3f}")
        finally:
            redis.kill()
            redis.wait()


if __name__ == "__main__":
    asyncio.run(main())
