"""Helpers of the integration tests: raw WebSocket connections, frame collection, servers.

Every test here talks to a real `workshop serve` process (tests/support/server.py) over
real sockets. Waits are bounded by generous timeouts so a bug fails a test instead of
hanging it; no test asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import msgpack
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

from client.room_client import RoomClient

SUBPROTOCOL = Subprotocol("workshop.v1")
WAIT = 20.0  # seconds: the most any single expected frame may take before a test fails


Frame = dict[str, Any]


def pack(frame: Any) -> bytes:
    """Any value as msgpack (the tests also send values that are not maps)."""
    return bytes(msgpack.packb(frame, use_bin_type=True))


def unpack(data: bytes | str) -> Frame:
    assert isinstance(data, bytes), f"the server sent a text frame: {data!r}"
    frame = msgpack.unpackb(data, raw=False, strict_map_key=True)
    assert isinstance(frame, dict), frame
    return frame


def cid() -> str:
    return uuid.uuid4().hex


async def open_ws(url: str, *, origin: str | None = None, **kwargs: Any) -> ClientConnection:
    """A plain WebSocket connection offering `workshop.v1` (no keepalive pings)."""
    ws = await connect(
        url,
        subprotocols=[SUBPROTOCOL],
        origin=Origin(origin) if origin else None,
        compression=None,
        ping_interval=None,
        max_size=16 * 2**20,
        open_timeout=WAIT,
        **kwargs,
    )
    assert ws.subprotocol == SUBPROTOCOL
    return ws


class Raw:
    """A raw protocol connection: frames in and out as dicts, every received byte kept.

    Frames that arrive while the test waits for something else stay in `inbox`, in order,
    so nothing is lost between two waits.
    """

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.inbox: list[Frame] = []
        self.received: list[bytes] = []  # every frame, undecoded, in arrival order
        self._ids = itertools.count(1)

    @classmethod
    async def open(cls, url: str, **kwargs: Any) -> Raw:
        return cls(await open_ws(url, **kwargs))

    async def close(self) -> None:
        await self.ws.close()

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (a lost network, a killed tab)."""
        transport = self.ws.transport
        assert transport is not None
        transport.abort()

    async def send(self, frame: Frame) -> int:
        """Send `frame`, giving it a fresh `id` unless it has one; return the id."""
        if "id" not in frame:
            frame = {**frame, "id": next(self._ids)}
        await self.ws.send(pack(frame))
        return int(frame["id"])

    async def _read(self, wait: float) -> Frame:
        data = await asyncio.wait_for(self.ws.recv(), wait)
        assert isinstance(data, bytes), f"text frame from the server: {data!r}"
        self.received.append(data)
        return unpack(data)

    async def expect(self, match: Callable[[Frame], bool], wait: float = WAIT) -> Frame:
        """The first frame (kept or new) that `match`es; others stay in `inbox`."""
        for i, frame in enumerate(self.inbox):
            if match(frame):
                return self.inbox.pop(i)
        async with asyncio.timeout(wait):
            while True:
                frame = await self._read(wait)
                if match(frame):
                    return frame
                self.inbox.append(frame)

    async def reply(self, rid: int, wait: float = WAIT) -> Frame:
        return await self.expect(
            lambda f: f.get("t") in ("ok", "err", "pong") and f.get("re") == rid, wait
        )

    async def request(self, frame: Frame, wait: float = WAIT) -> Frame:
        return await self.reply(await self.send(frame), wait)

    async def join(self, room: str = "SUB-PLAN", name: str = "Raw", **fields: Any) -> Frame:
        """Join; return the `ok` (or `err`) reply. The snapshot or replay stays in `inbox`."""
        return await self.request({"t": "join", "room": room, "name": name, **fields})

    async def ask(self, text: str, **fields: Any) -> Frame:
        return await self.request({"t": "ask", "cid": cid(), "text": text, **fields})

    async def ping(self) -> Frame:
        return await self.request({"t": "ping"})

    async def sync(self) -> None:
        """Round-trip a ping: every frame the server queued before the pong is now here."""
        pong = await self.ping()
        assert pong["t"] == "pong", pong

    def take(self, t: str) -> list[Frame]:
        """Remove and return the kept frames of type `t`, in order."""
        taken = [f for f in self.inbox if f.get("t") == t]
        self.inbox = [f for f in self.inbox if f.get("t") != t]
        return taken

    async def events_until(self, seq: int, wait: float = WAIT) -> list[Frame]:
        """The `ev` frames up to and including `seq` (removed from the inbox)."""
        async with asyncio.timeout(wait):
            while not any(f.get("t") == "ev" and f["seq"] >= seq for f in self.inbox):
                self.inbox.append(await self._read(wait))
        evs = [f for f in self.inbox if f.get("t") == "ev" and f["seq"] <= seq]
        self.inbox = [f for f in self.inbox if not (f.get("t") == "ev" and f["seq"] <= seq)]
        return evs

    async def closed(self, wait: float = WAIT) -> int | None:
        """Read (and keep) frames until the server closes; return the close code."""
        async with asyncio.timeout(wait):
            with contextlib.suppress(ConnectionClosed):
                while True:
                    self.inbox.append(await self._read(wait))
        return self.ws.close_code


async def joined(url: str, **join: Any) -> tuple[Raw, Frame]:
    """A raw connection joined to a room (SUB-PLAN unless `room=`); fails if refused."""
    raw = await Raw.open(url)
    reply = await raw.join(**join)
    assert reply["t"] == "ok", reply
    return raw, reply


async def stalled_reader(port: int, name: str = "Sleepy", org: str = "") -> Raw:
    """A joined connection whose reader will stop: a tiny receive buffer, a tiny queue.

    Once the test stops calling recv(), websockets pauses reading after `max_queue`
    frames, the kernel buffer fills and the server's writes back up.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    ws = await open_ws(f"ws://127.0.0.1:{port}/ws", sock=sock, max_queue=1)
    raw = Raw(ws)
    assert (await raw.join(name=name, org=org)).get("t") == "ok"
    await raw.sync()
    return raw


async def raw_frames_until(
    client: RoomClient, done: Callable[[Frame], bool], wait: float = WAIT
) -> list[Frame]:
    """Decode a RoomClient's raw frames (keep_raw=True) until one is `done`; return all."""
    out: list[Frame] = []
    async with asyncio.timeout(wait):
        while True:
            frame = unpack(await client.recv_raw())
            out.append(frame)
            if done(frame):
                return out


async def events_through(client: RoomClient, seq: int, wait: float = WAIT) -> list[Frame]:
    """Every raw frame a RoomClient receives until the `ev` of `seq`, decoded."""
    return await raw_frames_until(client, lambda f: f.get("t") == "ev" and f["seq"] >= seq, wait)


def ev_frames(frames: Iterable[Frame]) -> list[Frame]:
    return [f for f in frames if f.get("t") == "ev"]


def assert_gapless(evs: list[Frame], first: int, last: int) -> None:
    """`evs` are exactly the seqs first..last, in order, each once."""
    assert [f["seq"] for f in evs] == list(range(first, last + 1))


async def wait_for_frame(
    client: RoomClient, match: Callable[[Frame], bool], wait: float = WAIT
) -> Frame:
    """The first non-event frame (presence, queue...) of a RoomClient that `match`es."""
    async with asyncio.timeout(wait):
        while True:
            frame = await client.frames().get()
            if match(frame):
                return frame


@contextlib.asynccontextmanager
async def room_clients(
    url: str, count: int, room: str = "SUB-PLAN", **kwargs: Any
) -> AsyncIterator[list[RoomClient]]:
    """`count` joined RoomClients named "P<i>", keeping raw frames; closed on exit."""
    kwargs.setdefault("keep_raw", True)
    clients = [RoomClient(url, room, name=f"P{i}", **kwargs) for i in range(count)]
    try:
        await asyncio.gather(*(c.connect() for c in clients))
        yield clients
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def strip_mine(data: Frame) -> Frame:
    """Event data without the viewer-specific marks (`mine`, `voted`)."""
    return {k: v for k, v in data.items() if k not in ("mine", "voted")}


async def snapshot_state(client: RoomClient, wait: float = WAIT) -> Frame:
    """The `state` of the next snapshot in a RoomClient's events (the join's, at first).

    `connect()` returns on the join reply; the snapshot is the frame after it.
    """
    async with asyncio.timeout(wait):
        while True:
            frame = await client.events().get()
            if frame.get("t") == "snapshot":
                state = frame["state"]
                assert isinstance(state, dict)
                return state
