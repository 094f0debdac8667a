"""The frames of several seqs to every member in one go (issue 17: the poll burst).

A poll burst is 1,103 votes in a second and each vote is a seq that reaches all 1,000
members (`poll.voted` to the voter, `hidden` to the rest, so every seq stream stays
gapless): 1.1 M frames. The Cork (`server/live/wire.py`) already makes that one write
per socket per loop step, but each frame still took its own trip through
`Connection.send`, `Outbound.send`, `DirectLine.write` and `Cork.write`, about a
microsecond of Python per member per seq, and a voter's `ok` waited behind all of it.

When the feed delivers several records in one loop step (a group commit, a Redis
batch), the room folds them all, then hands them here at the step's end
(`LiveRoom._send_unsent`). Each seq is encoded once per audience as before; then each
member gets all of its frames of the step in one call, `send_batch`, as
`(payload, framed)` pairs: a socket that can take them gets the framed bytes joined in
one transport write, any other one gets the payloads one by one through its queue,
exactly as `send` would have queued them. A step in which no frame differs between
members joins the bytes once for all.

Only audiences of everyone and of named participants are batched; a seq with a staff
audience (a pending question) sends the whole step the per-seq way, in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from protocol.frames import Ev
from server.live.fanout import SENT, encode_for_audiences
from server.live.wire import frame_binary
from server.rooms import Event, Viewer

Pair = tuple[bytes, bytes]  # a frame's msgpack payload, and the same framed for the wire
Unsent = tuple[int, float, "Event | None"]  # (seq, ts, event) folded, not yet sent


class BatchRecipient(Protocol):
    def send(self, frame: bytes) -> None: ...


R = TypeVar("R", bound=BatchRecipient)


def _pair(payload: bytes) -> Pair:
    return payload, frame_binary(payload)


def _split(seq: int, ts: float, event: Event | None) -> tuple[Pair, dict[str, Pair]] | None:
    """One seq as the frame most members get and the frames of named participants, or
    None if some audience is staff (or another shape the per-seq path must resolve)."""
    if event is None:
        return _pair(Ev.hidden(seq, ts).encode()), {}
    variants = event.variants
    last = variants[-1]
    default: Pair | None = None
    own: dict[str, Pair] = {}
    for variant in variants:
        audience = variant.audience
        if audience.staff or (audience.everyone and variant is not last):
            return None
        if audience.everyone:
            default = _pair(Ev(seq, ts, event.type, variant.data).encode())
            continue
        mine = _pair(Ev(seq, ts, event.type, variant.data).encode())
        for pid in audience.pids:
            own.setdefault(pid, mine)
    if default is None:
        default = _pair(Ev.hidden(seq, ts).encode())
    return default, own


def encode_batch(members: Mapping[R, Viewer], batch: Sequence[Unsent]) -> None:
    """Send the events of `batch` (consecutive seqs, in order) to every member."""
    if len(batch) == 1:
        encode_for_audiences(members, *batch[0])
        return
    split = []
    for seq, ts, event in batch:
        parts = _split(seq, ts, event)
        if parts is None:
            for unsent in batch:
                encode_for_audiences(members, *unsent)
            return
        split.append(parts)
    defaults = [default for default, _ in split]
    # pid -> its own frames of the step, by index: a vote's voter, an author's `mine`.
    overrides: dict[str, list[tuple[int, Pair]]] = {}
    for i, (_, own) in enumerate(split):
        for pid, mine in own.items():
            overrides.setdefault(pid, []).append((i, mine))
    count = len(members)
    size = count * sum(len(payload) for payload, _ in defaults)
    for member, viewer in members.items():
        over = overrides.get(viewer.pid)
        if over is None:
            _send(member, defaults)  # the same list for most members: nothing built
            continue
        pairs = list(defaults)
        for i, mine in over:
            size += len(mine[0]) - len(pairs[i][0])
            pairs[i] = mine
        _send(member, pairs)
    SENT.frames += count * len(defaults)
    SENT.bytes += size


def _send(member: BatchRecipient, pairs: list[Pair]) -> None:
    send_batch = getattr(member, "send_batch", None)
    if send_batch is not None:
        send_batch(pairs)
        return
    for payload, _ in pairs:  # a member without a batch path (tests' recorders)
        member.send(payload)
