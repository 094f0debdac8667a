"""The staff desk (server/staff/desk.py, access.py) on every backend: invitations and
revocations fold from the event's desk log, live and on restart, across processes, and
a revocation closes the sockets that joined with the link (issue 15)."""

from __future__ import annotations

import pytest

from protocol.codes import CloseCode
from server.backends.base import Backend, desk_code
from server.staff import desk as desk_module
from server.staff.access import StaffAccess
from server.staff.desk import Desk, Desks
from server.staff.keys import StaffKeys
from tests.backends.support import EVENT, SECRET, Kit, eventually

FOUNDING = ["event-moderator", "event-rapporteur", "event-interpreter", "event-organiser"]


class Revoked(list[str]):
    """The kids a desk reported revoked, in order."""

    def __call__(self, kid: str) -> None:
        self.append(kid)


class Socket:
    """A stand-in for a connection: what `Desks` needs of one is `close(code)`."""

    def __init__(self) -> None:
        self.closed: list[int] = []

    def close(self, code: int) -> None:
        self.closed.append(code)


async def started(backend: Backend, revoked: Revoked | None = None) -> Desk:
    desk = Desk(backend, EVENT, revoked if revoked is not None else Revoked())
    await desk.start()
    return desk


async def test_the_book_starts_with_the_founding_links(backend: Backend) -> None:
    desk = await started(backend)
    try:
        assert [link.kid for link in desk.book.active()] == FOUNDING
        assert all(
            link.room is None and link.created == EVENT.created for link in desk.book.active()
        )
        assert (await backend.head(desk_code(EVENT.event_id))).seq == 0  # nothing written
    finally:
        await desk.close()


async def test_an_invitation_and_its_revocation_fold_and_are_told(backend: Backend) -> None:
    revoked = Revoked()
    desk = await started(backend, revoked)
    try:
        link = await desk.invite("moderator", "PLAN", "Chair, Sendai day", "c1")
        assert desk.book.links[link.kid] == link
        assert (link.role, link.room, link.label, link.revoked) == (
            "moderator",
            "PLAN",
            "Chair, Sendai day",
            None,
        )
        assert await desk.invite("moderator", "PLAN", "Chair, Sendai day", "c1") == link  # a repeat
        gone = await desk.revoke(link.kid)
        assert gone is not None and gone.revoked is not None
        assert await desk.revoke(link.kid) == gone  # revoking twice changes nothing
        await eventually(lambda: revoked == [link.kid])
        assert [r.type for r in await backend.read(desk.code, 1)] == [
            "staff.invited",
            "staff.revoked",
        ]
        assert await desk.revoke("no-such-link") is None
    finally:
        await desk.close()
    assert revoked == [link.kid]  # told once


@pytest.mark.parametrize(
    ("role", "room", "label"),
    [
        ("organiser", "PLAN", ""),
        ("chair", None, ""),
        ("moderator", None, "x" * 81),
        ("moderator", "", ""),
    ],
)
async def test_invalid_invitations_are_refused_and_not_written(
    backend: Backend, role: str, room: str | None, label: str
) -> None:
    desk = await started(backend)
    try:
        with pytest.raises(ValueError, match="not a valid invitation"):
            await desk.invite(role, room, label, "c1")
        assert (await backend.head(desk.code)).seq == 0
    finally:
        await desk.close()


async def test_a_desk_in_another_process_sees_invitations_and_revocations(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two backends over one storage, as a server and `workshop staff` beside it: the
    embedded one has no live tail between them, so the server's poll must bring them."""
    monkeypatch.setattr(desk_module, "POLL", 0.05)
    server_side, cli_side = kit.open(), kit.open()
    await server_side.start()
    await server_side.create_event(EVENT)
    await cli_side.start()
    revoked = Revoked()
    serving, cli = await started(server_side, revoked), await started(cli_side)
    try:
        link = await cli.invite("interpreter", "WARN", "Mongolian booth", "c1")
        await eventually(lambda: link.kid in serving.book.links)
        await cli.revoke(link.kid)
        await eventually(lambda: revoked == [link.kid])
        later = await serving.invite("rapporteur", None, "", "c2")  # and back the other way
        await eventually(lambda: later.kid in cli.book.links)
        assert list(serving.book.links) == list(cli.book.links)
        assert (await server_side.head(serving.code)).seq == 3  # one log, no seq written twice
    finally:
        await serving.close()
        await cli.close()
        await cli_side.close()
        await server_side.close()


async def test_the_book_survives_a_restart(kit: Kit) -> None:
    first = kit.open()
    await first.start()
    await first.create_event(EVENT)
    desk = await started(first)
    kept = await desk.invite("rapporteur", None, "Report writer", "c1")
    await desk.revoke("event-interpreter")
    await desk.close()
    await first.close()
    second = kit.open()
    await second.start()
    try:
        again = await started(second)
        assert again.book.links[kept.kid] == kept
        assert again.book.links["event-interpreter"].revoked is not None
        assert [link.kid for link in again.book.active()] == [*FOUNDING[:2], FOUNDING[3], kept.kid]
        await again.close()
    finally:
        await second.close()


async def test_a_revocation_closes_the_links_sockets_and_no_others(backend: Backend) -> None:
    desks = Desks(backend)
    desk = await desks.desk(EVENT)
    try:
        assert await desks.desk(EVENT) is desk  # one desk per event
        chair = await desk.invite("moderator", "PLAN", "", "c1")
        first, second, other, left = Socket(), Socket(), Socket(), Socket()
        for socket in (first, second, left):
            desks.hold(EVENT.event_id, chair.kid, socket)
        desks.hold(EVENT.event_id, "event-moderator", other)
        desks.release(EVENT.event_id, chair.kid, left)  # rejoined without the key
        assert desks.connected(EVENT.event_id, chair.kid) == 2
        await desk.revoke(chair.kid)
        await eventually(
            lambda: first.closed == [CloseCode.POLICY] and second.closed == [CloseCode.POLICY]
        )
        assert other.closed == [] and left.closed == []
        assert desks.connected(EVENT.event_id, chair.kid) == 0
    finally:
        await desks.close()


async def test_access_follows_the_signature_the_scope_and_the_book(backend: Backend) -> None:
    keys = StaffKeys(SECRET)
    access = StaffAccess(keys, Desks(backend))
    desk = await access.desks.desk(EVENT)
    try:
        founding = keys.founding_key(EVENT.event_id, "moderator")
        assert (await access.admit(founding, EVENT, "WARN")).roles == ["moderator", "rapporteur"]
        assert (await access.admit(founding, EVENT, None)).roles == ["moderator", "rapporteur"]
        booth = await desk.invite("interpreter", "PLAN", "", "c1")
        key = keys.sign(booth.kid, EVENT.event_id, "interpreter", "PLAN")
        admitted = await access.admit(key, EVENT, "PLAN")
        assert admitted.roles == ["interpreter"] and admitted.grant is not None
        assert admitted.grant.kid == booth.kid
        assert (await access.admit(key, EVENT, "WARN")).roles == []  # another room
        assert (await access.admit(key, EVENT, None)).roles == []  # not the whole event
        moved = keys.sign(booth.kid, EVENT.event_id, "interpreter", "WARN")  # not as invited
        assert (await access.admit(moved, EVENT, "WARN")).roles == []
        unknown = keys.sign("never-invited", EVENT.event_id, "moderator", None)
        assert (await access.admit(unknown, EVENT, "PLAN")).roles == []
        elsewhere = keys.founding_key("another-event", "moderator")
        assert (await access.admit(elsewhere, EVENT, "PLAN")).roles == []
        forged = StaffKeys(b"not this server's secret").founding_key(EVENT.event_id, "moderator")
        assert (await access.admit(forged, EVENT, "PLAN")).roles == []
        assert (await access.admit("garbage", EVENT, "PLAN")).roles == []
        await desk.revoke(booth.kid)
        assert (await access.admit(key, EVENT, "PLAN")).roles == []
        await desk.revoke("event-moderator")
        assert (await access.admit(founding, EVENT, "WARN")).roles == []
    finally:
        await access.desks.close()
