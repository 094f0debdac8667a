"""What one stalled reader costs the server after a burst, and for how long (issue 12,
item 10).

A `workshop serve` process with its default send limits; one participant joins and stops
reading (a 4 KiB receive buffer, nothing read); another asks `--burst` long questions
(496 characters, ~1.5 KB a frame) as fast as the server answers; then the room is quiet.
The server's resident memory is read before the burst, at its end and every second after,
with whether the stalled socket is still connected (its own kernel's TCP state).

    python -m bench.slow_reader [--burst 2000] [--seconds 15]

Run it with another checkout's python (`/path/.venv/bin/python -m bench.slow_reader`
from that checkout) to measure that checkout's server the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import msgpack
from websockets.asyncio.client import connect

from bench.procs import ROOM, Pinning, create_event, rss_kib, workshop_server
from client.room_client import RoomClient

TEXT = "避難所の運営について質問します。" * 31  # 496 characters, ~1.5 KB a frame
TCP_ESTABLISHED = 1


def connected(sock: Any) -> bool:
    """Whether this end's kernel still holds the connection open (Linux TCP_INFO)."""
    return int(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]) == TCP_ESTABLISHED


async def stalled_reader(port: int) -> Any:
    """A joined connection that will read nothing more: a tiny buffer, a tiny queue."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    ws = await connect(
        f"ws://127.0.0.1:{port}/ws", sock=sock, max_queue=1, compression=None,
        ping_interval=None, subprotocols=["workshop.v1"],  # type: ignore[list-item]
    )  # fmt: skip
    for frame in ({"t": "join", "id": 1, "room": ROOM, "name": "Asleep"}, {"t": "ping", "id": 2}):
        await ws.send(msgpack.packb(frame))
    while msgpack.unpackb(await ws.recv()).get("t") != "pong":
        pass
    return ws


async def measure(port: int, burst: int, seconds: float, pid: int) -> dict[str, Any]:
    slow = await stalled_reader(port)
    sock = slow.transport.get_extra_info("socket")
    publisher = RoomClient(f"ws://127.0.0.1:{port}/ws", ROOM, name="Publisher", inbox=10**6)
    await publisher.connect()
    await asyncio.gather(*(publisher.ask(TEXT) for _ in range(20)))  # warm
    await asyncio.sleep(1)
    before = rss_kib(pid)["VmRSS"]
    started = time.monotonic()
    for _ in range(burst // 20):
        await asyncio.gather(*(publisher.ask(TEXT) for _ in range(20)))
    ended = time.monotonic()
    samples = [{"t": 0.0, "rss_mib": (rss_kib(pid)["VmRSS"] - before) / 1024,
                "connected": connected(sock)}]  # fmt: skip
    while time.monotonic() - ended < seconds:
        await asyncio.sleep(1)
        samples.append({
            "t": round(time.monotonic() - ended, 1),
            "rss_mib": (rss_kib(pid)["VmRSS"] - before) / 1024,
            "connected": connected(sock),
        })  # fmt: skip
    await publisher.close()
    slow.transport.abort()
    return {"burst": burst, "burst_seconds": round(ended - started, 2), "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        create_event(data)
        server = workshop_server(data, Pinning()).start()
        try:
            result = asyncio.run(measure(server.port, args.burst, args.seconds, server.pid))
        finally:
            server.stop()
    print(json.dumps(result, indent=1))
    for s in result["samples"]:
        print(f"{s['t']:5.1f} s  RSS +{s['rss_mib']:6.1f} MiB  connected={s['connected']}")


if __name__ == "__main__":
    main()
