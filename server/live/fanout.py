"""Encode once per audience, send to every member (DESIGN.md §4).

One seq yields one event whose data may differ by audience (`server.rooms.outcome`).
Each distinct frame is encoded once and the same bytes object goes to every member it
is for, so the wire layer frames it once too (`server/live/wire.py`). Nothing here
awaits: a member that cannot keep up queues or closes itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

from protocol.frames import Ev
from server.rooms import Event, Viewer
from server.tallies import FANOUT

SENT = FANOUT["event"]  # counted per broadcast: frames = recipients, bytes = len x recipients


class Recipient(Protocol):
    def send(self, frame: bytes) -> None: ...


R = TypeVar("R", bound=Recipient)


def frame_for(seq: int, ts: float, event: Event | None, viewer: Viewer) -> bytes:
    """The frame of one seq for one viewer (a resume's replay)."""
    variant = event.for_viewer(viewer) if event is not None else None
    if event is None or variant is None:
        return Ev.hidden(seq, ts).encode()
    return Ev(seq, ts, event.type, variant.data).encode()


def encode_for_audiences(
    members: Mapping[R, Viewer], seq: int, ts: float, event: Event | None
) -> None:
    """Send the event of `seq` to every member, each frame encoded once."""
    sent = SENT
    if event is None:
        frame = Ev.hidden(seq, ts).encode()
        for member in members:
            member.send(frame)
        sent.frames += len(members)
        sent.bytes += len(frame) * len(members)
        return
    variants = event.variants
    if len(variants) == 1 and variants[0].audience.everyone:
        frame = Ev(seq, ts, event.type, variants[0].data).encode()
        for member in members:
            member.send(frame)
        sent.frames += len(members)
        sent.bytes += len(frame) * len(members)
        return
    size = 0  # below, frames differ by member: their lengths are added as they go
    last = variants[-1]
    if last.audience.everyone and not any(
        v.audience.everyone or v.audience.staff for v in variants[:-1]
    ):
        # Everyone gets one frame but a few participants their own copy (an author's
        # `mine`, a voter's `voted`): one dict lookup per member.
        default = Ev(seq, ts, event.type, last.data).encode()
        own: dict[str, bytes] = {}
        for variant in variants[:-1]:
            mine = Ev(seq, ts, event.type, variant.data).encode()
            for pid in variant.audience.pids:
                own.setdefault(pid, mine)
        for member, viewer in members.items():
            frame = own.get(viewer.pid, default)
            member.send(frame)
            size += len(frame)
        sent.frames += len(members)
        sent.bytes += size
        return
    encoded: dict[int, bytes] = {}
    for member, viewer in members.items():
        index = -1
        for i, variant in enumerate(variants):
            if variant.audience.includes(viewer):
                index = i
                break
        own_frame = encoded.get(index)
        if own_frame is None:
            if index < 0:
                own_frame = Ev.hidden(seq, ts).encode()
            else:
                own_frame = Ev(seq, ts, event.type, variants[index].data).encode()
            encoded[index] = own_frame
        member.send(own_frame)
        size += len(own_frame)
    sent.frames += len(members)
    sent.bytes += size
