"""The staff desk of an event in this process: its staff book folded from the event's desk
log, kept live, and the sockets that joined with each of its links (issue 15; docs/protocol.md
"Staff links").

Every process that serves a room of the event folds the same desk log (base.RoomLog,
`desk_code`), so an invitation made or revoked on one process holds on all of them: the
live tail brings it at once, and a poll every `POLL` seconds brings what another process
wrote where no live tail reaches (the CLI beside an embedded server). A revocation closes
the sockets that joined with that link, on every process, with 1008: the client says the
link's key was not accepted and forgets it. A `programme.changed` record (an organiser
changed the event in the catalogue, server/http/organise.py) tells `Desks.replanned`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from protocol.codes import CloseCode
from server.backends.base import Backend, EventInfo, Record, desk_code
from server.staff.book import StaffBook, StaffLink, check_invite
from server.staff.keys import founding_invitations, new_kid

log = logging.getLogger("workshop.staff")

POLL = 2.0  # seconds between reads of the desk log for what no live tail brought
PROGRAMME_CHANGED = "programme.changed"  # a desk record: read the event again (issue 15)
DESK_ACTOR = {"pid": "desk", "name": "", "org": "", "roles": ["organiser"]}


class StaffSocket(Protocol):
    """What a revocation needs of a socket: a way to close it."""

    def close(self, code: int) -> None: ...


class Desk:
    """One event's staff book, folded from its desk log; `revoked(kid)` is called for
    each link the log revokes while this desk is live."""

    def __init__(
        self,
        backend: Backend,
        event: EventInfo,
        revoked: Callable[[str], None],
        replanned: Callable[[], None] = lambda: None,
    ) -> None:
        self.backend = backend
        self.event_id = event.event_id
        self.code = desk_code(event.event_id)
        self._created = event.created
        self._revoked = revoked
        self._replanned = replanned
        self.book = self._fresh()
        self._seq = 0
        self._epoch: str | None = None
        self._catching_up: asyncio.Task[None] | None = None
        self._poller: asyncio.Task[None] | None = None

    def _fresh(self) -> StaffBook:
        return StaffBook().replay((t, d, self._created) for t, d in founding_invitations())

    async def start(self) -> None:
        self.backend.subscribe(self.code, self._live)  # subscribe, then read (guarantee 5)
        await self.catch_up()
        self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def close(self) -> None:
        self.backend.unsubscribe(self.code, self._live)
        for task in (self._poller, self._catching_up):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def catch_up(self) -> None:
        """Fold every record of the desk log this desk has not folded yet."""
        head = await self.backend.head(self.code)
        self._life(head.epoch)
        while self._seq < head.seq:
            records = await self.backend.read(self.code, self._seq + 1, head.seq)
            if not records:
                return
            for record in records:
                self._fold(record)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL)
            try:
                await self.catch_up()
            except Exception as exc:  # an unreachable backend: the next poll retries
                log.warning("staff desk of %s not read: %s", self.event_id, exc)

    def _live(self, record: Record, epoch: str) -> None:
        self._life(epoch)
        if record.seq > self._seq + 1:  # a gap: read what lies between
            if self._catching_up is None or self._catching_up.done():
                self._catching_up = asyncio.get_running_loop().create_task(self.catch_up())
            return
        self._fold(record)

    def _life(self, epoch: str) -> None:
        if epoch == self._epoch:
            return
        if self._epoch is not None:
            log.error(
                "the staff desk of %s starts a new log life: its invitations and revocations"
                " are gone (docs/protocol.md, 'Where the staff book lives')",
                self.event_id,
            )
            self.book, self._seq = self._fresh(), 0
        self._epoch = epoch

    def _fold(self, record: Record) -> None:
        if record.seq != self._seq + 1:
            return  # a record folded already
        self._seq = record.seq
        if record.type == PROGRAMME_CHANGED:
            self._replanned()
            return
        changed = self.book.apply(record.type, record.data, record.ts)
        if changed is not None and changed.revoked is not None:
            self._revoked(changed.kid)

    # -- writing -------------------------------------------------------------------

    async def invite(self, role: str, room: str | None, label: str, cid: str) -> StaffLink:
        """Append a new invitation; raises ValueError for one the book would refuse."""
        data: dict[str, Any] = {"kid": new_kid(), "role": role, "room": room, "label": label}
        why = check_invite(data)
        if why is not None:
            raise ValueError(f"not a valid invitation: {why}")
        at = await self.backend.append(self.code, "staff.invited", data, DESK_ACTOR, cid)
        await self._through(at.seq)
        # A repeat of `cid` returns the first invitation's seq: find it by that seq.
        for record in await self.backend.read(self.code, at.seq, at.seq):
            link = self.book.links.get(record.data.get("kid", ""))
            if link is not None:
                return link
        raise LookupError("the invitation was appended but is not in the book")

    async def revoke(self, kid: str) -> StaffLink | None:
        """Append a revocation of `kid`; the link as it now stands, None if unknown."""
        if kid not in self.book.links:
            await self.catch_up()  # made on another process a moment ago?
            if kid not in self.book.links:
                return None
        at = await self.backend.append(
            self.code, "staff.revoked", {"kid": kid}, DESK_ACTOR, f"revoke-{kid}"
        )
        await self._through(at.seq)
        return self.book.links.get(kid)

    async def replanned(self, change: dict[str, Any], cid: str) -> None:
        """Say on the desk log that an organiser changed the programme (the catalogue
        holds the change; `change` is what they did, kept as the desk's history): every
        process that serves the event then reads the event again."""
        await self.backend.append(self.code, PROGRAMME_CHANGED, change, DESK_ACTOR, cid)

    async def _through(self, seq: int) -> None:
        """Wait until `seq` is folded (the live tail usually folded it already)."""
        if self._seq < seq:
            await self.catch_up()


class Desks:
    """The desks of this process, one per event, loaded on first use and kept: an event
    has few staff records, and its sockets' links must stay revocable."""

    def __init__(self, backend: Backend, process_id: str = "") -> None:
        self.backend = backend
        self.process_id = process_id or new_kid()
        self._desks: dict[str, Desk] = {}
        self._posting: dict[str, asyncio.Task[None]] = {}  # per event: a post of who holds what
        self._beat: asyncio.Task[None] | None = None
        self._loading: dict[str, asyncio.Task[Desk]] = {}
        self._sockets: dict[tuple[str, str], weakref.WeakSet[Any]] = {}
        self.replanned: list[Callable[[str], None]] = []  # told an event's id on a change

    async def desk(self, event: EventInfo) -> Desk:
        found = self._desks.get(event.event_id)
        if found is not None:
            return found
        task = self._loading.get(event.event_id)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._load(event))
            self._loading[event.event_id] = task
        try:
            return await asyncio.shield(task)
        finally:
            if task.done():
                self._loading.pop(event.event_id, None)

    async def _load(self, event: EventInfo) -> Desk:
        desk = Desk(
            self.backend,
            event,
            lambda kid: self._cut(event.event_id, kid),
            lambda: self._replan(event.event_id),
        )
        try:
            await desk.start()
        except BaseException:
            await desk.close()
            raise
        self._desks[event.event_id] = desk
        return desk

    @property
    def loaded(self) -> int:
        """How many events' desks this process tails."""
        return len(self._desks)

    def hold(self, event_id: str, kid: str, socket: StaffSocket) -> None:
        """`socket` joined with the link `kid`: close it if that link is revoked."""
        self._sockets.setdefault((event_id, kid), weakref.WeakSet()).add(socket)
        self._post_soon(event_id)

    def release(self, event_id: str, kid: str, socket: StaffSocket) -> None:
        held = self._sockets.get((event_id, kid))
        if held is not None:
            held.discard(socket)
            if not held:
                del self._sockets[(event_id, kid)]
        self._post_soon(event_id)

    def connected(self, event_id: str, kid: str) -> int:
        """How many sockets of this process joined with the link now."""
        return len(self._sockets.get((event_id, kid), ()))

    # -- who is connected with which link, on every process -----------------------------
    # Each process posts `{socket: kid}` for its sockets on the presence board under the
    # event's desk code (the board rooms use, with its time to live), on every change and
    # every `presence_ttl / 4`; `connected_everywhere` reads the union.

    async def connected_everywhere(self, event_id: str) -> dict[str, int]:
        """Sockets joined with each link of the event now, on every process, by kid."""
        counts: dict[str, int] = {}
        for kid in (await self.backend.get_presence(desk_code(event_id))).values():
            counts[kid] = counts.get(kid, 0) + 1
        return counts

    def _mine(self, event_id: str) -> dict[str, str]:
        return {
            f"{self.process_id}:{id(socket):x}": kid
            for (event, kid), held in self._sockets.items()
            if event == event_id
            for socket in held
        }

    def _post_soon(self, event_id: str) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a unit test's fake socket): nothing to post
        if event_id not in self._posting or self._posting[event_id].done():
            self._posting[event_id] = loop.create_task(self._post(event_id))
        if self._beat is None or self._beat.done():
            self._beat = loop.create_task(self._heartbeat())

    async def _post(self, event_id: str) -> None:
        await asyncio.sleep(0)  # the joins and leaves of one loop step in one post
        try:
            await self.backend.set_presence(
                desk_code(event_id), self.process_id, self._mine(event_id)
            )
        except Exception as exc:  # the heartbeat posts again
            log.warning("staff presence of %s not posted: %s", event_id, exc)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.backend.presence_ttl / 4)
            for event_id in {event for event, _ in self._sockets} | set(self._desks):
                await self._post(event_id)

    def _replan(self, event_id: str) -> None:
        for listener in self.replanned:
            listener(event_id)

    def _cut(self, event_id: str, kid: str) -> None:
        sockets = list(self._sockets.pop((event_id, kid), ()))
        if n := len(sockets):
            log.info("staff link %s of %s revoked: closing %d socket(s)", kid, event_id, n)
        for socket in sockets:
            socket.close(CloseCode.POLICY)

    async def close(self) -> None:
        for task in [*self._loading.values(), *self._posting.values(), self._beat]:
            if task is not None:
                task.cancel()
        for desk in list(self._desks.values()):
            await desk.close()
        self._desks.clear()
