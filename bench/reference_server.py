"""The ceiling: a minimal `websockets.broadcast()` room speaking just enough of workshop.v1.

    .venv/bin/python -m bench.reference_server --port 8100 [--loop uvloop|asyncio]

Every `join` gets `ok` and an empty snapshot; every other command with an `id` appends
one event: its msgpack `ev` frame is encoded once and broadcast to every joined
connection, then the sender gets `ok`. No storage, no fold, no limits: what is left is
the cost of the WebSocket library, so the same load generator measures the ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import msgpack
from websockets.asyncio.server import ServerConnection, broadcast, serve

members: set[ServerConnection] = set()
head = 0


async def handler(ws: ServerConnection) -> None:
    global head
    try:
        async for message in ws:
            frame = msgpack.unpackb(message, raw=False)
            if frame.get("t") == "join":
                members.add(ws)
                ok = {"t": "ok", "re": frame["id"], "seq": head, "epoch": "reference"}
                await ws.send(msgpack.packb(ok))
                await ws.send(msgpack.packb({"t": "snapshot", "seq": head, "state": {}}))
                continue
            head += 1
            data = {"qid": f"q{head}", "text": frame.get("text"), "lang": "en", "author": None,
                    "status": "live", "votes": 0, "answer": None, "ts": time.time()}  # fmt: skip
            ev = {"t": "ev", "seq": head, "ts": time.time(), "type": "question.asked", "data": data}
            broadcast(members, msgpack.packb(ev))
            await ws.send(msgpack.packb({"t": "ok", "re": frame["id"], "seq": head}))
    finally:
        members.discard(ws)


async def main(port: int) -> None:
    async with serve(
        handler, "127.0.0.1", port, subprotocols=["workshop.v1"], compression=None,  # type: ignore[list-item]
        max_size=2**20, ping_interval=20, ping_timeout=20, backlog=4096,
    ) as server:  # fmt: skip
        print(f"reference server on port {port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    args = parser.parse_args()
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(main(args.port))
    else:
        asyncio.run(main(args.port))
