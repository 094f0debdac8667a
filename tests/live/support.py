"""A LiveRoom over a real backend, with members that are plain objects (no sockets).

The middle floor's unit tests drive `LiveRoom` and `Hub` directly: a `FakeMember` records
the frames the room sends it, decoded through `protocol.frames` as a client would read
them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import msgpack

from protocol.frames import Ev, Frame, Ok, Snapshot, read_frame
from protocol.messages import Join, Mutating, parse_command
from server.live.room import Actor, LiveRoom
from tests.backends.support import EVENT, eventually

ROOM = EVENT.rooms[0]  # the contract suite's event, room PLAN
until = eventually  # the room's feed delivers on the event loop
_ids = itertools.count(1)


@dataclass(eq=False)
class FakeMember:
    """A member that keeps every frame it is sent; `room` sees it as any connection."""

    actor: Actor
    room_left: int = 1000  # what its send queue could still take
    bytes_left: int = 1 << 30  # ...and in bytes
    got: list[Frame] = field(default_factory=list)

    def send(self, frame: bytes) -> None:
        decoded = read_frame(msgpack.unpackb(frame, raw=False))
        assert decoded is not None
        self.got.append(decoded)

    def replay_room(self) -> int:
        return self.room_left

    def replay_bytes(self) -> int:
        return self.bytes_left

    def events(self) -> list[Ev]:
        return [f for f in self.got if isinstance(f, Ev)]

    def seqs(self) -> list[int]:
        return [f.seq for f in self.events()]

    def of_type(self, kind: type[Any]) -> list[Any]:
        return [f for f in self.got if isinstance(f, kind)]

    def snapshot(self) -> Snapshot:
        (snap,) = self.of_type(Snapshot)
        return snap


def participant(name: str, org: str = "Sendai City") -> FakeMember:
    return FakeMember(Actor(pid=f"p-{name}", name=name, org=org))


def moderator(name: str = "Chair") -> FakeMember:
    return FakeMember(Actor(pid=f"p-{name}", name=name, org="UNDRR", roles=("moderator",)))


def command(t: str, **fields: Any) -> Mutating:
    """A parsed command, as the connection hands it to the room."""
    cmd = parse_command({"t": t, "id": next(_ids), "cid": f"c{next(_ids)}", **fields})
    assert isinstance(cmd, Mutating)
    return cmd


def join(since: int | None = None, epoch: str | None = None) -> Join:
    return Join(id=next(_ids), room=ROOM.code, name="x", since=since, epoch=epoch)


def welcome(room: LiveRoom, member: FakeMember, **resume: Any) -> Ok:
    """Join `member` and return its join reply (the first frame it got)."""
    room.welcome(member, join(**resume), token="token")
    first = member.got[0]
    assert isinstance(first, Ok)
    return first
