"""Writing a room's frames straight onto a connection's transport, when that is safe.

Issue 7's profile: at a fixed event rate, queueing each frame and waking one writer task
per socket cost twice the CPU of `websockets.broadcast()` and put 200 ms in the p99.
`broadcast()` writes to every transport in one synchronous loop; so does this, through
`DirectLine.write`, whenever the socket can take the frame at once:

- the connection is uvicorn's `websockets-sansio` protocol (the ASGI `send` we were given
  is its bound method) with no extension negotiated (compression is off), so a frame's
  bytes are the same for every recipient and the protocol keeps no per-frame state;
- the connection is open, no close frame was sent, and the transport is below its
  high-water mark (uvicorn's `writable` event is set).

Otherwise (another WebSocket implementation, a paused transport, a closing socket) the
caller falls back to the ASGI `send`, through its bounded queue. A frame is framed once
per audience: `Framer` remembers the last payload it framed, and a room sends the same
payload object to every member of an audience in turn.

A line writes its first frame of an event-loop step at once; the frames after it in the
same step are held and written together when the step ends (`Cork`). So a burst of
records (a group commit, a Redis batch, a resume's replay) costs each socket two writes
instead of one per frame, which `broadcast()` cannot do, and a lone event is not delayed.

`DirectLine.drop` aborts the transport of a socket closed as too slow whose peer reads
nothing (`server/live/outbound.py`): a plain close would wait for the buffer to drain.

`DirectLine` is the adapter onto uvicorn: the only code that names the private parts of
its `WebSocketsSansIOProtocol` (`conn`, `transport`, `writable`, `disconnected`,
`handshake_complete`, `request`/`response`, `queue`, `scope`). Once the handshake is
complete, `DirectLine.open` also trims what that protocol keeps per socket (`_slim`).
Those are not uvicorn's API and may change in any release, so the adapter is used only
with the uvicorn versions it was checked against (`KNOWN_UVICORN`, the same range as
pyproject.toml's pin); under any other version every connection takes the ASGI `send`
path, slower but correct.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from typing import Any

import uvicorn
from websockets.protocol import State

from server.live.lean import Gate, Inbox

OPEN = State.OPEN
LINGER_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close with a TCP reset
BINARY_FIN = 0x82  # FIN + opcode 2 (RFC 6455 §5.2); a server's frames are never masked
# [from, to): the uvicorn releases whose sans-I/O protocol this adapter was read against
# and tested on (tests/live/test_wire.py). Widen it, and pyproject.toml's pin, only after
# reading the new release's `websockets_sansio_impl.py` and running those tests on it.
KNOWN_UVICORN = ((0, 54), (0, 55))


def known_uvicorn(version: str) -> bool:
    """Whether `version` (a uvicorn `__version__`) is inside `KNOWN_UVICORN`."""
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:  # "1", "0.x", "": not a release this adapter knows
        return False
    low, high = KNOWN_UVICORN
    return low <= (major, minor) < high


def sans_io_protocol(version: str) -> type[Any] | None:
    """uvicorn's sans-I/O protocol class if uvicorn `version` is one this adapter knows,
    else None (every connection then takes the ASGI `send` path)."""
    if not known_uvicorn(version):
        return None
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import (
            WebSocketsSansIOProtocol,
        )
    except ImportError:  # pragma: no cover - a build without the sans-I/O implementation
        return None
    return WebSocketsSansIOProtocol


# Checked once, at import: the installed uvicorn's protocol class, or None.
PROTOCOL = sans_io_protocol(uvicorn.__version__)


# The logger an accepted socket's protocol logs through: uvicorn's own, less its INFO lines.
# uvicorn logs "[accepted]" and websockets "connection open" for every socket, and a
# filter (server/http/app.py `QuietHandshakes`) drops them only after each record is made:
# making and filtering them was 16 % of the server's CPU while 5,000 members joined
# (`python -m bench.profile joins`). Warnings and errors still reach uvicorn's handlers.
SOCKET_LOG = logging.getLogger("uvicorn.error.sockets")


def quiet_handshake(send: Any) -> None:
    """Before the accept: log the connection's INFO lines nowhere, unless uvicorn's log
    is at DEBUG or below (then everything is logged, as uvicorn would)."""
    protocol = getattr(send, "__self__", None)
    if PROTOCOL is None or not isinstance(protocol, PROTOCOL):
        return
    if not logging.getLogger("uvicorn.error").isEnabledFor(logging.DEBUG):
        SOCKET_LOG.setLevel(logging.WARNING)
        protocol.logger = SOCKET_LOG
        protocol.conn.logger = SOCKET_LOG


def frame_binary(payload: bytes) -> bytes:
    """One unmasked, unfragmented binary WebSocket frame carrying `payload`."""
    size = len(payload)
    if size < 126:
        head = bytes((BINARY_FIN, size))
    elif size < 1 << 16:
        head = struct.pack("!BBH", BINARY_FIN, 126, size)
    else:
        head = struct.pack("!BBQ", BINARY_FIN, 127, size)
    return head + payload


class Framer:
    """Frames payloads, once per run of the same payload object."""

    __slots__ = ("_framed", "_payload")

    def __init__(self) -> None:
        self._payload: bytes | None = None
        self._framed = b""

    def __call__(self, payload: bytes) -> bytes:
        if payload is not self._payload:
            self._payload = payload
            self._framed = frame_binary(payload)
        return self._framed


FRAMER = Framer()  # one event loop thread; a room's fan-out loop runs without awaiting


class Cork:
    """What the lines hold for the end of this step of the event loop (one per hub).

    A line's `_step` says whether it wrote in the current step: comparing two ints
    costs less than listing every line that wrote, and a fan-out step writes to all."""

    __slots__ = ("_held", "_scheduled", "step")

    def __init__(self) -> None:
        self.step = 0  # bumped when a step that wrote ends
        self._held: list[DirectLine] = []  # lines holding frames for the step's end
        self._scheduled = False

    def write(self, line: DirectLine, frame: bytes) -> None:
        """The step's first frame for a socket goes out at once (a lone event waits for
        nothing); later ones are held and written together when the step ends."""
        if line._step != self.step:
            line._step = self.step
            line._transport.write(frame)
            if not self._scheduled:
                self._scheduled = True
                asyncio.get_running_loop().call_soon(self.flush)
            return
        pending = line._pending
        if pending is None:
            line._pending = frame
            self._held.append(line)
        elif type(pending) is list:
            pending.append(frame)
        else:
            # Two frames make a list, not one: a list per socket per event would be
            # thousands of garbage-collected objects a second, and the collector's full
            # passes over every connection's objects showed in the p99 latency.
            line._pending = [pending, frame]  # type: ignore[list-item]

    def flush(self) -> None:
        self.step += 1
        self._scheduled = False
        held, self._held = self._held, []
        for line in held:
            line.flush()


class DirectLine:
    """Synchronous writes to one uvicorn WebSocket connection's transport: the adapter,
    and the only code that names uvicorn's private attributes.

    It keeps references to the protocol's own objects (no copies, nothing per frame):
    memory per idle connection is measured (issue 7)."""

    __slots__ = ("_conn", "_cork", "_pending", "_protocol", "_step", "_transport", "_writable")

    def __init__(self, protocol: Any, cork: Cork) -> None:
        self._protocol = protocol
        self._conn = protocol.conn
        self._transport = protocol.transport
        self._writable = protocol.writable
        self._cork = cork
        self._pending: bytes | list[bytes] | None = None  # frames held in this loop step
        self._step = -1  # the last loop step (Cork.step) this line wrote in

    @staticmethod
    def open(send: Any, cork: Cork) -> DirectLine | None:
        """A line for the connection behind an ASGI `send`, or None where not safe."""
        protocol = getattr(send, "__self__", None)
        if PROTOCOL is None or not isinstance(protocol, PROTOCOL):
            return None
        if protocol.conn.extensions:  # permessage-deflate: each socket frames differently
            return None
        if protocol.handshake_complete:
            _slim(protocol)
        return DirectLine(protocol, cork)

    def write(self, payload: bytes) -> bool:
        """Send `payload` as one frame, at once or with this socket's other frames at the
        end of this loop step, if the socket can take it now; else False (the caller
        queues it)."""
        # A close frame sent by uvicorn (or received) leaves the state CLOSING, so the
        # state check covers uvicorn's `close_sent` too.
        if (
            not self._writable.is_set()
            or self._protocol.disconnected
            or self._conn.state is not OPEN
        ):
            return False
        self._cork.write(self, FRAMER(payload))
        return True

    def write_framed(self, framed: bytes) -> bool:
        """Like `write`, for frames framed already (one or several joined: a batch of a
        loop step, `server/live/batch_fanout.py`)."""
        if (
            not self._writable.is_set()
            or self._protocol.disconnected
            or self._conn.state is not OPEN
        ):
            return False
        self._cork.write(self, framed)
        return True

    def drop(self) -> None:
        """Abort the connection: its buffers are discarded and the peer gets a TCP reset,
        where a close (asyncio's, or uvicorn's after its close timeout) would wait for a
        peer that reads nothing to take what is buffered. uvicorn then sees the connection
        lost and tells the endpoint (`websocket.disconnect`)."""
        self._pending = None
        if self._protocol.disconnected:
            return
        transport = self._transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Without it the kernel would keep the unsent bytes and send them after all,
            # to a reader that takes nothing.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
        transport.abort()

    def flush(self) -> None:
        """Write the frames held in this step, in order, in one go."""
        frames, self._pending = self._pending, None
        if not frames or self._protocol.disconnected or self._conn.state is not OPEN:
            return  # nothing held, or the socket is gone or closing: no data after a close
        self._transport.write(frames if isinstance(frames, bytes) else b"".join(frames))


def _slim(protocol: Any) -> None:
    """Trim what uvicorn's protocol keeps per socket once the handshake is complete (issue
    17; a tracemalloc diff by line): its queue and `writable` event become an `Inbox` and a
    `Gate` (`server/live/lean.py`, ~4 KiB); the handshake's headers, which websockets'
    parser generator still holds through the request, and the ASGI scope are emptied
    (~3 KiB); its instance dict, grown past its needs, is copied to the size it needs.
    Called from the connection's only reader between two receives, so no reader waits on
    the old queue."""
    queue = protocol.queue
    if isinstance(queue, asyncio.Queue):
        inbox = Inbox()
        while not queue.empty():  # what arrived since the reader's last receive
            inbox.put_nowait(queue.get_nowait())
        protocol.queue = inbox
    writable = protocol.writable
    # Only while set: a sender waiting on a cleared event would never be woken by the gate.
    if isinstance(writable, asyncio.Event) and writable.is_set():
        protocol.writable = Gate(is_open=True)
    request = protocol.request
    if request is not None:
        request.headers.clear()
    # The request and response objects too: uvicorn reads them only before the accept.
    protocol.request = protocol.response = None
    scope = getattr(protocol, "scope", None)
    if scope is not None:
        # The endpoint read what it needs (headers, client, subprotocols) before it
        # accepted, and uvicorn reads the scope only to call the app (~1 KiB with its
        # headers, paths and nested dicts).
        scope.clear()
    # uvicorn sets 37 attributes, more than a key-sharing instance dict holds, and the
    # dict it grew into takes 1.5 KiB; a copy made once the last one is set fits in 0.8.
    protocol.__dict__ = dict(protocol.__dict__.items())
