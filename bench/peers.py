"""The peers of issue 17, item 6: what users would pick instead, in the same run.

Beside the `websockets.broadcast()` reference (bench/reference_server.py): Node socket.io
(bench/loadgen/peer_socketio.mjs) and python-socketio under uvicorn
(bench/peer_socketio.py), each one room speaking the workshop's `join` and `ask` as
socket.io events, measured by the same load generator (its socket.io client,
bench/loadgen/sioclient.mjs). A peer whose package is not installed is left out with a
note: `npm ci` in bench/loadgen brings socket.io, the `bench` extra python-socketio.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from bench.procs import LOADGEN, Pinning, Server, free_port

PEERS = ("peer-socketio-node", "peer-socketio-python")


def missing(name: str) -> str:
    """'' when peer `name` can run here, else why not."""
    if name == "peer-socketio-node":
        if not (LOADGEN / "node_modules" / "socket.io" / "package.json").exists():
            return "socket.io is not in bench/loadgen/node_modules (npm ci there)"
        return ""
    if importlib.util.find_spec("socketio") is None:
        return "python-socketio is not installed (the `bench` extra)"
    return ""


def peer_server(folder: Path, pin: Pinning, name: str) -> Server:
    """A peer server on a free port, pinned like the others; its clients speak socket.io."""
    port = free_port()
    if name == "peer-socketio-node":
        argv = [*pin.prefix(pin.server), "node", str(LOADGEN / "peer_socketio.mjs"), str(port)]
    else:
        argv = [*pin.prefix(pin.server), sys.executable, "-m", "bench.peer_socketio",
                "--port", str(port)]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    return Server(argv, port, folder / f"{name}-{port}.log", ready_path="", client="socketio")
