"""A python-socketio peer under uvicorn, for issue 17's comparisons: one room, speaking just
enough of the workshop's commands (as socket.io events) for the same load generator
(bench/loadgen/sioclient.mjs).

    .venv/bin/python -m bench.peer_socketio --port 8300

`join` gets an `ok` and an empty `snapshot` event; every `ask` appends one event, emitted
to the room with `sio.emit(..., room=...)`, then its sender's ack. No storage, no fold:
python-socketio's own cost, beside bench/reference_server.py (`websockets.broadcast()`)
and bench/loadgen/peer_socketio.mjs (Node socket.io). From the `bench` extra.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import socketio  # type: ignore[import-untyped]
import uvicorn

ROOM = "room"
sio = socketio.AsyncServer(async_mode="asgi", transports=["websocket"], ping_interval=20,
                           ping_timeout=20, max_http_buffer_size=2**20)  # fmt: skip
head = 0


@sio.on("join")
async def join(sid: str, frame: dict[str, Any]) -> None:
    await sio.enter_room(sid, ROOM)
    await sio.emit("ok", {"re": 1, "seq": head, "epoch": "reference"}, to=sid)
    await sio.emit("snapshot", {"seq": head, "state": {}}, to=sid)


@sio.on("ask")
async def ask(sid: str, frame: dict[str, Any]) -> dict[str, Any]:
    global head
    head += 1
    data = {"qid": f"q{head}", "text": frame.get("text"), "lang": "en", "author": None,
            "status": "live", "votes": 0, "answer": None, "ts": time.time()}  # fmt: skip
    ev = {"seq": head, "ts": time.time(), "type": "question.asked", "data": data}
    await sio.emit("ev", ev, room=ROOM)
    return {"t": "ok", "seq": head}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8300)
    args = parser.parse_args()
    uvicorn.run(socketio.ASGIApp(sio), host="127.0.0.1", port=args.port, log_level="warning",
                ws="websockets-sansio", ws_per_message_deflate=False, backlog=4096)  # fmt: skip
