"""One WebSocket connection: identity, role, rate limits and a bounded send queue.

The receive side checks each frame (shape, role, size, rate) and appends commands to
the room's log; replies come when the room has folded the command's seq. The send side
writes a frame straight onto the transport when the socket can take it at once
(`server/live/wire.py`); otherwise it queues the frame, and a writer task, started only then,
drains the queue through the ASGI `send`. The room never waits for this socket, and a
socket that falls `send_queue` frames behind is closed with 4008 (it resumes).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import deque
from typing import Any

import msgpack

from protocol.codec import Limits, decode_frame
from protocol.codes import CloseCode, ErrorCode, ProtocolError
from protocol.messages import Join, NotesSync, NotesUpdate, parse_command
from server.backends.base import BackendUnavailable
from server.identity import Identity
from server.limits import Bucket, FloodWatch
from server.live.hub import Hub
from server.live.room import LiveRoom
from server.live.wire import DirectLine
from server.rooms import Viewer
from server.rooms.fold import HANDLERS, MODERATOR_ONLY
from server.settings import Settings

log = logging.getLogger("workshop.session")

OUTCOME_TIMEOUT = 30.0  # seconds to wait for our own appended seq to be folded
MAX_IN_FLIGHT = 64  # commands of one connection awaiting their reply
EMPTY_UPDATES = (b"", b"\x00\x00")  # a Yjs v1 update with no structs and no deletions
REPLAY_HEADROOM = 8  # send-queue slots a resume's replay leaves free for live frames
STALL_SECONDS = 2.0  # a full queue that took no frame for this long is closed with 4008
HARD_QUEUE_FACTOR = 4  # ...and one this many times over the limit is closed at once


@functools.cache
def _limits(frame_limit: int) -> Limits:
    return Limits(frame=frame_limit, binary=frame_limit)


def _pack(frame: dict[str, Any]) -> bytes:
    return msgpack.packb(frame, use_bin_type=True)


def _expire(waiting: asyncio.Future[Any]) -> None:
    if not waiting.done():
        waiting.set_exception(TimeoutError())


class Connection:
    """The server side of one connection."""

    # Slots: thousands of these live at once (issue 7 counts bytes per idle connection).
    __slots__ = (
        "__weakref__",
        "_asgi_send",
        "_bucket",
        "_close_code",
        "_close_due",
        "_flood",
        "_in_flight",
        "_line",
        "_progress",
        "_queue",
        "_room_for_more",
        "_tasks",
        "_writer",
        "hub",
        "identity",
        "ip",
        "limits",
        "name",
        "org",
        "roles",
        "room",
        "settings",
        "viewer",
    )

    def __init__(
        self, send: Any, hub: Hub, identity: Identity, settings: Settings, ip: str
    ) -> None:
        self._asgi_send = send
        self.hub = hub
        self.identity = identity
        self.settings = settings
        self.ip = ip
        self.limits = _limits(settings.frame_limit)
        self.viewer = Viewer(pid="")
        self.org = ""
        self.name = ""
        self.roles: list[str] = []
        self.room: LiveRoom | None = None
        self._queue: deque[bytes] | None = None  # frames waiting, while a writer runs
        self._line = DirectLine.open(send, hub.cork)
        self._writer: asyncio.Task[None] | None = None  # only while frames wait
        self._close_code: int | None = None
        self._close_due = False  # a close frame is owed to the client
        self._progress = time.monotonic()  # when the writer last took a frame
        self._bucket = Bucket(settings.command_rate, settings.command_burst)
        self._flood = FloodWatch(settings.flood_limit)
        self._in_flight = 0  # commands awaiting their reply
        self._room_for_more: asyncio.Future[None] | None = None  # receive() waits for one
        self._tasks: set[asyncio.Task[None]] | None = None

    # -- sending -----------------------------------------------------------------------

    def send(self, frame: bytes) -> None:
        """Write a frame now if the socket can take it, else queue it for the writer;
        close with 4008 if this socket is too far behind."""
        if self._close_code is not None:
            return
        queue = self._queue
        if queue is None:
            line = self._line
            if line is not None and line.write(frame):
                return
            self._progress = time.monotonic()  # the writer starts for this one
            self._start_writer(deque((frame,)))
            return
        if len(queue) >= self.settings.send_queue and self._stalled():
            self.close(CloseCode.TOO_SLOW, drop_queued=True)
            return
        queue.append(frame)

    def _stalled(self) -> bool:
        """Over the queue limit: a burst the writer is still draining is fine (a batch of
        records is queued in one go, before the writer runs); a socket that has taken no
        frame for `STALL_SECONDS`, or is far over the limit, is too slow."""
        assert self._queue is not None
        return (
            len(self._queue) >= self.settings.send_queue * HARD_QUEUE_FACTOR
            or time.monotonic() - self._progress > STALL_SECONDS
        )

    def reply(self, frame: dict[str, Any]) -> None:
        self.send(_pack(frame))

    def close(self, code: int, *, drop_queued: bool = False) -> None:
        """Close after the queued frames (or at once, dropping them)."""
        if self._close_code is not None:
            return
        self._close_code = code
        self._close_due = True
        if self._queue is None:
            self._start_writer(deque())
        elif drop_queued:
            self._queue.clear()
        if self.room is not None:
            # Deferred: close() may run inside the room's fan-out loop over its members.
            asyncio.get_running_loop().call_soon(self.room.leave, self)

    def _start_writer(self, queue: deque[bytes]) -> None:
        self._queue = queue
        self._writer = asyncio.get_running_loop().create_task(self._write_queued(queue))

    async def _write_queued(self, queue: deque[bytes]) -> None:
        """Drain the queue through the ASGI `send` (which waits while the transport is
        paused), then send the close frame if one is due; then stop, so that an idle
        socket has neither task nor queue and later frames are written directly again."""
        send = self._asgi_send
        try:
            while queue:
                await send({"type": "websocket.send", "bytes": queue.popleft()})
                self._progress = time.monotonic()
            if self._close_due:
                self._close_due = False
                await send({"type": "websocket.close", "code": self._close_code})
        except (OSError, RuntimeError, asyncio.CancelledError):
            queue.clear()
        except Exception as exc:  # uvicorn's ClientDisconnected and the like
            log.debug("writer ended: %r", exc)
            queue.clear()
        finally:
            self._writer = None
            self._queue = None

    async def finish(self) -> None:
        """The socket is gone or closing: give a due close frame a moment, then stop."""
        writer = self._writer
        if writer is not None and self._close_due:
            # Let the writer send the close frame it owes (1011, 1003...), briefly.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(writer), 1.0)
        writer = self._writer
        if writer is not None:
            writer.cancel()

    # -- receiving ---------------------------------------------------------------------

    async def receive(self, data: bytes) -> None:
        """Handle one binary frame from the client."""
        if self._close_code is not None:
            # Closing (1003, 4008, 4029...): frames that were already on their way, or that
            # a client keeps sending before it answers the close, are not acted upon.
            return
        try:
            frame = decode_frame(data, self.limits)
            command = parse_command(frame)
        except ProtocolError as exc:
            if exc.close is not None:
                self.close(exc.close)
            else:
                self.reply(exc.reply())
            return
        if isinstance(command, Join):
            # A join counts against the connection's command rate too: each one builds a
            # snapshot or a replay, so unmetered joins were a cheap way to burn CPU.
            if self._within_rate(command):
                await self._join(command)
            return
        if command.T == "ping":
            self.reply({"t": "pong", "re": command.id})
            return
        if self.room is None:
            self._err(command.id, ErrorCode.BAD_REQUEST, "join a room first")
            return
        if isinstance(command, NotesSync):
            if self._within_rate(command):
                self._notes_sync(self.room, command)
            return
        if isinstance(command, NotesUpdate) and command.u in EMPTY_UPDATES:
            self.reply({"t": "ok", "re": command.id, "seq": None})  # acknowledged, not logged
            return
        if not self._within_rate(command):
            return
        if command.T not in HANDLERS:
            self._err(command.id, ErrorCode.UNKNOWN_TYPE, f"{command.T} is not available yet")
            return
        if command.T in MODERATOR_ONLY and not self.viewer.moderator:
            self._err(command.id, ErrorCode.FORBIDDEN, "only moderators can do this")
            return
        if self._in_flight >= MAX_IN_FLIGHT:
            # Stop reading this socket's frames until one of its commands is answered.
            self._room_for_more = asyncio.get_running_loop().create_future()
            await self._room_for_more
        self._in_flight += 1
        if isinstance(command, NotesUpdate):
            # In order, one at a time: a client's later edit depends on its earlier one,
            # and the log's order is the order every process merges them in.
            await self._submit(self.room, command)
            return
        task = asyncio.get_running_loop().create_task(self._submit(self.room, command))
        if self._tasks is None:
            self._tasks = set()
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _notes_sync(self, room: LiveRoom, command: NotesSync) -> None:
        """Reply with what the client lacks and the server's state vector, as of the
        room's current seq (no await: nothing is folded in between)."""
        notes = room.state.notes
        try:
            missing = notes.missing(command.sv)
        except ValueError:
            self._err(command.id, ErrorCode.BAD_REQUEST, "sv is not a Yjs state vector")
            return
        self.reply(
            {
                "t": "ok",
                "re": command.id,
                "u": missing,
                "sv": notes.state_vector(),
                "seq": room.state.seq,
            }
        )

    def _err(self, re: int | None, code: ErrorCode, msg: str, **extra: Any) -> None:
        self.reply({"t": "err", "re": re, "code": str(code), "msg": msg, **extra})

    def _within_rate(self, command: Any) -> bool:
        wait = self._bucket.take()
        if not wait and command.T in ("ask", "vote"):
            rates = self.hub.rates(self.viewer.pid)
            wait = (rates.ask if command.T == "ask" else rates.vote).take()
        if not wait:
            return True
        self._err(
            command.id,
            ErrorCode.RATE_LIMITED,
            "too many requests; slow down",
            retry_after=round(wait, 2),
        )
        if self._flood.hit():
            self.close(CloseCode.FLOODING)
        return False

    async def _submit(self, room: LiveRoom, command: Any) -> None:
        try:
            actor = {
                "pid": self.viewer.pid,
                "name": self.name,
                "org": self.org,
                "roles": self.roles,
            }
            try:
                appended = await room.backend.append(
                    room.code, command.T, command.data(), actor, command.cid
                )
            except BackendUnavailable:
                self._err(command.id, ErrorCode.UNAVAILABLE, "the room's log is unreachable; retry")
                return
            waiting = room.outcome(appended.seq, appended.epoch)
            # A timer rather than asyncio.wait_for, which wraps the wait in a task of its
            # own: per command, that was a tenth of the server's CPU (issue 7's profile).
            deadline = asyncio.get_running_loop().call_later(OUTCOME_TIMEOUT, _expire, waiting)
            try:
                outcome = await waiting
            except TimeoutError:
                # The event is in the log; only its outcome is late. Say so honestly.
                self.reply({"t": "ok", "re": command.id, "seq": appended.seq, "pending": True})
                return
            finally:
                deadline.cancel()
            if outcome is None:
                self.reply({"t": "ok", "re": command.id, "seq": appended.seq, "duplicate": True})
            else:
                self.reply(outcome.reply(command.id, appended.seq))
        except Exception:
            log.exception("command %s failed", command.T)
            self._err(command.id, ErrorCode.INTERNAL, "internal error")
        finally:
            self._in_flight -= 1
            waiting = self._room_for_more
            if waiting is not None:
                self._room_for_more = None
                if not waiting.done():
                    waiting.set_result(None)

    async def _join(self, cmd: Join) -> None:
        try:
            room = await self.hub.room(cmd.room)
        except BackendUnavailable:
            self._err(cmd.id, ErrorCode.UNAVAILABLE, "the room's log is unreachable; retry")
            return
        if room is None:
            self._err(cmd.id, ErrorCode.NOT_FOUND, f"no room {cmd.room}")
            return
        roles = self.identity.roles_for(cmd.key, room.event.event_id)
        if cmd.key and not roles:
            self._err(cmd.id, ErrorCode.UNAUTHORIZED, "this link's key is not valid for this room")
            return
        pid = self.identity.read_token(cmd.token) if cmd.token else None
        if pid is None:
            pid = self.viewer.pid or self.identity.new_pid()
        if self.room is not None:
            self.room.leave(self)
        self.viewer = Viewer(pid=pid, staff=bool(roles), moderator="moderator" in roles)
        self.name, self.org, self.roles = cmd.name, cmd.org, roles
        self.room = room
        # No await from here on: the member gets the state as of `seq` and every later
        # record, with nothing folded in between.
        self.reply(
            {
                "t": "ok",
                "re": cmd.id,
                "me": {
                    "pid": pid,
                    "name": cmd.name,
                    "org": cmd.org,
                    "roles": ["participant", *roles],
                },
                "token": self.identity.issue_token(pid),
                "room": {
                    "code": room.code,
                    "title": room.info.title,
                    "event": {
                        "id": room.event.event_id,
                        "title": room.event.title,
                        "timezones": list(room.event.timezones),
                        "languages": list(room.event.languages),
                    },
                    "state": room.state.state,
                    "settings": dict(room.state.settings),
                },
                "seq": room.state.seq,
                "epoch": room.epoch,
            }
        )
        # Replay only what fits in the send queue (less some headroom for live frames
        # that may be queued before the writer runs); a longer resume gets a snapshot
        # rather than a 4008 close it could never get past.
        room_left = self.settings.send_queue - len(self._queue or ()) - REPLAY_HEADROOM
        for frame in room.join(self, cmd.since, cmd.epoch, max_replay=room_left):
            self.send(frame)

    def disconnected(self) -> None:
        """The socket is gone: leave the room and drop what was queued for it."""
        if self.room is not None:
            self.room.leave(self)
        if self._close_code is None:
            self._close_code = CloseCode.GOING_AWAY
        if self._queue is not None:
            self._queue.clear()
