"""The Redis backend's data layout: key names, Lua scripts, and the stored record format.

Every key of a room carries the room's hash tag, `ws:{room:CODE}:...`, so a Redis
Cluster keeps a room's counter, stream, epoch, dedupe keys, snapshot and presence on
one shard, where one Lua script can touch them atomically (DESIGN.md §3). The
catalogue lives under its own tag, `ws:{catalogue}:...`.

Only plain data crosses Redis (STYLE.md): a record body is msgpack
`[type, data, actor, cid]`, written once by the appender; the stream entry keeps it
beside the Redis-clock timestamp, and the live message is msgpack
`[seq, epoch, ts, body, nonce, mac]` carrying the very same body bytes, so a record
delivered live equals the record read back. `mac` is an HMAC of (channel, nonce, body)
under a key derived from WORKSHOP_SECRET, so a message PUBLISHed by anyone who can
merely reach Redis is told apart and dropped (`live_mac`). An import publishes only
`[seq, epoch]`, a hint to read the stream.

Also here, as the backend's shared vocabulary: how Redis errors become
BackendUnavailable, and how replies become text.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgpack
from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

from .base import BackendUnavailable, EventInfo, Record, RoomInfo
from .event_info import with_extra

__all__ = [
    "CATALOGUE_EVENTS",
    "CATALOGUE_ROOMS",
    "SCRIPTS",
    "RoomKeys",
    "Script",
    "decode_entry",
    "decode_event",
    "decode_live",
    "encode_body",
    "encode_event",
    "live_key",
    "live_mac",
    "new_nonce",
    "read_heads",
    "redis_errors",
    "room_keys",
    "run_script",
    "sign_live",
    "text",
]

LUA = Path(__file__).resolve().parent / "lua"
CATALOGUE_EVENTS = "ws:{catalogue}:events"  # event_id -> msgpack event
CATALOGUE_ROOMS = "ws:{catalogue}:rooms"  # room code -> event_id


@dataclass(frozen=True, slots=True)
class Script:
    """A Lua script from `lua/NAME.lua`, called by its SHA1 (loaded once per Redis)."""

    name: str
    source: str
    sha: str

    @classmethod
    def load(cls, name: str) -> Script:
        return cls.of(name, (LUA / f"{name}.lua").read_text(encoding="utf-8"))

    @classmethod
    def of(cls, name: str, source: str) -> Script:
        return cls(name, source, hashlib.sha1(source.encode()).hexdigest())


SCRIPTS = {
    name: Script.load(name)
    for name in ("append", "head", "snapshot", "catalogue", "fence", "import")
}


async def run_script(
    redis: Redis,
    name: str,
    keys: list[str],
    args: list[Any],
    stats: Counter[str],
    scripts: dict[str, Script] = SCRIPTS,
) -> Any:
    """EVALSHA one of `scripts` (`SCRIPTS`, or a cluster's variants); load it again if
    Redis forgot it (NOSCRIPT: a restart, SCRIPT FLUSH, a promoted replica), counted in
    `stats["script_reloads"]`. Errors are BackendUnavailable."""
    script = scripts[name]
    with redis_errors(name):
        try:
            return await redis.evalsha(script.sha, len(keys), *keys, *args)
        except NoScriptError:
            stats["script_reloads"] += 1
            await redis.script_load(script.source)
            return await redis.evalsha(script.sha, len(keys), *keys, *args)


@dataclass(frozen=True, slots=True)
class RoomKeys:
    """The names of one room's keys and its pub/sub channel."""

    code: str
    seq: str  # the last seq (a counter)
    epoch: str  # this life of the log
    log: str  # the stream; entry ID "<seq>-0", fields t (ts) and r (body)
    snapshot: str  # hash {seq, epoch, blob}
    presence: str  # set of process ids with members here
    channel: bytes  # live records, msgpack [seq, epoch, ts, body]
    presence_channel: bytes  # hints: the id of a process whose presence set changed

    def dedupe(self, pid: str, cid: str) -> str:
        """The key remembering `(pid, cid)`; the length prefix keeps the pair unambiguous."""
        return f"ws:{{room:{self.code}}}:dd:{len(pid)}:{pid}:{cid}"

    def presence_of(self, process_id: str) -> str:
        """One process's members of the room (msgpack `pid -> org`, with a TTL)."""
        return f"{self.presence}:{process_id}"

    def staging(self, token: str) -> str:
        """A stream an import fills before `lua/import.lua` makes it the log."""
        return f"ws:{{room:{self.code}}}:import:{token}"

    @property
    def head_keys(self) -> list[str]:
        """The KEYS of `lua/head.lua`."""
        return [self.seq, self.epoch, self.log, self.snapshot]


@lru_cache(maxsize=4096)
def room_keys(code: str) -> RoomKeys:
    """The keys of room `code`."""
    tag = f"ws:{{room:{code}}}"
    return RoomKeys(
        code=code,
        seq=f"{tag}:seq",
        epoch=f"{tag}:epoch",
        log=f"{tag}:log",
        snapshot=f"{tag}:snapshot",
        presence=f"{tag}:presence",
        channel=f"{tag}:live".encode(),
        presence_channel=f"{tag}:presence-changed".encode(),
    )


def encode_body(
    type_: str, data: dict[str, Any], actor: dict[str, Any] | None, cid: str | None
) -> bytes:
    """A record's body as stored; raises TypeError for what msgpack cannot encode."""
    body: bytes = msgpack.packb([type_, data, actor, cid], use_bin_type=True)
    return body


def _record(seq: int, ts: bytes | str, body: bytes) -> Record:
    """Decode one record; ValueError when the stored bytes are not a record."""
    try:
        type_, data, actor, cid = msgpack.unpackb(body, raw=False)
        stamp = float(ts)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise ValueError(f"undecodable record body: {exc}") from None
    if not (isinstance(type_, str) and isinstance(data, dict)):
        raise ValueError("record body has a bad type or data")
    if not (actor is None or isinstance(actor, dict)) or not (cid is None or isinstance(cid, str)):
        raise ValueError("record body has a bad actor or cid")
    return Record(seq=seq, ts=stamp, type=type_, data=data, actor=actor, cid=cid)


def decode_entry(entry_id: bytes, fields: dict[bytes, bytes]) -> Record:
    """A stream entry as a Record. A corrupted entry becomes a `corrupt` record (which
    the fold refuses, so it shows as `hidden`): the log stays gapless and readable."""
    seq = int(entry_id.split(b"-", 1)[0])
    try:
        return _record(seq, fields[b"t"], fields[b"r"])
    except (KeyError, ValueError):
        return Record(seq=seq, ts=0.0, type="corrupt", data={}, actor=None, cid=None)


NONCE_BYTES = 12
MAC_BYTES = 16


def live_key(secret: bytes) -> bytes:
    """The key of the live messages' MACs, derived from the shared secret (so the secret
    itself is never used for two things)."""
    return hmac.new(secret, b"workshop:redis-live:v1", hashlib.sha256).digest()


def new_nonce() -> bytes:
    """A fresh nonce for one live message: a replayed message is told by its nonce."""
    return secrets.token_bytes(NONCE_BYTES)


def live_mac(key: bytes, channel: bytes, nonce: bytes, body: bytes) -> bytes:
    """The MAC an appender passes to `lua/append.lua` and a subscriber checks. It binds
    the body to its room's channel; seq, epoch and ts are Redis's, known only inside the
    script, so a replayed genuine message is caught by its nonce instead (redis_feed)."""
    parts = (channel, nonce, body)
    framed = b"".join(len(part).to_bytes(4, "big") + part for part in parts)
    return hmac.new(key, framed, hashlib.sha256).digest()[:MAC_BYTES]


def sign_live(key: bytes, channel: bytes, body: bytes) -> tuple[bytes, bytes]:
    """A fresh nonce and the MAC of a record's live message, for `lua/append.lua`."""
    nonce = new_nonce()
    return nonce, live_mac(key, channel, nonce, body)


async def read_heads(client: Any, rooms: list[str]) -> list[tuple[str | None, int]]:
    """`(epoch, seq)` of each room's log, in one pipeline (the position check); the
    epoch is None for a log that is gone."""
    pipe = client.pipeline(transaction=False)
    for room in rooms:
        keys = room_keys(room)
        pipe.get(keys.epoch)
        pipe.get(keys.seq)
    replies = await pipe.execute()
    return [
        (None if epoch is None else text(epoch), int(seq or 0))
        for epoch, seq in zip(replies[::2], replies[1::2], strict=True)
    ]


@dataclass(frozen=True, slots=True)
class Live:
    """A decoded live message: a record (with its nonce and MAC, still to be checked),
    or, with `record` None, a hint that the log's head is now `seq` of `epoch`."""

    seq: int
    epoch: str
    record: Record | None
    body: bytes = b""
    nonce: bytes = b""
    mac: bytes = b""


def decode_live(payload: bytes) -> Live:
    """A live message, decoded but not yet authenticated; ValueError for anything else.
    A record without nonce and MAC (`[seq, epoch, ts, body]`) decodes with empty ones,
    so it fails the check and is counted as forged."""
    try:
        message = msgpack.unpackb(payload, raw=True)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise ValueError(f"not msgpack: {exc}") from None
    if not (isinstance(message, list) and len(message) in (2, 4, 6)):
        raise ValueError("not a [seq, epoch, ts, body, nonce, mac] array")
    seq, epoch = message[0], message[1]
    if not (isinstance(seq, int) and seq >= 1 and isinstance(epoch, bytes)):
        raise ValueError("bad seq or epoch")
    try:
        epoch_text = epoch.decode("ascii")
    except UnicodeDecodeError:
        raise ValueError("bad epoch") from None
    if len(message) == 2:
        return Live(seq, epoch_text, None)
    ts, body, *signed = message[2:]
    if not (isinstance(ts, bytes) and isinstance(body, bytes)):
        raise ValueError("bad ts or body")
    nonce, mac = signed if signed else (b"", b"")
    if not (isinstance(nonce, bytes) and isinstance(mac, bytes)):
        raise ValueError("bad nonce or mac")
    return Live(seq, epoch_text, _record(seq, ts, body), body, nonce, mac)


def encode_event(event: EventInfo) -> bytes:
    """A catalogue entry: the event and its rooms, as plain msgpack."""
    entry: bytes = msgpack.packb(
        {
            "id": event.event_id,
            "title": event.title,
            "timezones": list(event.timezones),
            "languages": list(event.languages),
            "rooms": [[room.code, room.title] for room in event.rooms],
            "created": event.created,
            "extra": event.extra(),
        },
        use_bin_type=True,
    )
    return entry


def decode_event(blob: bytes) -> EventInfo:
    """The inverse of `encode_event`."""
    d = msgpack.unpackb(blob, raw=False)
    event_id = d["id"]
    event = EventInfo(
        event_id=event_id,
        title=d["title"],
        timezones=tuple(d["timezones"]),
        languages=tuple(d["languages"]),
        rooms=tuple(RoomInfo(code, title, event_id) for code, title in d["rooms"]),
        created=float(d["created"]),
    )
    return with_extra(event, d.get("extra"))


@contextlib.contextmanager
def redis_errors(what: str) -> Iterator[None]:
    """Redis and socket errors become BackendUnavailable (`unavailable` on the wire)."""
    try:
        yield
    except (RedisError, OSError) as exc:
        raise BackendUnavailable(f"Redis {what} failed: {exc}") from exc


def text(value: Any) -> str:
    """A Redis reply (bytes) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)
