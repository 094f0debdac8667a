"""One participant's connection: identity, limits and the admission of commands.

The receive side checks each frame (shape, role, size, rate) and appends commands to
the room's log; replies come when the room has folded the command's seq. The send side is
`server/live/outbound.py`: frames straight onto the transport when the socket can take
them, a queue and a writer only while it cannot, 4008 for a socket too far behind. The
room never waits for this socket; what stays here is leaving the room on a close.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from protocol.codec import Limits, decode_frame
from protocol.codes import CloseCode, ErrorCode, ProtocolError
from protocol.frames import Err, Frame, Pong
from protocol.messages import (
    Command,
    Join,
    Mutating,
    NotesSync,
    NotesUpdate,
    Ping,
    parse_command,
    refusal_for,
    required_roles,
)
from server.identity import Identity
from server.limits import Bucket, FloodWatch
from server.live.hub import Hub, RoomUnavailable
from server.live.outbound import Outbound
from server.live.room import Actor, LiveRoom
from server.live.wire import DirectLine
from server.logs import ROOM
from server.settings import Settings
from server.staff.keys import Grant
from server.tallies import COMMANDS, INVALID

log = logging.getLogger("workshop.connection")

NOBODY = Actor(pid="", name="", org="")  # a connection that has not joined yet
MAX_IN_FLIGHT = 64  # commands of one connection awaiting their reply
REPLAY_HEADROOM = 8  # send-queue slots a resume's replay leaves free for live frames
UNREACHABLE = "the room's log is unreachable; retry"


@functools.cache
def _limits(frame_limit: int) -> Limits:
    return Limits(frame=frame_limit, binary=frame_limit)


class Connection:
    """The server side of one connection."""

    # Slots: thousands of these live at once (issue 7 counts bytes per idle connection).
    __slots__ = (
        "__weakref__",
        "_bucket",
        "_flood",
        "_in_flight",
        "_join_deadline",
        "_out",
        "_room_for_more",
        "_staff",
        "_tasks",
        "actor",
        "hub",
        "identity",
        "ip",
        "limits",
        "room",
        "settings",
    )

    def __init__(
        self, send: Any, hub: Hub, identity: Identity, settings: Settings, ip: str
    ) -> None:
        self.hub = hub
        self.identity = identity
        self.settings = settings
        self.ip = ip
        self.limits = _limits(settings.frame_limit)
        self.actor = NOBODY  # who this is, once joined
        self.room: LiveRoom | None = None
        self._out = Outbound(
            send,
            DirectLine.open(send, hub.cork),
            settings.send_queue,
            byte_limit=settings.send_queue_bytes,
            owner=self,
            drop_grace=settings.drop_grace,
            send_timeout=settings.send_timeout,
        )
        self._bucket = Bucket(settings.command_rate, settings.command_burst)
        self._flood = FloodWatch(settings.flood_limit)
        self._in_flight = 0  # commands awaiting their reply
        self._room_for_more: asyncio.Future[None] | None = None  # receive() waits for one
        self._tasks: set[asyncio.Task[None]] | None = None
        self._staff: Grant | None = None  # the staff link this connection joined with
        self._join_deadline: asyncio.TimerHandle | None = None  # until the first join

    def expect_join(self, seconds: float) -> None:
        """Close with 1008 (policy) if still in no room `seconds` from now: a socket that
        never joins would hold a slot (and answer pings) forever. The timer goes at the
        first join, not with the socket: it would be kept per idle joined connection."""
        self._join_deadline = asyncio.get_running_loop().call_later(seconds, self._unless_joined)

    def _unless_joined(self) -> None:
        self._join_deadline = None
        if self.room is None:
            self.close(CloseCode.POLICY)

    def _stop_join_deadline(self) -> None:
        deadline = self._join_deadline
        if deadline is not None:
            self._join_deadline = None
            deadline.cancel()

    # -- sending -----------------------------------------------------------------------
    # The room calls `send` once per member in its fan-out loop. The hop into the outbound
    # costs ~35-50 ns a call over the send that was inline here (a micro-benchmark of
    # 1,000 members on a 2-core VM), against ~20 us for the transport write it leads to
    # (issue 7's profile). `outbound.send` bound in a slot would save most of that, but
    # costs a bound-method object per idle connection, and a second one for the close
    # callback the room's ignored return value would then need.

    def send(self, frame: bytes) -> None:
        """Write a frame now if the socket can take it, else queue it; a socket too far
        behind is closed with 4008 and leaves its room."""
        if self._out.send(frame):
            self._leave_soon()

    def send_batch(self, pairs: list[tuple[bytes, bytes]]) -> None:
        """The frames of several seqs of one loop step, as `(payload, framed)` pairs
        (`server/live/batch_fanout.py`), with `send`'s rules."""
        if self._out.send_batch(pairs):
            self._leave_soon()

    def reply(self, frame: Frame) -> None:
        self.send(frame.encode())

    def answer(self, kind: str, frame: Frame) -> None:
        """Reply to a command of type `kind`, counting its outcome (GET /metrics): the
        error code of an `err`, else `ok`."""
        COMMANDS.count(kind, frame.code if isinstance(frame, Err) else "ok")
        self.send(frame.encode())

    @property
    def queued(self) -> int:
        """Frames waiting in this socket's send queue (read by /metrics when scraped)."""
        return self._out.queued

    def replay_room(self) -> int:
        """How many frames a resume's replay may queue now: what the send queue can still
        take, less some headroom for live frames queued before the writer runs."""
        return self._out.free - REPLAY_HEADROOM

    def replay_bytes(self) -> int:
        """How many bytes of frames a resume's replay may queue now."""
        return self._out.free_bytes

    def fell_behind(self) -> None:
        """The outbound's stall timer closed this socket with 4008: leave the room."""
        self._leave_soon()

    def close(self, code: int) -> None:
        """Close after the queued frames, and leave the room."""
        if self._out.close(code):
            self._leave_soon()

    @property
    def closing(self) -> bool:
        """A close has begun (or the socket is gone): nothing more is sent or acted on."""
        return self._out.close_code is not None

    def _leave_soon(self) -> None:
        if self.room is not None:
            # Deferred: a close may run inside the room's fan-out loop over its members.
            asyncio.get_running_loop().call_soon(self.room.leave, self)

    async def finish(self) -> None:
        """The socket is gone or closing: give an owed close frame a moment, then stop."""
        await self._out.finish()

    # -- receiving ---------------------------------------------------------------------

    async def receive(self, data: bytes) -> None:
        """Admit one binary frame from the client: decode it, check it, hand it on."""
        if self.closing:
            # Closing (1003, 4008, 4029...): frames that were already on their way, or that
            # a client keeps sending before it answers the close, are not acted upon.
            return
        decoded: Any = None
        try:
            decoded = decode_frame(data, self.limits)
            command = parse_command(decoded)
        except ProtocolError as exc:
            # Counted by the type it names, if it names one (`invalid` otherwise).
            kind = decoded.get("t") if isinstance(decoded, dict) else None
            kind = kind if isinstance(kind, str) else INVALID
            if exc.close is not None:
                COMMANDS.count(kind, exc.code)
                self.close(exc.close)
            elif not (wait := self._bucket.take()):
                self.answer(kind, Err.of(exc))
            else:
                # A refused frame is metered like a command: a flood of undecodable frames
                # cost a reply each and was never cut off.
                self._limited(kind, exc.re, wait)
            return
        if isinstance(command, Ping):
            self.answer(command.T, Pong(command.id))
            return
        # A join counts against the connection's command rate too: each one builds a
        # snapshot or a replay, so unmetered joins were a cheap way to burn CPU.
        if not self._within_rate(command):
            return
        if isinstance(command, Join):
            await self._join(command)
            return
        room = self.room
        if room is None:
            self.answer(command.T, Err(command.id, ErrorCode.BAD_REQUEST, "join a room first"))
            return
        if isinstance(command, NotesSync):
            self.answer(command.T, room.sync_notes(command))
            return
        assert isinstance(command, Mutating)
        needed = required_roles(command.T)
        if needed and not needed.intersection(self.actor.roles):
            self.answer(command.T, Err(command.id, ErrorCode.FORBIDDEN, refusal_for(needed)))
            return
        if self._in_flight >= MAX_IN_FLIGHT:
            # Stop reading this socket's frames until one of its commands is answered.
            self._room_for_more = asyncio.get_running_loop().create_future()
            await self._room_for_more
        self._in_flight += 1
        if isinstance(command, NotesUpdate):
            # In order, one at a time: a client's later edit depends on its earlier one,
            # and the log's order is the order every process merges them in.
            await self._submit(room, command)
            return
        task = asyncio.get_running_loop().create_task(self._submit(room, command))
        if self._tasks is None:
            self._tasks = set()
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _within_rate(self, command: Command) -> bool:
        wait = self._bucket.take()
        if not wait and command.T in ("ask", "vote"):
            rates = self.hub.rates(self.actor.pid)
            wait = (rates.ask if command.T == "ask" else rates.vote).take()
        if not wait:
            # All identities of one address together: a new pid per connection would
            # escape the per-participant buckets (issue 12, item 7).
            wait = self.hub.addresses.command(command.T, self.ip)
        if not wait:
            return True
        self._limited(command.T, command.id, wait)
        return False

    def _limited(self, kind: str, re: int | None, wait: float) -> None:
        """Refuse a frame over the rate; past the flood limit, close with 4029."""
        refusal = Err(re, ErrorCode.RATE_LIMITED, "too many requests; slow down", round(wait, 2))
        self.answer(kind, refusal)
        if self._flood.hit():
            self.close(CloseCode.FLOODING)

    async def _submit(self, room: LiveRoom, command: Mutating) -> None:
        try:
            self.answer(command.T, await room.submit(self.actor, command))
        except Exception:
            log.exception("command %s failed", command.T)
            self.answer(command.T, Err(command.id, ErrorCode.INTERNAL, "internal error"))
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
        except RoomUnavailable:
            self.answer(cmd.T, Err(cmd.id, ErrorCode.UNAVAILABLE, UNREACHABLE))
            return
        if room is None:
            self.answer(cmd.T, Err(cmd.id, ErrorCode.NOT_FOUND, f"no room {cmd.room}"))
            return
        if not await room.confirm_life():  # never welcome with the state of a lost log
            self.answer(cmd.T, Err(cmd.id, ErrorCode.UNAVAILABLE, UNREACHABLE))
            return
        ROOM.set(room.code)  # this connection's log lines name its room (server/logs.py)
        admitted = await self.hub.staff.admit(cmd.key, room.event, room.code)
        roles = admitted.roles
        if cmd.key and not roles:
            log.info("a staff key was refused", extra={"event": "key.refused"})  # log_limit.py
            msg = "this link's key is not valid for this room"
            self.answer(cmd.T, Err(cmd.id, ErrorCode.UNAUTHORIZED, msg))
            return
        pid = self.identity.read_token(cmd.token) if cmd.token else None
        if pid is None:
            pid = self.actor.pid
        if not pid:
            # A new identity: minted at most so often per address, else every connection
            # could come with a fresh one and its own per-participant limits (issue 12,
            # item 7). Refused like any rate: the client retries after `retry_after`.
            wait = self.hub.addresses.new_identity(self.ip)
            if wait:
                self._limited(cmd.T, cmd.id, wait)
                return
            pid = self.identity.new_pid()
        if self.room is not None:
            self.room.leave(self)
        self._hold(admitted.grant)
        org_id = room.registry.resolve(cmd.org_id, cmd.org)
        org = cmd.org or (room.registry.name(org_id, cmd.lang) if org_id else "")
        self.actor = Actor(pid, cmd.name, org, tuple(roles), screen=cmd.screen, org_id=org_id)
        self.room = room
        self._stop_join_deadline()
        COMMANDS.count(cmd.T, "ok")  # the welcome is the join's reply
        room.welcome(self, cmd, self.identity.issue_token(pid))

    def _hold(self, grant: Grant | None) -> None:
        """Be closed if the staff link this connection joined with is revoked."""
        desks = self.hub.staff.desks
        if self._staff is not None:
            desks.release(self._staff.event_id, self._staff.kid, self)
        self._staff = grant
        if grant is not None:
            desks.hold(grant.event_id, grant.kid, self)

    def disconnected(self) -> None:
        """The socket is gone: leave the room and drop what was queued for it."""
        self._stop_join_deadline()
        self._hold(None)
        if self.room is not None:
            self.room.leave(self)
        self._out.disconnected()
