"""One WebSocket connection: identity, role, rate limits and a bounded send queue.

The receive side checks each frame (shape, role, size, rate) and appends commands to
the room's log; replies come when the room has folded the command's seq. The send side
is a bounded queue drained by one writer task: the room never waits for this socket,
and a socket that falls `send_queue` frames behind is closed with 4008 (it resumes).
"""

from __future__ import annotations

import asyncio
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
from server.hub import Hub
from server.identity import Identity
from server.limits import Bucket, FloodWatch
from server.live_room import LiveRoom
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


class Session:
    """The server side of one connection."""

    # Slots: thousands of these live at once (issue 7 counts bytes per idle connection).
    __slots__ = (
        "__weakref__",
        "_asgi_send",
        "_bucket",
        "_close_code",
        "_flood",
        "_in_flight",
        "_progress",
        "_queue",
        "_tasks",
        "_wake",
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
        self._queue: deque[bytes] = deque()
        self._wake = asyncio.Event()
        self._close_code: int | None = None
        self._progress = time.monotonic()  # when the writer last took a frame
        self._bucket = Bucket(settings.command_rate, settings.command_burst)
        self._flood = FloodWatch(settings.flood_limit)
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._tasks: set[asyncio.Task[None]] = set()

    # -- sending -----------------------------------------------------------------------

    def send(self, frame: bytes) -> None:
        """Queue a frame; close with 4008 if this socket is too far behind."""
        if self._close_code is not None:
            return
        queue = self._queue
        if len(queue) >= self.settings.send_queue and self._stalled():
            self.close(CloseCode.TOO_SLOW, drop_queued=True)
            return
        if not queue:
            self._progress = time.monotonic()  # the writer wakes up for this one
        queue.append(frame)
        self._wake.set()

    def _stalled(self) -> bool:
        """Over the queue limit: a burst the writer is still draining is fine (a batch of
        records is queued in one go, before the writer runs); a socket that has taken no
        frame for `STALL_SECONDS`, or is far over the limit, is too slow."""
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
        if drop_queued:
            self._queue.clear()
        if self.room is not None:
            # Deferred: close() may run inside the room's fan-out loop over its members.
            asyncio.get_running_loop().call_soon(self.room.leave, self)
        self._wake.set()

    async def write_loop(self) -> None:
        """Drain the queue onto the socket; then send the close frame if one is due."""
        queue, send = self._queue, self._asgi_send
        try:
            while True:
                if queue:
                    await send({"type": "websocket.send", "bytes": queue.popleft()})
                    self._progress = time.monotonic()
                    continue
                if self._close_code is not None:
                    await send({"type": "websocket.close", "code": self._close_code})
                    return
                self._wake.clear()
                await self._wake.wait()
        except (OSError, RuntimeError, asyncio.CancelledError):
            return
        except Exception as exc:  # uvicorn's ClientDisconnected and the like
            log.debug("writer ended: %r", exc)

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
        await self._in_flight.acquire()
        if isinstance(command, NotesUpdate):
            # In order, one at a time: a client's later edit depends on its earlier one,
            # and the log's order is the order every process merges them in.
            await self._submit(self.room, command)
            return
        task = asyncio.get_running_loop().create_task(self._submit(self.room, command))
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
            try:
                waiting = room.outcome(appended.seq, appended.epoch)
                outcome = await asyncio.wait_for(waiting, OUTCOME_TIMEOUT)
            except TimeoutError:
                # The event is in the log; only its outcome is late. Say so honestly.
                self.reply({"t": "ok", "re": command.id, "seq": appended.seq, "pending": True})
                return
            if outcome is None:
                self.reply({"t": "ok", "re": command.id, "seq": appended.seq, "duplicate": True})
            else:
                self.reply(outcome.reply(command.id, appended.seq))
        except Exception:
            log.exception("command %s failed", command.T)
            self._err(command.id, ErrorCode.INTERNAL, "internal error")
        finally:
            self._in_flight.release()

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
        room_left = self.settings.send_queue - len(self._queue) - REPLAY_HEADROOM
        for frame in room.join(self, cmd.since, cmd.epoch, max_replay=room_left):
            self.send(frame)

    @property
    def closing(self) -> bool:
        """True once a close frame is due (the server decided to close)."""
        return self._close_code is not None

    def disconnected(self) -> None:
        """The socket is gone: leave the room and stop the writer."""
        if self.room is not None:
            self.room.leave(self)
        if self._close_code is None:
            self._close_code = CloseCode.GOING_AWAY
        self._queue.clear()
        self._wake.set()
