"""An asyncio client for workshop rooms: for bots, scripts, tests and benchmarks.

One connection at a time, joined to one room (PROTOCOL.md). The client keeps what
it needs to resume: the identity token, the last applied `seq` and its `epoch`.
When the connection drops it reconnects with jittered backoff, rejoins with
`since`/`epoch`, and sends again every command still waiting for its reply, with
the same `cid`, so the server applies each one at most once.

    async with RoomClient("ws://localhost:8000/ws", "SUB-PLAN", name="Aiko") as room:
        reply = await room.ask("How are shelters chosen?")
        async for frame in room.events():
            ...
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Iterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.client import process_exception
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin, Subprotocol

from client.commands import RoomCommands
from client.errors import CommandError, Disconnected, _ConnectionLost
from client.replies import OnReply, Reply, Waiting, no_hook
from client.resume import RESUME_CODES, Feed, Sequencer, Verdict, backoff
from protocol import SUBPROTOCOL
from protocol.codec import Limits, decode_frame, encode_frame
from protocol.codes import ErrorCode, ProtocolError
from protocol.frames import Err, Ev, Ok, Pong, Snapshot, Welcome, read_frame
from protocol.messages import MUTATING

logger = logging.getLogger(__name__)

MAX_SIZE = 16 * 2**20  # server frames (a snapshot of a big room) may be large
# Server frames are trusted more than client commands: only the shape rules apply.
SERVER_LIMITS = Limits(
    frame=MAX_SIZE, string=MAX_SIZE, binary=MAX_SIZE, array=2**20, map=2**20, depth=32
)


class RoomClient(RoomCommands):
    """A participant (or moderator, with `key`) in one room, over one WebSocket at a time.

    `inbox` bounds each of `events()`, `frames()` and the raw frames (`keep_raw`): a
    reader that falls further behind loses the oldest, counted in `Feed.dropped`.
    The resume state (`seq`) follows what arrived, not what was read.
    """

    def __init__(
        self,
        url: str,
        room: str,
        *,
        name: str,
        org: str = "",
        lang: str = "en",
        token: str | None = None,
        key: str | None = None,
        origin: str | None = None,
        auto_reconnect: bool = True,
        max_size: int = MAX_SIZE,
        request_timeout: float | None = 30.0,
        inbox: int = 1024,
        keep_raw: bool = False,
        screen: bool = False,
        org_id: str | None = None,
    ) -> None:
        self.url = url
        self.org_id = org_id  # a registry id of the event's organisations (issue 14)
        self.screen = screen  # a projector: joins with `screen: true`, not counted in presence
        self.code = room.strip().upper()
        self.name, self.org, self.lang = name, org, lang
        self.token, self.key, self.origin = token, key, origin
        self.auto_reconnect = auto_reconnect
        self.max_size = max_size
        self.request_timeout = request_timeout
        self.me: dict[str, Any] | None = None  # {pid, name, org, roles} from the join reply
        self.room: dict[str, Any] | None = None  # {code, title, event, state, settings}
        self.snapshot: dict[str, Any] | None = None  # the state of the latest snapshot frame
        self.sequencer = Sequencer()
        self.reconnects = 0
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._ids = itertools.count(1)
        self._pending = Waiting()
        self._tasks: set[asyncio.Future[Any]] = set()
        self._ready = asyncio.Event()  # set while joined, and once stopped (see _error)
        self._error: Disconnected | None = None
        self._resyncing = False
        self._force_reconnect = False
        self._events: Feed[dict[str, Any]] = Feed(inbox)
        self._frames: Feed[dict[str, Any]] = Feed(inbox)
        self._raw: Feed[bytes | str] | None = Feed(inbox) if keep_raw else None

    @property
    def seq(self) -> int | None:
        """The last applied seq, or None before the first snapshot of this epoch."""
        return self.sequencer.last

    @property
    def epoch(self) -> str | None:
        """The epoch of the room log that `seq` belongs to."""
        return self.sequencer.epoch

    @property
    def connected(self) -> bool:
        """True while joined over an open connection."""
        return self._ready.is_set() and self._error is None

    # -- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> RoomClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def connect(self) -> dict[str, Any]:
        """Connect and join; return the join reply. A first failure raises (no retry)."""
        if self._supervisor is not None or self._error is not None:
            raise RuntimeError("a RoomClient connects once")
        try:
            reply = await self._open()
        except _ConnectionLost:
            raise Disconnected("the connection dropped while joining") from None
        self._supervisor = asyncio.create_task(self._supervise(), name=f"room {self.code}")
        return reply

    async def close(self) -> None:
        """Close the connection; pending calls and iterators end with `Disconnected`."""
        self._stop(None)
        if self._supervisor is not None:  # it may be sleeping in backoff or mid-handshake
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def _stop(self, error: Disconnected | None) -> None:
        """Stop for good: wake every waiter; feeds end (normally when `error` is None)."""
        if self._error is not None:
            return
        self._error = error or Disconnected("closed by the client")
        self._ready.set()
        for feed in (self._events, self._frames, self._raw):
            if feed is not None:
                feed.end(error)

    async def _open(self) -> dict[str, Any]:
        """One connection: handshake, reader task, join. Raises when any step fails."""
        ws = await connect(
            self.url,
            subprotocols=[Subprotocol(SUBPROTOCOL)],
            compression=None,
            max_size=self.max_size,
            origin=Origin(self.origin) if self.origin else None,
        )
        if ws.subprotocol != SUBPROTOCOL:
            await ws.close()
            raise Disconnected(f"the server did not select {SUBPROTOCOL}")
        self._ws = ws
        self._reader = asyncio.create_task(self._read(ws))
        try:
            async with asyncio.timeout(self.request_timeout):
                reply = await self._exchange(ws, self._join_frame(), self._joined)
            if isinstance(reply.frame, Err):
                raise CommandError.of(reply.frame, reply.wire)
        except BaseException:
            await ws.close()
            await asyncio.gather(self._reader, return_exceptions=True)
            raise
        self._ready.set()
        return reply.wire

    async def _supervise(self) -> None:
        """Wait for each connection to end; reconnect and rejoin, or stop."""
        delays = backoff()
        try:
            while True:
                ws, reader, since = self._ws, self._reader, asyncio.get_running_loop().time()
                assert ws is not None and reader is not None
                await reader
                await ws.wait_closed()
                code = ws.close_code
                if self._error is not None:
                    return
                resume = code is None or code in RESUME_CODES
                if not (self.auto_reconnect and (resume or self._force_reconnect)):
                    reason = f"closed by the server: {ws.close_reason or ''}"
                    self._stop(Disconnected(reason, code))
                    return
                logger.info("room %s: connection closed (%s), reconnecting", self.code, code)
                self._force_reconnect = False
                if asyncio.get_running_loop().time() - since > 20.0:
                    delays = backoff()  # a connection that lasted starts the backoff afresh
                await self._reconnect(delays)
        except Exception:  # never leave callers waiting on a client nobody drives
            logger.exception("room %s: supervisor failed", self.code)
            self._stop(Disconnected("the client failed; see the log"))

    async def _reconnect(self, delays: Iterator[float]) -> None:
        """Try again after each delay until joined, or stop when refused for good."""
        for delay in delays:
            await asyncio.sleep(delay)
            try:
                await self._open()
            except CommandError as exc:
                if exc.retryable:
                    continue
                self._stop(Disconnected(f"rejoin refused: {exc.code}: {exc.msg}"))
            except Disconnected as exc:
                self._stop(exc)
            except (_ConnectionLost, ConnectionClosed):
                continue
            except Exception as exc:  # the handshake failed: retry what may be transient
                too_many = isinstance(exc, InvalidStatus) and exc.response.status_code == 429
                if too_many or process_exception(exc) is None:
                    continue
                self._stop(Disconnected(f"reconnect refused: {exc}"))
            else:
                self.reconnects += 1
            return

    # -- frames in --------------------------------------------------------------------------

    async def _read(self, ws: ClientConnection) -> None:
        """Read every frame of one connection; fail its pending requests when it ends."""
        try:
            async for message in ws:
                if self._raw is not None:
                    self._raw.put(message)
                if isinstance(message, str):
                    continue  # the server sends binary frames only
                try:
                    frame = decode_frame(message, SERVER_LIMITS)
                except ProtocolError:
                    logger.warning("room %s: undecodable frame from the server", self.code)
                    continue
                if self._dispatch(frame):
                    await self._resync(ws)
        except ConnectionClosed:
            pass
        except Exception:  # a bug here must not leave a connection nobody reads
            logger.exception("room %s: reader failed", self.code)
            self._stop(Disconnected("the client's reader failed"))
            await ws.close()
        finally:
            if self._error is None:
                self._ready.clear()
            self._pending.fail_all(_ConnectionLost)

    def _dispatch(self, wire: dict[str, Any]) -> bool:
        """Route one frame, read by protocol.frames; True when a gap calls for a rejoin
        with since=last. Frames of types this version does not know go to `frames()`."""
        try:
            frame = read_frame(wire)
        except ProtocolError as exc:
            logger.warning("room %s: %s", self.code, exc.msg)
            if wire.get("t") in ("ok", "err", "pong"):
                self._pending.refuse(wire.get("re"), exc)  # its caller hears, not a timeout
            return False
        if isinstance(frame, Ok | Err | Pong) and self._pending.answer(Reply(frame, wire)):
            return False
        if isinstance(frame, Ev):
            verdict = self.sequencer.offer(frame.seq)
            if verdict is Verdict.APPLY:
                self._events.put(wire)
            elif verdict is Verdict.GAP and not self._resyncing:
                self._resyncing = True
                return True
        elif isinstance(frame, Snapshot):
            if frame.epoch is not None:
                self.sequencer.joined(frame.epoch)  # a live epoch change comes this way
            self.sequencer.snapshot(frame.seq)
            self.snapshot = wire["state"]
            self._events.put(wire)
        else:
            self._frames.put(wire)
        return False

    def _joined(self, reply: Ok | Err | Pong | None) -> None:
        """Keep what a join reply tells; runs in the reader, before any later frame.

        Raises `ProtocolError` when the reply is neither an `err` nor a join's `ok`.
        """
        if isinstance(reply, Err):
            return
        if not isinstance(reply, Ok):
            raise ProtocolError(ErrorCode.BAD_FRAME, "a join is answered by ok or err")
        welcome = Welcome.from_ok(reply)
        self.token = welcome.token or self.token
        self.me = dict(welcome.me)
        self.room = dict(welcome.room)
        self.sequencer.joined(welcome.epoch)
        self._resyncing = False

    async def _resync(self, ws: ClientConnection) -> None:
        """Rejoin on this connection with since=last; the server replays what is missing.

        Events that arrive before its reply are dropped: the replay covers them.
        """

        def resynced(reply: Ok | Err | Pong | None) -> None:
            try:
                self._joined(reply)
                joined = isinstance(reply, Ok)
            except ProtocolError:
                joined = False
            if not joined:  # fall back to a fresh connection
                self._force_reconnect = True
                task = asyncio.ensure_future(ws.close())
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

        rid = next(self._ids)
        self._pending.add(rid, None, resynced)
        with contextlib.suppress(ConnectionClosed):
            await ws.send(encode_frame({**self._join_frame(), "id": rid}))

    def _join_frame(self) -> dict[str, Any]:
        resume = self.sequencer.last is not None
        return {
            "t": "join",
            "room": self.code,
            "name": self.name,
            "org": self.org,
            "lang": self.lang,
            "token": self.token,
            "key": self.key,
            "since": self.sequencer.last,
            "epoch": self.sequencer.epoch if resume else None,
            **({"screen": True} if self.screen else {}),
            **({"org_id": self.org_id} if self.org_id else {}),
        }

    # -- requests ---------------------------------------------------------------------------

    async def _wait_ready(self) -> ClientConnection:
        while True:
            if self._error is not None:
                raise Disconnected(self._error.reason, self._error.code)
            if self._ready.is_set() and self._ws is not None:
                return self._ws
            await self._ready.wait()

    async def _exchange(
        self, ws: ClientConnection, frame: dict[str, Any], on_reply: OnReply = no_hook
    ) -> Reply:
        """Send `frame` with a fresh id on `ws` and wait for the reply to that id."""
        rid = next(self._ids)
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending.add(rid, future, on_reply)
        try:
            try:
                await ws.send(encode_frame({**frame, "id": rid}))
            except ConnectionClosed:
                if self._ws is ws and self._error is None:
                    self._ready.clear()
                raise _ConnectionLost() from None
            return await future
        finally:
            self._pending.discard(rid)

    async def request(self, frame: dict[str, Any]) -> dict[str, Any]:
        """Send one frame (its `id` is set here) and return the reply: `ok`, `err` or `pong`.

        If the connection drops before the reply, the same frame (same `cid`) goes
        again after the reconnect and rejoin. Raises `TimeoutError` after
        `request_timeout` seconds in all, `Disconnected` once the client has stopped, and
        `ProtocolError` when the reply does not read as its frame type (protocol.frames).
        """
        return (await self._request(frame)).wire

    async def _request(self, frame: dict[str, Any]) -> Reply:
        async with asyncio.timeout(self.request_timeout):
            while True:
                ws = await self._wait_ready()
                try:
                    return await self._exchange(ws, frame)
                except _ConnectionLost:
                    continue

    async def command(self, t: str, **fields: Any) -> dict[str, Any]:
        """Send command `t`, return its reply, raise `CommandError` for an `err`.

        A command that changes the room gets its `cid` here, once: a resend reuses it.
        """
        frame: dict[str, Any] = {"t": t, **fields}
        if t in MUTATING:
            frame["cid"] = uuid.uuid4().hex
        reply = await self._request(frame)
        if isinstance(reply.frame, Err):
            raise CommandError.of(reply.frame, reply.wire)
        return reply.wire

    async def send_raw(self, data: bytes | str) -> None:
        """Send one frame as is (a str goes as a text frame): for tests of bad input."""
        ws = await self._wait_ready()
        await ws.send(data)

    async def recv_raw(self) -> bytes | str:
        """The next frame received, undecoded (needs `keep_raw=True`)."""
        if self._raw is None:
            raise RuntimeError("construct the RoomClient with keep_raw=True")
        return await self._raw.get()

    def events(self) -> Feed[dict[str, Any]]:
        """The room's history in seq order: `snapshot` frames (start over from this state)
        and `ev` frames, each seq exactly once, across reconnects."""
        return self._events

    def frames(self) -> Feed[dict[str, Any]]:
        """Every other frame: presence, queue, poll.results, replies nobody waits for."""
        return self._frames

    # -- commands (PROTOCOL.md, "Commands") -------------------------------------------------
