"""Server frames: one frozen builder per kind of frame the server sends (PROTOCOL.md).

The commands a client sends are parsed in `protocol.messages`; this module is the other
direction, as h11 types both. The server builds every frame it sends through these
classes (`frame.encode()` gives the msgpack bytes), and the Python client reads every
frame it receives through `read_frame`. Each class writes its keys in one fixed order, so
a frame's bytes are the same on every process and golden frames can pin them
(`tests/protocol/golden_frames.json`, read by the Python and the JS suites alike).

Replies to commands are `ok` frames; which `ok` a reply is follows from the command it
answers (`re`), so `read_frame` reads every `ok` as `Ok` and the client asks for the
special ones (`Welcome.from_ok`, `NotesSynced.from_ok`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from protocol.codec import encode_frame
from protocol.codes import ErrorCode, ProtocolError

__all__ = [
    "HIDDEN",
    "Err",
    "Ev",
    "Frame",
    "NotesSynced",
    "Ok",
    "PollResults",
    "Pong",
    "Presence",
    "Queue",
    "Snapshot",
    "Welcome",
    "read_frame",
]

HIDDEN = "hidden"  # the event type of a seq this viewer may not see (PROTOCOL.md "Events")


class Frame:
    """Base of the server's frames: `to_wire()` is the map, `encode()` its bytes."""

    __slots__ = ()
    T: ClassVar[str] = ""

    def to_wire(self) -> dict[str, Any]:  # pragma: no cover - every frame overrides it
        raise NotImplementedError

    def encode(self) -> bytes:
        """The frame as one msgpack map (what goes into a binary WebSocket frame)."""
        return encode_frame(self.to_wire())


# -- replies ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ok(Frame):
    """`ok` to command `re`: the fold's result fields, then the command's log `seq`.

    `seq` is None for a command that was acknowledged without a log entry (an empty
    notes update). `pending` says the command is in the log but its outcome was not
    folded in time; `duplicate` that a retry's first outcome is no longer remembered.
    """

    T: ClassVar[str] = "ok"
    re: int | None
    seq: int | None
    result: Mapping[str, Any] = field(default_factory=dict)
    pending: bool = False
    duplicate: bool = False

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"t": "ok", "re": self.re, **self.result, "seq": self.seq}
        if self.pending:
            wire["pending"] = True
        if self.duplicate:
            wire["duplicate"] = True
        return wire


@dataclass(frozen=True, slots=True)
class Welcome(Frame):
    """The `ok` to a `join` (PROTOCOL.md "Joining"): who you are, the room, its position."""

    T: ClassVar[str] = "ok"
    re: int | None
    me: Mapping[str, Any]
    token: str
    room: Mapping[str, Any]
    seq: int
    epoch: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "t": "ok",
            "re": self.re,
            "me": dict(self.me),
            "token": self.token,
            "room": dict(self.room),
            "seq": self.seq,
            "epoch": self.epoch,
        }

    @classmethod
    def from_ok(cls, ok: Ok) -> Welcome:
        """Read the `ok` that answered a `join`; ProtocolError if it is not one."""
        r = ok.result
        try:
            me, token, room, epoch = r["me"], r["token"], r["room"], r["epoch"]
        except KeyError as exc:
            raise _malformed("ok", f"a join's ok needs {exc.args[0]}") from None
        if not (isinstance(me, dict) and isinstance(room, dict) and isinstance(token, str)):
            raise _malformed("ok", "a join's ok has me, token and room of the wrong types")
        if not isinstance(ok.seq, int) or not isinstance(epoch, str):
            raise _malformed("ok", "a join's ok needs an int seq and a str epoch")
        return cls(ok.re, me, token, room, ok.seq, epoch)


@dataclass(frozen=True, slots=True)
class NotesSynced(Frame):
    """The `ok` to `notes.sync`: the update the client lacks and the server's state vector,
    as of the room's `seq`."""

    T: ClassVar[str] = "ok"
    re: int | None
    u: bytes
    sv: bytes
    seq: int

    def to_wire(self) -> dict[str, Any]:
        return {"t": "ok", "re": self.re, "u": self.u, "sv": self.sv, "seq": self.seq}

    @classmethod
    def from_ok(cls, ok: Ok) -> NotesSynced:
        """Read the `ok` that answered a `notes.sync`; ProtocolError if it is not one."""
        u, sv = ok.result.get("u"), ok.result.get("sv")
        if not (isinstance(u, bytes) and isinstance(sv, bytes) and isinstance(ok.seq, int)):
            raise _malformed("ok", "a notes.sync ok needs bin u, bin sv and an int seq")
        return cls(ok.re, u, sv, ok.seq)


@dataclass(frozen=True, slots=True)
class Err(Frame):
    """`err` to command `re` (None when the frame's id could not be read)."""

    T: ClassVar[str] = "err"
    re: int | None
    code: str
    msg: str
    retry_after: float | None = None  # seconds, with `rate_limited`

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"t": "err", "re": self.re, "code": str(self.code), "msg": self.msg}
        if self.retry_after is not None:
            wire["retry_after"] = self.retry_after
        return wire

    @classmethod
    def of(cls, error: ProtocolError) -> Err:
        """The reply to a frame that broke the protocol."""
        return cls(error.re, str(error.code), error.msg)


@dataclass(frozen=True, slots=True)
class Pong(Frame):
    """The reply to `ping`."""

    T: ClassVar[str] = "pong"
    re: int | None

    def to_wire(self) -> dict[str, Any]:
        return {"t": "pong", "re": self.re}


# -- the room's log -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ev(Frame):
    """The event at log position `seq`; `type` "hidden" with no data for a viewer who may
    not see it (`Ev.hidden`), so every viewer's seq stays gapless."""

    T: ClassVar[str] = "ev"
    seq: int
    ts: float
    type: str
    data: Mapping[str, Any]

    def to_wire(self) -> dict[str, Any]:
        return {"t": "ev", "seq": self.seq, "ts": self.ts, "type": self.type, "data": self.data}

    @classmethod
    def hidden(cls, seq: int, ts: float) -> Ev:
        """The stand-in for the event at `seq` that this viewer may not see."""
        return cls(seq, ts, HIDDEN, {})


@dataclass(frozen=True, slots=True)
class Snapshot(Frame):
    """The room as one viewer sees it, as of `seq` of log life `epoch`.

    `epoch` is this server's extension (docs/protocol.md): PROTOCOL.md's snapshot is
    `{t, seq, state}`, so a reader takes one without it (None), and None is not written.
    """

    T: ClassVar[str] = "snapshot"
    seq: int
    epoch: str | None
    state: Mapping[str, Any]

    def to_wire(self) -> dict[str, Any]:
        if self.epoch is None:
            return {"t": "snapshot", "seq": self.seq, "state": self.state}
        return {"t": "snapshot", "seq": self.seq, "epoch": self.epoch, "state": self.state}


# -- side frames (not in the log) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Presence(Frame):
    """Who is in the room: a count, the count per organisation and, for an event whose
    registry groups organisations by city, the count per city (`by_city`, an addition of
    issue 14: sent only when not empty, so frames of events without cities are as
    before)."""

    T: ClassVar[str] = "presence"
    count: int
    by_org: Mapping[str, int]
    by_city: Mapping[str, int] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": "presence", "count": self.count, "by_org": dict(self.by_org)}
        if self.by_city:
            out["by_city"] = dict(self.by_city)
        return out


@dataclass(frozen=True, slots=True)
class Queue(Frame):
    """The moderation queue's counts, for everyone (transparent moderation)."""

    T: ClassVar[str] = "queue"
    pending: int
    dismissed: int

    def to_wire(self) -> dict[str, Any]:
        return {"t": "queue", "pending": self.pending, "dismissed": self.dismissed}


@dataclass(frozen=True, slots=True)
class PollResults(Frame):
    """A poll's running totals: `counts` by option (a map word -> count for `words`)."""

    T: ClassVar[str] = "poll.results"
    poll_id: str
    counts: list[int] | Mapping[str, int]
    voters: int

    def to_wire(self) -> dict[str, Any]:
        counts = self.counts if isinstance(self.counts, list) else dict(self.counts)
        return {
            "t": "poll.results",
            "poll_id": self.poll_id,
            "counts": counts,
            "voters": self.voters,
        }


# -- reading (the Python client's side) ---------------------------------------------------------


def _malformed(t: str, why: str) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_FRAME, f"malformed {t} frame: {why}")


def _int(d: Mapping[str, Any], key: str, t: str, *, optional: bool = False) -> Any:
    value = d.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _malformed(t, f"{key} must be an integer")
    return value


def _of(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], t: str) -> Any:
    value = d.get(key)
    if not isinstance(value, kind):
        raise _malformed(t, f"{key} has the wrong type")
    return value


def _number(d: Mapping[str, Any], key: str, t: str) -> float:
    """An int or float (msgpack may carry either; a bool is neither) as a float."""
    value = d.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _malformed(t, f"{key} must be a number")
    return float(value)


def _read_ok(d: Mapping[str, Any]) -> Ok:
    result = {k: v for k, v in d.items() if k not in ("t", "re", "seq", "pending", "duplicate")}
    return Ok(
        _int(d, "re", "ok", optional=True),
        _int(d, "seq", "ok", optional=True),
        result,
        pending=d.get("pending") is True,
        duplicate=d.get("duplicate") is True,
    )


def _read_err(d: Mapping[str, Any]) -> Err:
    return Err(
        _int(d, "re", "err", optional=True),
        _of(d, "code", str, "err"),
        _of(d, "msg", str, "err"),
        None if d.get("retry_after") is None else _number(d, "retry_after", "err"),
    )


def _read_ev(d: Mapping[str, Any]) -> Ev:
    return Ev(
        _int(d, "seq", "ev"),
        _number(d, "ts", "ev"),
        _of(d, "type", str, "ev"),
        _of(d, "data", dict, "ev"),
    )


def _read_snapshot(d: Mapping[str, Any]) -> Snapshot:
    epoch = d.get("epoch")
    if epoch is not None and not isinstance(epoch, str):
        raise _malformed("snapshot", "epoch has the wrong type")
    return Snapshot(_int(d, "seq", "snapshot"), epoch, _of(d, "state", dict, "snapshot"))


def _read_counts(d: Mapping[str, Any]) -> PollResults:
    counts = _of(d, "counts", (list, dict), "poll.results")
    return PollResults(
        _of(d, "poll_id", str, "poll.results"), counts, _int(d, "voters", "poll.results")
    )


_READERS: dict[str, Callable[[Mapping[str, Any]], Frame]] = {
    "ok": _read_ok,
    "err": _read_err,
    "pong": lambda d: Pong(_int(d, "re", "pong", optional=True)),
    "ev": _read_ev,
    "snapshot": _read_snapshot,
    "presence": lambda d: Presence(
        _int(d, "count", "presence"),
        _of(d, "by_org", dict, "presence"),
        _of(d, "by_city", dict, "presence") if "by_city" in d else {},
    ),
    "queue": lambda d: Queue(_int(d, "pending", "queue"), _int(d, "dismissed", "queue")),
    "poll.results": _read_counts,
}


def read_frame(d: Mapping[str, Any]) -> Frame | None:
    """The typed frame for a decoded server map; None for a frame type this version does
    not know (PROTOCOL.md: receivers ignore unknown types). Raises `ProtocolError`
    (`bad_frame`) for a known type with missing or mistyped fields."""
    t = d.get("t")
    reader = _READERS.get(t) if isinstance(t, str) else None
    if reader is None:
        return None
    return reader(d)
