"""The frames of several seqs of one loop step, to every member in one call (issue 17,
the poll burst: `server/live/batch_fanout.py`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import msgpack

from protocol.frames import Ev, Ok, read_frame
from server.backends.base import Record
from server.live.batch_fanout import encode_batch
from server.live.fanout import SENT
from server.live.outbound import Outbound
from server.live.room import LiveRoom
from server.live.wire import frame_binary
from server.rooms import Event, Viewer
from server.rooms.outcome import EVERYONE, STAFF, Audience, Variant, staff_and

from .support import command, moderator, participant, welcome


@dataclass(eq=False)
class Batched:
    """A member with a batch path: keeps each call's pairs."""

    calls: list[list[tuple[bytes, bytes]]] = field(default_factory=list)
    single: list[bytes] = field(default_factory=list)

    def send(self, frame: bytes) -> None:
        self.single.append(frame)

    def send_batch(self, pairs: list[tuple[bytes, bytes]]) -> None:
        self.calls.append(list(pairs))

    def events(self) -> list[Ev]:
        frames = [p for call in self.calls for p, _ in call] + self.single
        decoded = [read_frame(msgpack.unpackb(f, raw=False)) for f in frames]
        return [f for f in decoded if isinstance(f, Ev)]


def _event(kind: str, *variants: tuple[Audience, dict[str, object]]) -> Event:
    return Event(kind, tuple(Variant(a, d) for a, d in variants))


def _members(*pids: str, staff: str = "") -> dict[Batched, Viewer]:
    out = {Batched(): Viewer(pid=pid) for pid in pids}
    if staff:
        out[Batched()] = Viewer(pid=staff, staff=True, moderator=True)
    return out


def test_everyone_gets_one_call_with_every_seq_in_order() -> None:
    members = _members("a", "b", "c")
    note = _event("notes.update", (EVERYONE, {"u": b"x", "by": "a"}))
    frames_before = SENT.frames
    encode_batch(members, [(1, 1.0, note), (2, 2.0, None), (3, 3.0, note)])
    assert SENT.frames - frames_before == 9
    for member in members:
        (call,) = member.calls
        assert [e.seq for e in member.events()] == [1, 2, 3]
        assert [e.type for e in member.events()] == ["notes.update", "hidden", "notes.update"]
        # each pair's second half is its first framed for the wire, and shared by all
        assert all(framed == frame_binary(payload) for payload, framed in call)
    first, second = (m.calls[0] for m in list(members)[:2])
    assert first is not second and all(x is y for x, y in zip(first, second, strict=True))


def test_a_voter_gets_its_own_frame_and_the_others_hidden() -> None:
    members = _members("voter", "b", "c")
    voted = _event("poll.voted", (Audience(pids=frozenset({"voter"})), {"poll_id": "p1"}))
    asked = _event("question.asked", (Audience(pids=frozenset({"b"})), {"qid": "q2", "mine": True}),
                   (EVERYONE, {"qid": "q2"}))  # fmt: skip
    encode_batch(members, [(5, 1.0, voted), (6, 2.0, asked)])
    by_pid = {viewer.pid: member.events() for member, viewer in members.items()}
    assert [e.type for e in by_pid["voter"]] == ["poll.voted", "question.asked"]
    assert [e.type for e in by_pid["b"]] == ["hidden", "question.asked"]
    assert by_pid["b"][1].data.get("mine") is True
    assert [e.type for e in by_pid["c"]] == ["hidden", "question.asked"]
    assert "mine" not in by_pid["c"][1].data and "mine" not in by_pid["voter"][1].data


def test_a_staff_audience_sends_the_step_seq_by_seq() -> None:
    members = _members("author", "b", staff="chair")
    pending = _event("question.asked", (staff_and("author"), {"qid": "q1"}))
    approved = _event("question.approved", (EVERYONE, {"qid": "q1"}), (STAFF, {"qid": "q1"}))
    encode_batch(members, [(1, 1.0, pending), (2, 2.0, approved)])
    for member, viewer in members.items():
        assert member.calls == []  # the per-seq path: `send`, frame by frame
        kinds = [e.type for e in member.events()]
        seen = viewer.staff or viewer.pid == "author"
        assert kinds == (["question.asked"] if seen else ["hidden"]) + ["question.approved"]


def test_one_seq_takes_the_per_seq_path() -> None:
    members = _members("a")
    encode_batch(members, [(1, 1.0, None)])
    (member,) = members
    assert member.calls == [] and [e.seq for e in member.events()] == [1]


async def test_a_step_of_seqs_reaches_every_member_in_order_before_the_ok(room: LiveRoom) -> None:
    """Commands appended together are folded in one step; every member gets their
    events in seq order, each once, and when a sender's reply is ready (the connection
    sends it then) every member already has that reply's event."""
    aiko, bat, chair = participant("Aiko"), participant("Bat", "Ulaanbaatar City"), moderator()
    for member in (aiko, bat, chair):
        welcome(room, member)
    held_at_reply: list[tuple[int, list[int]]] = []

    async def ask(i: int) -> None:
        reply = await room.submit(aiko.actor, command("ask", text=f"Shelter question {i}?"))
        assert isinstance(reply, Ok) and reply.seq is not None
        held_at_reply.append((reply.seq, [max(m.seqs(), default=0) for m in (aiko, bat, chair)]))

    await asyncio.gather(*(ask(i) for i in range(8)))
    for member in (aiko, bat, chair):
        assert member.seqs() == list(range(1, 9))
    assert sorted(seq for seq, _ in held_at_reply) == list(range(1, 9))
    for seq, heads in held_at_reply:
        assert all(head >= seq for head in heads), (seq, heads)


async def test_a_member_welcomed_in_the_middle_of_a_step_gets_no_event_twice(
    room: LiveRoom,
) -> None:
    aiko, late = participant("Aiko"), participant("Late")
    welcome(room, aiko)
    fold = room._fold

    def fold_then_welcome(rec: Record) -> None:
        fold(rec)  # seq 1 folded, its frames not sent yet: they wait for the step's end
        if rec.seq == 1:
            welcome(room, late)  # its snapshot holds seq 1: seq 1 must not follow

    room._fold = fold_then_welcome  # type: ignore[method-assign]
    await room.submit(aiko.actor, command("ask", text="First?"))
    await room.submit(aiko.actor, command("ask", text="Second?"))
    assert aiko.seqs() == [1, 2]
    assert late.snapshot().seq == 1 and late.seqs() == [2]


# -- the outbound's batch path -------------------------------------------------------


class FramedLine:
    """A direct line that takes framed bytes while `open`."""

    def __init__(self) -> None:
        self.open = True
        self.written: list[bytes] = []

    def write(self, payload: bytes) -> bool:
        if self.open:
            self.written.append(frame_binary(payload))
        return self.open

    def write_framed(self, framed: bytes) -> bool:
        if self.open:
            self.written.append(framed)
        return self.open

    def drop(self) -> None:
        pass


def _pairs(*payloads: bytes) -> list[tuple[bytes, bytes]]:
    return [(p, frame_binary(p)) for p in payloads]


async def _asgi(message: dict[str, object]) -> None:
    await asyncio.Event().wait()  # a socket that takes nothing: frames stay queued


async def test_a_socket_that_keeps_up_gets_the_step_in_one_write() -> None:
    line = FramedLine()
    out = Outbound(_asgi, line, limit=10)
    assert out.send_batch(_pairs(b"one", b"two", b"three")) is False
    assert line.written == [frame_binary(b"one") + frame_binary(b"two") + frame_binary(b"three")]
    assert out.idle


async def test_a_socket_behind_queues_each_payload_as_send_would() -> None:
    line = FramedLine()
    out = Outbound(_asgi, line, limit=2)
    line.open = False
    assert out.send_batch(_pairs(b"one", b"two")) is False
    assert out.queued == 2 and line.written == []
    out.send(b"three")  # behind a queue, the next frames queue too, in order
    assert out.queued == 3
    out.close(1000, drop_queued=True)
    assert out.send_batch(_pairs(b"four")) is False  # after a close: dropped
