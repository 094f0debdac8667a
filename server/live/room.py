"""A room that is hot on this process: its folded state, its local members, its fan-out.

Records arrive from the backend in seq order (`_on_live`); each is folded once, its
outcome answers the command's sender, and its event is encoded once per audience and
queued on every local member's socket (DESIGN.md §4). A gap or a process that just
picked up the room is filled from the log (`_sync`) before anything live is applied.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from typing import Any, Protocol

import msgpack

from server.backends.base import Backend, EventInfo, Record, RoomInfo
from server.live.signals import RoomSignals
from server.rooms import Event, Outcome, RoomState, Viewer, apply

log = logging.getLogger("workshop.room")

OUTCOME_MEMORY = 10_000  # replies remembered per room for retried (pid, cid) pairs


def _pack(frame: dict[str, Any]) -> bytes:
    return msgpack.packb(frame, use_bin_type=True)


class Member(Protocol):
    """One connection in a room, as the room sees it."""

    viewer: Viewer
    org: str

    def send(self, frame: bytes) -> None:
        """Queue a frame without waiting; a member that cannot keep up closes itself."""


class LiveRoom:
    """One room's state and local members on this process."""

    def __init__(
        self,
        info: RoomInfo,
        event: EventInfo,
        backend: Backend,
        *,
        replay_limit: int = 1000,
        snapshot_every: int = 500,
        process_id: str = "",
    ) -> None:
        self.info = info
        self.event = event
        self.code = info.code
        self.backend = backend
        self.state = RoomState()
        self.epoch = ""
        self.members: set[Member] = set()
        self.process_id = process_id
        self._snapshot_every = snapshot_every
        self._recent: deque[tuple[int, float, Event | None]] = deque(maxlen=replay_limit)
        self._outcomes: OrderedDict[int, Outcome] = OrderedDict()
        self._waiters: dict[int, list[asyncio.Future[Outcome | None]]] = {}
        self._buffer: list[tuple[Record, str]] | None = []  # not None while catching up
        self._sync_task: asyncio.Task[None] | None = None
        self._catching = False
        self._resnapshot = False  # the log was lost: members need a snapshot, not events
        self._snapshot_seq = 0
        self._snapshot_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.signals = RoomSignals(self)

    # -- loading and catching up -------------------------------------------------------

    async def load(self) -> None:
        """Subscribe, then rebuild state from the latest snapshot and the log's tail."""
        self.backend.subscribe(self.code, self._on_live)
        snap = await self.backend.load_snapshot(self.code)
        if snap is not None:
            self._snapshot_seq = snap[0]
            self.state = RoomState.from_snapshot(msgpack.unpackb(snap[1], raw=False))
            self.signals.reset()
        _, self.epoch = await self.backend.head(self.code)
        await self._catch_up()
        self.spawn(self.signals.heartbeat())

    async def close(self) -> None:
        self.backend.unsubscribe(self.code, self._on_live)
        self.signals.close()
        for task in list(self._tasks):
            task.cancel()

    async def _catch_up(self) -> None:
        """Fold everything the log has past our seq, then whatever arrived meanwhile."""
        self._catching = True
        try:
            await self._catch_up_rounds()
        finally:
            self._catching = False

    async def _catch_up_rounds(self) -> None:
        while True:
            head, epoch = await self.backend.head(self.code)
            if epoch != self.epoch:
                self._reset(epoch)
            while self.state.seq < head:
                batch = await self.backend.read(self.code, self.state.seq + 1, head)
                if not batch:
                    break
                for rec in batch:
                    if rec.seq == self.state.seq + 1:
                        self._fold(rec)
            buffered, self._buffer = self._buffer or [], None
            for rec, rec_epoch in sorted(buffered, key=lambda item: item[0].seq):
                if rec_epoch == self.epoch:  # records of a lost log life are dropped
                    self._on_live(rec, rec_epoch)
            if self._buffer is None:
                if self._resnapshot:
                    self._resnapshot_members()
                return
            # _on_live found another gap and started buffering again: go round.

    def _on_live(self, rec: Record, epoch: str) -> None:
        """A record from the backend's live feed (called in seq order per publisher)."""
        if self._buffer is not None:
            self._buffer.append((rec, epoch))
            return
        if epoch != self.epoch:
            self._buffer = [(rec, epoch)]
            self._spawn_sync()
            return
        if rec.seq <= self.state.seq:
            return  # already folded (duplicate delivery)
        if rec.seq > self.state.seq + 1:
            self._buffer = [(rec, epoch)]  # a gap: fill it from the log first
            self._spawn_sync()
            return
        self._fold(rec)

    def _spawn_sync(self) -> None:
        if self._catching:
            return  # the running catch-up goes round again
        if self._sync_task is None or self._sync_task.done():
            self._sync_task = self.spawn(self._catch_up_logged())

    async def _catch_up_logged(self) -> None:
        try:
            await self._catch_up()
        except Exception:
            log.exception("room %s: catching up failed; retrying", self.code)
            await asyncio.sleep(0.5)
            self._buffer = self._buffer or []
            self._spawn_sync()

    def _reset(self, epoch: str) -> None:
        """The log's storage lost data: start over from the new log and resend snapshots."""
        had_epoch = bool(self.epoch)
        self.epoch = epoch
        if not had_epoch:
            return
        log.warning("room %s: log epoch changed; rebuilding state", self.code)
        self.state = RoomState()
        self._recent.clear()
        self._outcomes.clear()
        self._snapshot_seq = 0
        # Members get no events of the new log until the catch-up that follows is done;
        # then one snapshot each (`_resnapshot_members`), never events before it.
        self._resnapshot = True

    def _resnapshot_members(self) -> None:
        self._resnapshot = False
        for member in list(self.members):
            for frame in self._snapshot_frames(member.viewer):
                member.send(frame)

    # -- folding and fan-out -----------------------------------------------------------

    def _fold(self, rec: Record) -> None:
        outcome = apply(self.state, rec)
        self._recent.append((rec.seq, rec.ts, outcome.event))
        self._outcomes[rec.seq] = outcome
        if len(self._outcomes) > OUTCOME_MEMORY:
            self._outcomes.popitem(last=False)
        self._fan_out(rec.seq, rec.ts, outcome.event)
        waiters = self._waiters.pop(rec.seq, None)
        if waiters:
            for fut in waiters:
                if not fut.done():
                    fut.set_result(outcome)
        if outcome.results_of is not None:
            self.signals.results_changed(outcome.results_of)
        self.signals.state_changed()
        # A snapshot costs O(state); spacing them by at least the state's size keeps the
        # cost per event O(1) in a room with thousands of questions.
        due = max(self._snapshot_every, len(self.state.questions) + len(self.state.polls))
        if self.state.seq - self._snapshot_seq >= due:
            self._save_snapshot()

    def _fan_out(self, seq: int, ts: float, event: Event | None) -> None:
        """Encode once per audience, queue on every member (never awaits a socket)."""
        if not self.members or self._resnapshot:
            return
        if event is None:
            frame = _pack({"t": "ev", "seq": seq, "ts": ts, "type": "hidden", "data": {}})
            for member in self.members:
                member.send(frame)
            return
        variants = event.variants
        if len(variants) == 1 and variants[0].audience.everyone:
            frame = _pack(
                {"t": "ev", "seq": seq, "ts": ts, "type": event.type, "data": variants[0].data}
            )
            for member in self.members:
                member.send(frame)
            return
        last = variants[-1]
        if last.audience.everyone and not any(
            v.audience.everyone or v.audience.staff for v in variants[:-1]
        ):
            # Everyone gets one frame but a few participants their own copy (an author's
            # `mine`, a voter's `voted`): one dict lookup per member.
            default = _pack(
                {"t": "ev", "seq": seq, "ts": ts, "type": event.type, "data": last.data}
            )
            own: dict[str, bytes] = {}
            for variant in variants[:-1]:
                mine = _pack(
                    {"t": "ev", "seq": seq, "ts": ts, "type": event.type, "data": variant.data}
                )
                for pid in variant.audience.pids:
                    own.setdefault(pid, mine)
            for member in self.members:
                member.send(own.get(member.viewer.pid, default))
            return
        encoded: dict[int, bytes] = {}
        for member in self.members:
            index = -1
            for i, variant in enumerate(variants):
                if variant.audience.includes(member.viewer):
                    index = i
                    break
            frame = encoded.get(index)
            if frame is None:
                if index < 0:
                    data: dict[str, Any] = {}
                    type_ = "hidden"
                else:
                    data, type_ = variants[index].data, event.type
                frame = _pack({"t": "ev", "seq": seq, "ts": ts, "type": type_, "data": data})
                encoded[index] = frame
            member.send(frame)

    def _frame_for(self, seq: int, ts: float, event: Event | None, viewer: Viewer) -> bytes:
        variant = event.for_viewer(viewer) if event is not None else None
        if event is None or variant is None:
            return _pack({"t": "ev", "seq": seq, "ts": ts, "type": "hidden", "data": {}})
        return _pack({"t": "ev", "seq": seq, "ts": ts, "type": event.type, "data": variant.data})

    def _save_snapshot(self) -> None:
        if self._snapshot_task is not None and not self._snapshot_task.done():
            return
        seq = self.state.seq
        blob = _pack(self.state.to_snapshot())
        self._snapshot_seq = seq
        self._snapshot_task = self.spawn(self.backend.save_snapshot(self.code, seq, blob))

    # -- commands' outcomes ------------------------------------------------------------

    @property
    def idle(self) -> bool:
        """No members and no command waiting for its outcome: the room may be unloaded."""
        return not self.members and not self._waiters

    def outcome(self, seq: int, epoch: str | None = None) -> asyncio.Future[Outcome | None]:
        """The fold's outcome for `seq` (of log life `epoch`), resolved once folded; None
        if it is no longer remembered. A seq of a log life this room has not caught up
        with yet is waited for, never answered from the lost life's outcomes. A future,
        not a coroutine: the caller can put its own deadline on it without a task."""
        fut: asyncio.Future[Outcome | None] = asyncio.get_running_loop().create_future()
        if seq <= self.state.seq and (epoch is None or epoch == self.epoch):
            fut.set_result(self._outcomes.get(seq))
        else:
            self._waiters.setdefault(seq, []).append(fut)
        return fut

    # -- members -----------------------------------------------------------------------

    def join(
        self,
        member: Member,
        since: int | None,
        epoch: str | None,
        max_replay: int | None = None,
    ) -> list[bytes]:
        """Add a member; return the frames that bring it up to date (after its `ok`).

        Runs without awaiting, so no record can be folded between the state it is
        given and the first live frame it receives. A replay longer than `max_replay`
        frames (what the member's send queue can still take) becomes a snapshot.
        """
        self.members.add(member)
        self.signals.presence_changed()
        seq = self.state.seq
        if since is not None and epoch == self.epoch and 0 <= since <= seq:
            if since == seq:
                return []
            first_kept = self._recent[0][0] if self._recent else seq + 1
            # A replay that overflows the send queue would close the member with 4008
            # before it got even its join reply, and a client resumes after 4008 with the
            # same `since`: it would never get in. One snapshot frame always fits.
            fits = max_replay is None or seq - since <= max_replay
            if since + 1 >= first_kept and fits:
                start = since + 1 - first_kept
                frames = [
                    self._frame_for(s, ts, ev, member.viewer)
                    for s, ts, ev in list(self._recent)[start:]
                ]
                return frames + self.signals.current_results(member.viewer)
        return self._snapshot_frames(member.viewer)

    def _snapshot_frames(self, viewer: Viewer) -> list[bytes]:
        frames = [
            _pack(
                {
                    "t": "snapshot",
                    "seq": self.state.seq,
                    "epoch": self.epoch,
                    "state": self.state.view(viewer),
                }
            )
        ]
        return frames + self.signals.presence_frames()

    def leave(self, member: Member) -> None:
        if member in self.members:
            self.members.discard(member)
            self.signals.presence_changed()

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
