"""Normalising and comparing recorded frames, for `wire_scenario.py` (issue 11).

A recording is a list of connections, each `{"name", "frames": [bytes], "close"}`.

Normalising (`Normaliser.frame`): the frame is decoded, the VALUES that differ from run to
run are replaced in place (key order kept), and it is encoded again with msgpack, so the
comparison is still one of bytes and catches a changed key order, type or encoding:

- floats under `FLOAT_KEYS` (server clock readings; `retry_after` counts down) -> 0.0;
- pids, tokens, epochs and the event id (random per server) -> labels such as
  "<pid:alice>", learnt from the join replies as the scenario goes;
- the `by_org` map of a presence frame is sorted: the server builds it by walking a set
  of sockets, whose order is not defined.

Every received frame must also be canonical msgpack (decoding and encoding it again gives
its bytes back), so that a float32 or a non-minimal integer cannot hide behind a decode.

Comparing (`differences`): per connection, the frames that are not side frames must be
equal and in the same order; side frames (`SIDE`: sent on coalescing timers, so they
interleave with the rest as timing has it) are compared by the last one of each kind (per
poll for poll.results); the close code must be the same.
"""

from __future__ import annotations

from typing import Any

import msgpack

from tests.integration.helpers import pack, unpack

SIDE = frozenset({"presence", "queue", "poll.results"})
FLOAT_KEYS = frozenset({"ts", "answered_ts", "opened_ts", "closed_ts", "retry_after"})

Connection = dict[str, Any]


class Normaliser:
    """Replaces the values that legitimately differ between runs, keeping the shape."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}

    def learn(self, value: Any, label: str) -> None:
        """Write `value` as `label` from now on (the first label given to a value stays)."""
        if isinstance(value, str) and value:
            self.labels.setdefault(value, label)

    def value(self, v: Any, key: str | None = None) -> Any:
        if isinstance(v, dict):
            return {self.value(k): self.value(x, k) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, float) and key in FLOAT_KEYS:
            return 0.0
        if isinstance(v, str):
            return self.labels.get(v, v)
        return v

    def frame(self, data: bytes) -> bytes:
        decoded = unpack(data)
        assert pack(decoded) == data, f"not canonical msgpack: {data.hex()}"
        out = self.value(decoded)
        if out.get("t") == "presence" and isinstance(out.get("by_org"), dict):
            out["by_org"] = dict(sorted(out["by_org"].items()))
        return pack(out)


def side_key(frame: dict[str, Any]) -> str | None:
    """ "presence", "queue" or "poll.results <poll_id>" for a side frame, else None."""
    t = frame.get("t")
    if t not in SIDE:
        return None
    return f"{t} {frame['poll_id']}" if t == "poll.results" else str(t)


def split(frames: list[bytes]) -> tuple[list[bytes], dict[str, bytes]]:
    """The frames in order but the side frames, and the last side frame of each kind."""
    main: list[bytes] = []
    last: dict[str, bytes] = {}
    for data in frames:
        key = side_key(unpack(data))
        if key is None:
            main.append(data)
        else:
            last[key] = data
    return main, last


def _show(data: bytes | None) -> str:
    return "(none)" if data is None else repr(msgpack.unpackb(data, raw=False))


def differences(expected: list[Connection], actual: list[Connection]) -> list[str]:
    """What differs between two recordings (empty when the wire is unchanged)."""
    names = [c["name"] for c in expected], [c["name"] for c in actual]
    if names[0] != names[1]:
        return [f"connections differ: {names[0]} != {names[1]}"]
    out: list[str] = []
    for old, new in zip(expected, actual, strict=True):
        name = old["name"]
        (old_main, old_side), (new_main, new_side) = split(old["frames"]), split(new["frames"])
        for i in range(max(len(old_main), len(new_main))):
            a = old_main[i] if i < len(old_main) else None
            b = new_main[i] if i < len(new_main) else None
            if a != b:
                out.append(f"{name} frame {i}:\n  was {_show(a)}\n  now {_show(b)}")
                break  # the first difference of a connection; later ones often follow from it
        for kind in sorted(old_side.keys() | new_side.keys()):
            a, b = old_side.get(kind), new_side.get(kind)
            if a != b:
                out.append(f"{name} last {kind}:\n  was {_show(a)}\n  now {_show(b)}")
        if old["close"] != new["close"]:
            out.append(f"{name} close code: was {old['close']}, now {new['close']}")
    return out


def to_json(connections: list[Connection], **about: Any) -> dict[str, Any]:
    """A recording as JSON (frames as hex), with `about` fields before the connections."""
    return {
        **about,
        "connections": [{**c, "frames": [f.hex() for f in c["frames"]]} for c in connections],
    }


def from_json(recording: dict[str, Any]) -> list[Connection]:
    return [
        {**c, "frames": [bytes.fromhex(f) for f in c["frames"]]} for c in recording["connections"]
    ]
