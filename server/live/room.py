"""A room that is hot on this process: the round trip of a command, the join reply, and
the fan-out of what the room's log says.

The path of a command has no step back (docs/design.md):

    Connection --submit(actor, command)--> LiveRoom --append--> the room's log
    the log --live feed, each record once, in seq order--> LiveRoom._on_live
    LiveRoom: fold once -> the sender's outcome (its reply) and one frame per audience
    LiveRoom --member.send(bytes)--> every local member

The backend promises each subscriber every record exactly once in seq order (contract 4
in `server/backends/base.py`), so the room does not re-check order. What it keeps is
what only it can know: a record that the catch-up's read already folded (the overlap
between subscribing and reading), and a new log life (epoch), after which its members
get one snapshot each and no event of the lost life.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Coroutine, Iterable
from typing import Any

import msgpack

from protocol.codes import ErrorCode
from protocol.frames import Err, NotesSynced, Ok, Snapshot, Welcome
from protocol.messages import Join, Mutating, NotesSync, NotesUpdate, PollClose
from server.backends.base import BackendUnavailable, EventInfo, Record, RoomInfo, RoomLog
from server.live.actor import POLL_TIMER, Actor, Member
from server.live.batch_fanout import encode_batch
from server.live.fanout import frame_for
from server.live.outcomes import RecentOutcomes
from server.live.poll_timers import PollTimers
from server.live.presence import RoomPresence
from server.live.signals import RoomSignals
from server.metrics import EPOCH_CHANGES, RESUMES
from server.organisations import Registry
from server.rooms import Event, Outcome, RoomState, Viewer, apply
from server.tallies import APPEND

log = logging.getLogger("workshop.room")
EPOCH_LINE = {"event": "room.epoch_changed"}  # server/log_limit.py

OUTCOME_TIMEOUT = 30.0  # seconds a command waits for its seq to be folded
EMPTY_UPDATES = (b"", b"\x00\x00")  # a Yjs v1 update with no structs and no deletions

Reply = Ok | Err


# How joins were brought up to date (GET /metrics), label children made once.
RESUMED = {kind: RESUMES.labels(kind) for kind in ("fresh", "up_to_date", "replay", "snapshot")}


def _expire(waiting: asyncio.Future[Any]) -> None:
    if not waiting.done():
        waiting.set_exception(TimeoutError())


class LiveRoom:
    """One room's state and local members on this process."""

    def __init__(
        self,
        info: RoomInfo,
        event: EventInfo,
        backend: Any,
        *,
        replay_limit: int = 1000,
        snapshot_every: int = 500,
        process_id: str = "",
    ) -> None:
        self.info = info
        self.event = event
        self.registry = Registry(event.organisations)  # the event's organisations
        self.code = info.code
        self.log: RoomLog = backend
        self.state = RoomState()
        self.epoch = ""
        self.members: dict[Member, Viewer] = {}
        self._snapshot_every = snapshot_every
        self._recent: deque[tuple[int, float, Event | None]] = deque(maxlen=replay_limit)
        self._unsent: list[tuple[int, float, Event | None]] = []  # folded this loop step
        self._outcomes = RecentOutcomes()
        self._buffer: list[tuple[Record, str]] | None = []  # not None while catching up
        self._catch_up_task: asyncio.Task[None] | None = None
        self._catching = False
        self._life_changed = False  # the feed announced a new log life during a catch-up
        self._confirming: asyncio.Task[None] | None = None  # the head check joins share
        self._resnapshot = False  # the log was lost: members need a snapshot, not events
        self._snapshot_seq = 0
        self._snapshot_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.signals = RoomSignals(self.code, self.members, lambda: self.state)
        self.presence = RoomPresence(
            self.code,
            process_id,
            backend,
            self.members,
            self.spawn,
            city_of={o.org_id: o.city for o in event.organisations if o.city},
        )
        self.timers = PollTimers(lambda: self.state.polls, self._timer_close, self.spawn)

    # -- loading and catching up -------------------------------------------------------

    async def load(self) -> None:
        """Subscribe, then rebuild state from the latest snapshot and the log's tail."""
        self.log.subscribe(self.code, self._on_live)
        self.log.watch_life(self.code, self._on_new_life)
        snap = await self.log.load_snapshot(self.code)
        if snap is not None:
            self._snapshot_seq = snap[0]
            saved = msgpack.unpackb(snap[1], raw=False)
            self.state = RoomState.from_snapshot(saved)
            self._outcomes.load(saved.get("outcomes", ()))
            self.signals.reset()
        self.epoch = (await self.log.head(self.code)).epoch
        await self._catch_up()
        self.presence.start()
        self.spawn(self.presence.heartbeat())

    async def close(self) -> None:
        self.log.unwatch_life(self.code, self._on_new_life)
        self.log.unsubscribe(self.code, self._on_live)
        self.signals.close()
        self.timers.close()
        self.presence.close()
        for task in list(self._tasks):
            task.cancel()

    async def _catch_up(self) -> None:
        """Fold what the log has past our seq, then what the feed delivered meanwhile.

        The feed was subscribed before the read, so it holds every record the read did
        not return, and perhaps some it did (those are dropped by seq). Records of a log
        life other than the head's are of a lost life, and dropped."""
        self._catching = True
        try:
            while True:
                self._life_changed = False
                head = await self.log.head(self.code)
                if head.epoch != self.epoch:
                    self._new_life(head.epoch)
                while self.state.seq < head.seq:
                    batch = await self.log.read(self.code, self.state.seq + 1, head.seq)
                    if not batch:
                        break
                    for rec in batch:
                        self._fold(rec)
                buffered, self._buffer = self._buffer or [], None
                for rec, epoch in buffered:
                    if epoch == self.epoch:
                        self._on_live(rec, epoch)  # may find the feed ahead: go round
                if self._buffer is None:
                    if not self._life_changed:
                        break
                    self._buffer = []  # the head moved to a new life meanwhile: go round
        finally:
            self._catching = False
        self.timers.reset()  # a snapshot's timed polls had no record to start them
        if self._resnapshot:
            self._resnapshot_members()

    def _on_live(self, rec: Record, epoch: str) -> None:
        """A record from the backend's feed: each once, in seq order (contract 4)."""
        if self._buffer is not None:
            self._buffer.append((rec, epoch))
            return
        if epoch == self.epoch:
            if rec.seq <= self.state.seq:
                return  # folded already by the catch-up's read
            if rec.seq == self.state.seq + 1:
                self._fold(rec)
                return
            # Only a broken backend skips a seq; fill it from the log rather than fold
            # out of order.
            log.error("room %s: feed skipped to %d after %d", self.code, rec.seq, self.state.seq)
        # A record of another log life: ours was lost (or this one is stale). The head
        # says which, and the catch-up starts the new life if it must.
        self._buffer = [(rec, epoch)]
        self._start_catch_up()

    def _on_new_life(self, epoch: str) -> None:
        """The feed moved to a new log life, perhaps one with no record yet (a wiped
        Redis, found by the backend's position check): catch up with it now, through
        the same path as a record of a new life (`_new_life`, a snapshot per member)."""
        if epoch == self.epoch and not self._catching:
            return
        if self._catching:
            self._life_changed = True
            return
        if self._buffer is None:
            self._buffer = []
        self._start_catch_up()

    async def confirm_life(self) -> bool:
        """Before a welcome: whether the state to hand out is of the log's current life.
        One head read, shared by the joins that arrive while it runs; a new life found is
        caught up with first (False if not within OUTCOME_TIMEOUT). A log that cannot be
        read contradicts nothing: the state held is served."""
        if self._confirming is None or self._confirming.done():
            self._confirming = self.spawn(self._confirm())
        confirming = self._confirming
        try:
            await asyncio.wait_for(asyncio.shield(confirming), OUTCOME_TIMEOUT)
        except TimeoutError:
            return False
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if confirming.cancelled() and not (me is not None and me.cancelling()):
                return False  # the room was closed meanwhile
            raise
        return True

    async def _confirm(self) -> None:
        try:
            head = await self.log.head(self.code)
        except Exception as exc:  # unreachable (BackendUnavailable) or lost with its room
            log.debug("room %s: the head could not be read before a welcome: %s", self.code, exc)
            return
        if head.epoch != self.epoch:
            self._on_new_life(head.epoch)
        task = self._catch_up_task
        if task is not None and not task.done():
            await asyncio.shield(task)

    def _start_catch_up(self) -> None:
        if self._catching:
            return  # the running catch-up goes round again
        if self._catch_up_task is None or self._catch_up_task.done():
            self._catch_up_task = self.spawn(self._catch_up_retrying())

    async def _catch_up_retrying(self) -> None:
        while True:
            try:
                await self._catch_up()
                return
            except Exception:
                log.exception("room %s: catching up failed; retrying", self.code)
                self._buffer = self._buffer or []
                await asyncio.sleep(0.5)

    def _new_life(self, epoch: str) -> None:
        """The log's storage lost data: start over from the new log and resend snapshots."""
        self._send_unsent()  # what was folded before, as it would have gone at once
        had_epoch = bool(self.epoch)
        self.epoch = epoch
        if not had_epoch:
            return
        log.warning("room %s: log epoch changed; rebuilding state", self.code, extra=EPOCH_LINE)
        EPOCH_CHANGES.inc()
        self.state = RoomState()
        self._recent.clear()
        self._outcomes.clear()
        self._snapshot_seq = 0
        self.signals.reset()
        self.timers.close()
        # Members get no events of the new log until the catch-up is done; then one
        # snapshot each (`_resnapshot_members`), never events before it.
        self._resnapshot = True

    def _resnapshot_members(self) -> None:
        self._send_unsent()
        self._resnapshot = False
        for member, viewer in list(self.members.items()):
            for frame in self._snapshot_frames(viewer):
                member.send(frame)

    # -- folding and fan-out -----------------------------------------------------------

    def _fold(self, rec: Record) -> None:
        outcome = apply(self.state, rec)
        entry = (rec.seq, rec.ts, outcome.event)
        self._recent.append(entry)
        if self.members and not self._resnapshot:
            # Sent when the loop step ends, with the other seqs folded in it
            # (batch_fanout.py). Scheduled before the outcome wakes its sender, so every
            # member, the sender too, has the event before the sender's `ok`.
            unsent = self._unsent
            unsent.append(entry)
            if len(unsent) == 1:
                asyncio.get_running_loop().call_soon(self._send_unsent)
        self._outcomes.remember(rec.seq, outcome)
        if outcome.results_of is not None:
            self.signals.results_changed(outcome.results_of)
            self.timers.changed(outcome.results_of)
        self.signals.state_changed()
        # A snapshot costs O(state); spacing them by at least the state's size keeps the
        # cost per event O(1) in a room with thousands of questions.
        due = max(self._snapshot_every, len(self.state.questions) + len(self.state.polls))
        if self.state.seq - self._snapshot_seq >= due:
            self._save_snapshot()

    def _send_unsent(self) -> None:
        """The frames of the seqs folded since the last call, to the members there now.
        Called at the end of the loop step that folded them, and first by whatever hands
        a member the room's state or seq (a welcome, a resnapshot, a notes sync), so no
        member gets a state and then an event it already holds, or a seq out of order."""
        unsent = self._unsent
        if unsent:
            self._unsent = []
            encode_batch(self.members, unsent)

    def _save_snapshot(self) -> None:
        if self._snapshot_task is not None and not self._snapshot_task.done():
            return
        seq = self.state.seq
        # The replies travel with the state, for retries after a restart (outcomes.py).
        saved = {**self.state.to_snapshot(), "outcomes": self._outcomes.dump()}
        blob = msgpack.packb(saved, use_bin_type=True)
        self._snapshot_seq = seq
        self._snapshot_task = self.spawn(self.log.save_snapshot(self.code, seq, blob))

    # -- commands ------------------------------------------------------------------------

    @property
    def idle(self) -> bool:
        """No members and no command waiting for its outcome: the room may be unloaded."""
        return not self.members and not self._outcomes.awaited and not self.timers.pending

    def _timer_close(self, command: PollClose) -> Coroutine[Any, Any, Reply]:
        return self.submit(POLL_TIMER, command)

    async def submit(self, actor: Actor, command: Mutating) -> Reply:
        """Append the command to the room's log and return the reply to its sender: the
        fold's outcome once its seq is folded here (DESIGN.md §2)."""
        if isinstance(command, NotesUpdate) and command.u in EMPTY_UPDATES:
            return Ok(command.id, None)  # acknowledged, not logged (docs/protocol.md)
        began = time.perf_counter()
        try:
            at = await self.log.append(
                self.code, command.T, command.data(), actor.record(), command.cid
            )
        except BackendUnavailable:
            return Err(command.id, ErrorCode.UNAVAILABLE, "the room's log is unreachable; retry")
        finally:
            APPEND.observe(time.perf_counter() - began)  # refused appends too: how long to fail
        waiting = self._outcome(at.seq, at.epoch)
        # A timer rather than asyncio.wait_for, which wraps the wait in a task of its
        # own: per command, that was a tenth of the server's CPU (issue 7's profile).
        deadline = asyncio.get_running_loop().call_later(OUTCOME_TIMEOUT, _expire, waiting)
        try:
            outcome = await waiting
        except TimeoutError:
            # The command is in the log; only its outcome is late. Say so honestly.
            return Ok(command.id, at.seq, pending=True)
        finally:
            deadline.cancel()
        if outcome is None:
            return Ok(command.id, at.seq, duplicate=True)
        if outcome.code is None:
            return Ok(command.id, at.seq, outcome.result)
        return Err(command.id, outcome.code, outcome.msg)

    def _outcome(self, seq: int, epoch: str) -> asyncio.Future[Outcome | None]:
        """The fold's outcome for `seq` of log life `epoch`, resolved once folded; None if
        no longer remembered. A seq of a life this room has not caught up with yet is
        waited for, never answered from the lost life's outcomes."""
        folded = seq <= self.state.seq and epoch == self.epoch
        if folded:
            # Answered at once (the feed was quicker than the append's reply): the
            # step's events go out first, the reply after them.
            self._send_unsent()
        return self._outcomes.wait(seq, folded)

    def sync_notes(self, command: NotesSync) -> NotesSynced | Err:
        """What the client's notes lack and the server's state vector, as of this seq."""
        self._send_unsent()  # the reply names the seq: its events go first
        notes = self.state.notes
        try:
            missing = notes.missing(command.sv)
        except ValueError:
            return Err(command.id, ErrorCode.BAD_REQUEST, "sv is not a Yjs state vector")
        return NotesSynced(command.id, missing, notes.state_vector(), self.state.seq)

    # -- members -----------------------------------------------------------------------

    def welcome(self, member: Member, join: Join, token: str) -> None:
        """Add a member and send it the join reply, then what brings it up to date: the
        events after `join.since` if it resumes within the replay window, else a
        snapshot.

        Runs without awaiting, so no record is folded between the state it is given and
        the first live frame it receives. A replay longer than what the member's send
        queue can take, in frames or in bytes, becomes a snapshot: a 4008 close before
        the join reply would come back with the same `since` and never get in.
        """
        self._send_unsent()  # to the members before this one: its state holds them
        actor = member.actor
        viewer = actor.viewer()
        self.members[member] = viewer
        self.presence.changed()
        state = self.state
        member.send(
            Welcome(
                join.id,
                {"pid": actor.pid, "name": actor.name, "org": actor.org,
                 **({"org_id": actor.org_id} if actor.org_id else {}),
                 "roles": ["participant", *actor.roles]},
                token,
                {
                    "code": self.code,
                    "title": self.info.title,
                    "event": {
                        "id": self.event.event_id,
                        "title": self.event.title,
                        "timezones": list(self.event.timezones),
                        "languages": list(self.event.languages),
                        **({"organisations": [o.to_dict() for o in self.event.organisations]}
                           if self.event.organisations else {}),
                    },
                    "state": state.state,
                    "settings": dict(state.settings),
                    **({"prompts": list(self.info.prompts)} if self.info.prompts else {}),
                    **self.info.slot(),  # an addition: old clients ignore it
                },
                state.seq,
                self.epoch,
            ).encode()
        )  # fmt: skip
        budget = member.replay_room(), member.replay_bytes()
        for frame in self._catch_up_frames(viewer, join.since, join.epoch, *budget):
            member.send(frame)

    def _catch_up_frames(
        self,
        viewer: Viewer,
        since: int | None,
        epoch: str | None,
        max_replay: int,
        max_bytes: int,
    ) -> Iterable[bytes]:
        seq = self.state.seq
        if since is None:
            RESUMED["fresh"].inc()
            return self._snapshot_frames(viewer)
        if epoch == self.epoch and 0 <= since <= seq:
            if since == seq:
                RESUMED["up_to_date"].inc()
                return []
            first_kept = self._recent[0][0] if self._recent else seq + 1
            if since + 1 >= first_kept and seq - since <= max_replay:
                start = since + 1 - first_kept
                frames = [
                    frame_for(s, ts, event, viewer) for s, ts, event in list(self._recent)[start:]
                ]
                # In bytes too (`--send-queue-bytes`): 1,000 long answers are megabytes.
                if sum(map(len, frames)) <= max_bytes:
                    RESUMED["replay"].inc()
                    return frames + self.signals.current_results(viewer)
        RESUMED["snapshot"].inc()
        return self._snapshot_frames(viewer)

    def _snapshot_frames(self, viewer: Viewer) -> list[bytes]:
        snapshot = Snapshot(self.state.seq, self.epoch, self.state.view(viewer)).encode()
        return [snapshot, *self.presence.frames()]

    def leave(self, member: Member) -> None:
        if self.members.pop(member, None) is not None:
            self.presence.changed()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
