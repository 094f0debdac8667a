"""Connection without a socket: admission (join first, roles, rates, floods) and replies.

A Connection is driven through `receive(bytes)` with an ASGI `send` that records what
it is given, over a real Hub and the embedded backend: what a client would see, without
a network.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgpack
import pytest

from protocol.codes import CloseCode
from protocol.frames import Err, Frame, Ok, Pong, Welcome, read_frame
from server.backends.embedded import EmbeddedBackend
from server.identity import Identity
from server.live.connection import Connection
from server.live.hub import Hub
from server.settings import Settings
from server.staff.keys import StaffKeys

from .support import EVENT, ROOM, until

SECRET = b"middle-floor-tests-secret-0123456789"


class Socket:
    """An ASGI `send` that keeps the frames and the close code it is given."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.closed: int | None = None

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.send":
            frame = read_frame(msgpack.unpackb(message["bytes"], raw=False))
            assert frame is not None
            self.frames.append(frame)
        elif message["type"] == "websocket.close":
            self.closed = message["code"]

    def reply(self, re: int) -> Frame:
        (found,) = [f for f in self.frames if getattr(f, "re", None) == re]
        return found


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    backend = EmbeddedBackend(tmp_path / "data")
    await backend.start()
    await backend.create_event(EVENT)
    lifted = Settings(command_rate=1000.0, command_burst=1000, ask_rate=1000.0, ask_burst=1000)
    hub = Hub(backend, lifted, StaffKeys(SECRET))
    try:
        yield hub
    finally:
        await hub.close()
        await backend.close()


def connect(hub: Hub, settings: Settings | None = None) -> tuple[Connection, Socket]:
    socket = Socket()
    identity = Identity(SECRET)
    return Connection(socket, hub, identity, settings or hub.settings, "127.0.0.1"), socket


def frame(t: str, id: int, **fields: Any) -> bytes:
    return msgpack.packb({"t": t, "id": id, **fields}, use_bin_type=True)


async def test_a_command_before_join_is_refused_and_ping_answers(hub: Hub) -> None:
    conn, socket = connect(hub)
    await conn.receive(frame("ask", 1, cid="a", text="hello"))
    await conn.receive(frame("ping", 2))
    await until(lambda: len(socket.frames) == 2)
    refused = socket.reply(1)
    assert isinstance(refused, Err) and refused.code == "bad_request"
    assert socket.reply(2) == Pong(2)


async def test_bad_frames_get_their_error_code(hub: Hub) -> None:
    conn, socket = connect(hub)
    await conn.receive(b"\xc1")  # not msgpack
    await conn.receive(frame("dance", 3))
    await conn.receive(frame("ask", 4, cid="a"))  # no text
    await until(lambda: len(socket.frames) == 3)
    assert [f.code for f in socket.frames if isinstance(f, Err)] == [
        "bad_frame", "unknown_type", "bad_request"]  # fmt: skip


async def test_join_then_ask_and_a_participant_cannot_moderate(hub: Hub) -> None:
    conn, socket = connect(hub)
    await conn.receive(frame("join", 1, room=ROOM.code.lower(), name="Aiko", org="Sendai City"))
    await until(lambda: len(socket.frames) >= 2)
    welcome = socket.frames[0]
    assert isinstance(welcome, Ok)
    me = Welcome.from_ok(welcome).me
    assert me["roles"] == ["participant"] and conn.actor.pid == me["pid"]
    await conn.receive(frame("ask", 2, cid="a", text="Shelters?"))
    await conn.receive(frame("moderate", 3, cid="b", qid="q1", action="dismiss"))
    await until(lambda: any(getattr(f, "re", None) == 2 for f in socket.frames))
    await until(lambda: any(getattr(f, "re", None) == 3 for f in socket.frames))
    asked, refused = socket.reply(2), socket.reply(3)
    assert isinstance(asked, Ok) and asked.result["qid"] == "q1"
    assert isinstance(refused, Err) and refused.code == "forbidden"


async def test_a_moderator_key_gives_the_role(hub: Hub) -> None:
    conn, socket = connect(hub)
    key = StaffKeys(SECRET).founding_key(EVENT.event_id, "moderator")
    await conn.receive(frame("join", 1, room=ROOM.code, name="Chair", key=key))
    await until(lambda: len(socket.frames) >= 2)
    assert conn.actor.roles == ("moderator", "rapporteur")  # all a rapporteur can, and more
    await conn.receive(frame("settings", 2, cid="s", premoderation=True))
    await until(lambda: any(getattr(f, "re", None) == 2 for f in socket.frames))
    assert isinstance(socket.reply(2), Ok)
    bad, bad_socket = connect(hub)
    await bad.receive(frame("join", 1, room=ROOM.code, name="Mallory", key=key + "x"))
    await until(lambda: len(bad_socket.frames) == 1)
    assert isinstance(bad_socket.frames[0], Err) and bad_socket.frames[0].code == "unauthorized"


async def test_an_unknown_room_is_not_found(hub: Hub) -> None:
    conn, socket = connect(hub)
    await conn.receive(frame("join", 1, room="NOPE", name="Aiko"))
    await until(lambda: len(socket.frames) == 1)
    assert isinstance(socket.frames[0], Err) and socket.frames[0].code == "not_found"


async def test_a_flood_is_refused_then_closed_with_4029(hub: Hub) -> None:
    tight = Settings(command_rate=0.001, command_burst=2, flood_limit=3)
    conn, socket = connect(hub, tight)
    for i in range(10):
        await conn.receive(frame("ping", i))
        await conn.receive(frame("join", 100 + i, room="NOPE", name="x"))
    await until(lambda: socket.closed is not None)
    assert socket.closed == CloseCode.FLOODING
    limited = [f for f in socket.frames if isinstance(f, Err) and f.code == "rate_limited"]
    assert len(limited) == 4 and all(f.retry_after and f.retry_after > 0 for f in limited)


async def test_commands_of_one_connection_are_answered_in_order(hub: Hub) -> None:
    conn, socket = connect(hub)
    await conn.receive(frame("join", 1, room=ROOM.code, name="Aiko"))
    for i in range(2, 40):
        await conn.receive(frame("ask", i, cid=f"c{i}", text=f"question {i}"))
    await until(lambda: sum(isinstance(f, Ok) for f in socket.frames) == 39)
    oks = [f for f in socket.frames if isinstance(f, Ok) and f.re != 1]
    # Every ask is in the log in the order it was sent: q<seq> follows the ids.
    assert sorted((f.seq, f.re) for f in oks) == [(i - 1, i) for i in range(2, 40)]
    await asyncio.sleep(0)
    conn.disconnected()
    assert conn.room is not None and conn not in conn.room.members
