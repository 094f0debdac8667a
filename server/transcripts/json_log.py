"""The JSON transcript: the complete log, one object per seq, streamed.

PROTOCOL.md (HTTP): a JSON array with one object per seq, `seq, ts, type, data`, the
actor unless anonymous, and the outcome; binary as base64. This build writes:

    [
    {"seq":1,"ts":1795750000.5,"type":"ask","data":{...},"actor":{pid,name,org,roles},
     "outcome":{"ok":true,"event":"question.asked","result":{"qid":"q1","status":"live"}}},
    {"seq":2,...,"pseudonym":"anon-3f2a…","outcome":{"ok":false,"code":"conflict","msg":"…"}}
    ]

- exactly one entry per line, so `workshop import` reads it line by line in bounded
  memory (any other layout of the same JSON is read whole);
- `actor` is left out for anonymous acts and ballots; `pseudonym` stands in for it
  (see `privacy`), so the log still folds back to the same room;
- `b64` lists the paths (lists of keys) of values that were binary and are now base64
  strings, e.g. `[["data", "u"]]` for a notes update; absent when there are none;
- `outcome.event` is the type of the event the seq produced, or null when it produced
  none (a refused command, or one that changed nothing).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import AsyncIterator, Callable, Iterator
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, TextIO

from server.rooms import Outcome

from .privacy import Pseudonyms
from .session_record import SessionRecord, Step

CHUNK = 64 * 1024  # bytes per chunk handed to the response or the file


def _plain(value: Any, path: tuple[str, ...], binary: list[list[str]]) -> Any:
    """`value` with every bytes value as base64 text (its path noted in `binary`)."""
    if isinstance(value, bytes | bytearray | memoryview):
        binary.append(list(path))
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): _plain(v, (*path, str(k)), binary) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, (*path, str(i)), binary) for i, v in enumerate(value)]
    return value


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    if outcome.ok:
        return {
            "ok": True,
            "event": outcome.event.type if outcome.event is not None else None,
            "result": outcome.result,
        }
    return {"ok": False, "code": str(outcome.code), "msg": outcome.msg}


def entry(step: Step, pseudonyms: Pseudonyms) -> dict[str, Any]:
    """One seq as a map (binary values still bytes: `dumps` takes care of them)."""
    rec = step.record
    out: dict[str, Any] = {"seq": rec.seq, "ts": rec.ts, "type": rec.type, "data": rec.data}
    if step.privacy is not None:
        out["pseudonym"] = pseudonyms.for_record(rec, step.privacy)
    elif rec.actor is not None:
        out["actor"] = rec.actor
    out["outcome"] = outcome_json(step.outcome)
    return out


class _Binary(Exception):
    pass


def _no_binary(value: Any) -> Any:
    raise _Binary if isinstance(value, bytes | bytearray | memoryview) else TypeError(value)


# One encoder for every entry: `json.dumps` with options builds a new encoder per call,
# which doubles the cost of a line (and quadruples it under tracemalloc).
_ENCODER = json.JSONEncoder(
    ensure_ascii=False,
    separators=(",", ":"),
    allow_nan=False,
    check_circular=False,  # a log entry is a tree
    default=_no_binary,
)
if c_make_encoder is not None:
    # (markers, default, encoder, indent, key sep, item sep, sort_keys, skipkeys, allow_nan)
    _encode = c_make_encoder(
        None, _no_binary, encode_basestring, None, ":", ",", False, False, False
    )

    def _dumps(value: Any) -> str:
        return "".join(_encode(value, 0))

else:  # no C accelerator

    def _dumps(value: Any) -> str:
        return _ENCODER.encode(value)


def dumps(item: dict[str, Any]) -> str:
    """One entry as one line of JSON, binary values as base64 listed under `b64`.

    Most entries hold no binary: they take one pass of the C encoder; the few that do
    are walked to find their paths."""
    try:
        return _dumps(item)
    except _Binary:
        pass
    binary: list[list[str]] = []
    plain = _plain(item, (), binary)
    plain["b64"] = binary
    return _dumps(plain)


def line(step: Step, pseudonyms: Pseudonyms, texts: dict[int, str]) -> str:
    """`dumps(entry(step, pseudonyms))`, the same text, written without the entry's maps.

    Issue 17: the C encoder spent half its time on the entry and outcome maps, and most
    `data` and `actor` maps repeat (the reader shares one value per distinct blob within a
    read). `texts` maps `id()` of a `data` or `actor` map to its JSON, for one read batch
    only: the batch keeps those maps alive, so no id is reused meanwhile. Entries this does
    not write the same way (binary values, a `seq` or `ts` of another type, a `ts` that is
    not finite: `dumps` refuses it) take the general path."""
    rec = step.record
    seq, ts = rec.seq, rec.ts
    if type(seq) is not int or type(ts) is not float or not math.isfinite(ts):
        return dumps(entry(step, pseudonyms))
    try:
        data = texts.get(id(rec.data))
        if data is None:
            data = texts[id(rec.data)] = _dumps(rec.data)
        if step.privacy is not None:
            who = ',"pseudonym":' + encode_basestring(pseudonyms.for_record(rec, step.privacy))
        elif rec.actor is not None:
            actor = texts.get(id(rec.actor))
            if actor is None:
                actor = texts[id(rec.actor)] = _dumps(rec.actor)
            who = ',"actor":' + actor
        else:
            who = ""
        outcome = step.outcome
        if outcome.ok:
            made = "null" if outcome.event is None else encode_basestring(outcome.event.type)
            result = '{"ok":true,"event":' + made + ',"result":' + _dumps(outcome.result) + "}"
        else:
            result = _dumps(outcome_json(outcome))
    except _Binary:
        return dumps(entry(step, pseudonyms))
    kind = encode_basestring(rec.type) if type(rec.type) is str else _dumps(rec.type)
    return f'{{"seq":{seq!r},"ts":{ts!r},"type":{kind},"data":{data}{who},"outcome":{result}}}'


async def json_chunks(
    record: SessionRecord, pseudonyms: Pseudonyms, chunk: int = CHUNK
) -> AsyncIterator[bytes]:
    """The JSON transcript as UTF-8 chunks of about `chunk` bytes, produced as the log is
    folded: at most one read batch and one chunk are held at a time. A chunk always ends
    at the end of an entry."""
    parts: list[str] = ["["]
    size = 1
    separator = "\n"
    async for records in record.batches():
        texts: dict[int, str] = {}  # JSON of this batch's data and actor maps, by id
        for step in record.fold(records):
            text = line(step, pseudonyms, texts)
            parts += (separator, text)
            separator = ",\n"
            size += len(text) + 2
            if size >= chunk:
                yield "".join(parts).encode("utf-8")
                parts, size = [], 0
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


# -- reading (for `workshop import`) ---------------------------------------------------


class TranscriptError(ValueError):
    """The file is not a JSON transcript this build can import."""


def _decode_binary(item: dict[str, Any]) -> dict[str, Any]:
    for path in item.pop("b64", None) or ():
        if not isinstance(path, list) or not path:
            raise TranscriptError(f"seq {item.get('seq')}: bad b64 path {path!r}")
        node: Any = item
        for key in path[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        last = path[-1]
        if isinstance(node, list):
            node[int(last)] = base64.b64decode(node[int(last)], validate=True)
        else:
            node[last] = base64.b64decode(node[last], validate=True)
    return item


def _lines(stream: TextIO) -> Iterator[dict[str, Any]] | None:
    """Entries of a file in the one-entry-per-line layout, or None if it is not in it."""
    head = stream.readline()
    if head.strip() != "[":
        return None

    def entries() -> Iterator[dict[str, Any]]:
        for raw in stream:
            text = raw.strip()
            if not text:
                continue
            if text == "]":
                return
            item = json.loads(text.removesuffix(","))
            if not isinstance(item, dict):
                raise TranscriptError("every entry of the array must be an object")
            yield item
        raise TranscriptError("the array is not closed: the file is cut short")

    return entries()


def read_entries(open_text: Callable[[], TextIO]) -> Iterator[dict[str, Any]]:
    """Every entry of a JSON transcript, binary values decoded, in file order.

    `open_text` opens the file afresh (it is opened twice if the layout is not ours)."""
    with open_text() as stream:
        entries = _lines(stream)
        if entries is not None:
            count = 0
            try:
                for item in entries:
                    count += 1
                    yield _decode_binary(item)
                return
            except json.JSONDecodeError as exc:
                if count:
                    raise TranscriptError(f"entry {count + 1} is not JSON: {exc}") from None
                # the same JSON in another layout: read it whole below
    with open_text() as stream:
        try:
            items = json.load(stream)
        except json.JSONDecodeError as exc:
            raise TranscriptError(f"not JSON: {exc}") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise TranscriptError("a JSON transcript is an array of objects")
    for item in items:
        yield _decode_binary(item)
