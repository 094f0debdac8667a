"""protocol.frames: every server frame's builder, `read_frame`, and the golden frames.

`golden_frames.json` pins the msgpack bytes of every server frame kind, every client
command kind and the codec's edge cases. This module regenerates it from the builders
and fails when the committed file differs; client/web/test/codec.test.js reads the same
file, so the browser codec and Python's msgpack are held to the same bytes (STYLE.md 1).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from protocol.codec import Limits, decode_frame, encode_frame
from protocol.codes import ErrorCode, ProtocolError
from protocol.frames import (
    HIDDEN,
    Err,
    Ev,
    Frame,
    NotesSynced,
    Ok,
    PollResults,
    Pong,
    Presence,
    Queue,
    Snapshot,
    Welcome,
    read_frame,
)
from protocol.messages import COMMANDS, Command, parse_command

GOLDEN = Path(__file__).with_name("golden_frames.json")
CID = "0b0e5c8e-3f5e-4c1a-9d2e-6a1f0c7b9e11"
TS = 1764200000.25
ME = {"pid": "p7", "name": "佐藤 花子", "org": "Sendai City", "roles": ["participant"]}
ROOM = {
    "code": "SUB-PLAN",
    "title": "Planning and Investment",
    "event": {"title": "City-to-city learning"},
    "state": "open",
    "settings": {"premoderation": False, "anonymous_allowed": True, "notes_locked": False},
}
QUESTION = {
    "qid": "q17",
    "text": "Хэрхэн бэлтгэх вэ?",
    "lang": "mn",
    "author": {"pid": "p7", "name": "Бат", "org": "Ulaanbaatar City"},
    "status": "live",
}
STATE = {
    "questions": [{**QUESTION, "votes": 3, "answer": None, "ts": TS}],
    "pinned": None,
    "polls": [],
    "settings": ROOM["settings"],
    "state": "open",
    "mine": {"votes": ["q17"], "questions": [], "poll_votes": {}},
}

# One of every kind of server frame, and the variants whose keys differ.
SERVER_FRAMES: list[tuple[str, Frame]] = [
    ("ok ask", Ok(2, 14, {"qid": "q17", "status": "live"})),
    ("ok vote", Ok(3, 15, {"votes": 4})),
    ("ok pending", Ok(4, 16, pending=True)),
    ("ok duplicate", Ok(5, 12, {"qid": "q9", "status": "pending"}, duplicate=True)),
    ("ok without seq (empty notes.update)", Ok(6, None)),
    ("welcome", Welcome(1, ME, "tok.abc", ROOM, 13, "e1")),
    ("notes synced", NotesSynced(7, b"\x01\x00", b"\x00", 13)),
    ("err", Err(8, str(ErrorCode.CONFLICT), "the poll is closed")),
    ("err without re", Err(None, str(ErrorCode.BAD_FRAME), "frame is not one valid msgpack value")),
    ("err rate_limited", Err(9, str(ErrorCode.RATE_LIMITED), "slow down", retry_after=1.5)),
    ("pong", Pong(10)),
    ("ev question.asked", Ev(14, TS, "question.asked", QUESTION)),
    ("ev question.pinned nil", Ev(15, TS, "question.pinned", {"qid": None})),
    ("ev notes.update bin", Ev(16, TS, "notes.update", {"u": bytes(range(1, 40))})),
    ("ev whole-number ts", Ev(17, 1764200000.0, "room.state", {"state": "closed"})),
    ("ev hidden", Ev.hidden(18, TS)),
    ("snapshot", Snapshot(13, "e1", STATE)),
    ("snapshot without epoch", Snapshot(0, None, {"questions": []})),
    ("presence", Presence(42, {"sendai": 23, "Ulaanbaatar City": 19})),
    (
        "presence by_city",
        Presence(44, {"sendai": 23, "ub": 19, "Tohoku": 2}, {"sendai": 23, "ulaanbaatar": 19}),
    ),
    ("queue", Queue(2, 1)),
    ("poll.results single", PollResults("p2", [3, 0, 5], 8)),
    ("poll.results words", PollResults("p3", {"levee": 4, "evacuation route": 1}, 5)),
]

# One of every client command kind (COMMANDS), built by its class as a client would. The
# classes are looked up by `t`, so a renamed class keeps its golden bytes.
COMMAND_FIELDS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "join",
        "join",
        {"id": 1, "room": "SUB-PLAN", "name": "佐藤 花子", "org": "Sendai City", "lang": "ja"},
    ),
    (
        "join resume at 2^53-1",
        "join",
        {"id": 4, "room": "SUB-PLAN", "name": "A", "token": "t", "since": 2**53 - 1, "epoch": "e1"},
    ),
    ("ask", "ask", {"id": 2, "cid": CID, "text": "Хэрхэн бэлтгэх вэ?", "lang": "mn"}),
    ("vote", "vote", {"id": 3, "cid": "x", "qid": "q17", "up": True}),
    ("withdraw", "withdraw", {"id": 5, "cid": CID, "qid": "q17"}),
    ("moderate", "moderate", {"id": 6, "cid": CID, "qid": "q17", "action": "approve"}),
    ("edit", "edit", {"id": 7, "cid": CID, "qid": "q17", "text": "How are shelters chosen?"}),
    ("answer", "answer", {"id": 8, "cid": CID, "qid": "q17", "text": "By the ward, each spring."}),
    (
        "translate",
        "translate",
        {
            "id": 30, "cid": CID, "qid": "q17", "field": "text", "lang": "mn",
            "text": "Хэн санхүүжүүлдэг вэ?",
        },
    ),
    (
        "poll.create",
        "poll.create",
        {"id": 9, "cid": CID, "title": "Priority", "kind": "single", "options": ("A", "B")},
    ),
    (
        "poll.edit",
        "poll.edit",
        {"id": 10, "cid": CID, "poll_id": "p2", "title": "Stars", "kind": "rating"},
    ),
    ("poll.open", "poll.open", {"id": 11, "cid": CID, "poll_id": "p2"}),
    ("poll.close", "poll.close", {"id": 12, "cid": CID, "poll_id": "p2"}),
    ("poll.vote single", "poll.vote", {"id": 13, "cid": CID, "poll_id": "p2", "choice": 1}),
    ("poll.vote multi", "poll.vote", {"id": 14, "cid": CID, "poll_id": "p2", "choice": (0, 2)}),
    ("poll.vote word", "poll.vote", {"id": 15, "cid": CID, "poll_id": "p3", "choice": "levee"}),
    ("poll.hide_word", "poll.hide_word", {"id": 16, "cid": CID, "poll_id": "p3", "word": "levee"}),
    ("notes.sync", "notes.sync", {"id": 17, "sv": b"\x00"}),
    ("notes.update", "notes.update", {"id": 18, "cid": CID, "u": bytes(range(200))}),
    ("settings", "settings", {"id": 19, "cid": CID, "premoderation": True}),
    ("room.close", "room.close", {"id": 20, "cid": CID}),
    ("room.open", "room.open", {"id": 21, "cid": CID}),
    ("ping", "ping", {"id": 22}),
    ("poll.delete", "poll.delete", {"id": 23, "cid": CID, "poll_id": "p2"}),
    ("poll.show", "poll.show", {"id": 25, "cid": CID, "poll_id": "p2"}),
    ("poll.show nil: clear the screen", "poll.show", {"id": 26, "cid": CID, "poll_id": None}),
    (
        "poll.create timed, results once voted",
        "poll.create",
        {
            "id": 24,
            "cid": CID,
            "title": "Stars",
            "kind": "rating",
            "seconds": 60,
            "hide_until_voted": True,
        },
    ),
]
COMMAND_SAMPLES: list[tuple[str, Command]] = [
    (name, COMMANDS[t](**fields)) for name, t, fields in COMMAND_FIELDS
]

# The msgpack encodings where two encoders could disagree: each holds both ways. The widest
# int is 2^53-1: JavaScript's encoder writes 2^53 itself (not a safe integer) as a float64.
SAFE = 2**53 - 1
CODEC_EDGES: list[tuple[str, dict[str, Any]]] = [
    ("ints at every width", {"t": "x", "n": [0, 127, 128, 255, 256, 65535, 65536, 2**32, SAFE]}),
    ("negative ints", {"t": "x", "n": [-1, -32, -33, -128, -129, -32768, -32769, -SAFE]}),
    ("floats", {"t": "x", "f": [0.5, -1.25, 1e-7, 1764200000.25]}),
    ("strings at every width", {"t": "x", "s": ["", "a" * 31, "a" * 32, "a" * 256, "仙台" * 20]}),
    ("bin at every width", {"t": "x", "b": [b"", b"\x00" * 255, b"\xff" * 256]}),
    ("nil, bools, empty containers", {"t": "x", "v": [None, True, False, [], {}]}),
    ("map of 16 keys", {f"k{n:02}": n for n in range(16)}),
    ("array of 16 items", {"t": "x", "a": list(range(16))}),
]

# Bytes that decode to something other than one map: both codecs refuse them.
REFUSED: list[tuple[str, bytes]] = [
    ("an array", bytes.fromhex("93010203")),
    ("nil", bytes.fromhex("c0")),
    ("a string", bytes.fromhex("a3616263")),
    ("bin", bytes.fromhex("c403010203")),
]

LARGE = Limits(frame=2**20, string=2**20, binary=2**20, array=2**16, map=2**16, depth=32)


def to_json(value: Any) -> Any:
    """A msgpack value as JSON: bytes become {"$bin": hex}, tuples lists."""
    if isinstance(value, bytes):
        return {"$bin": value.hex()}
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def from_json(value: Any) -> Any:
    """The inverse of `to_json` (what client/web/test/codec.test.js does too)."""
    if isinstance(value, dict):
        if value.keys() == {"$bin"}:
            return bytes.fromhex(value["$bin"])
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value


def golden_entries() -> list[dict[str, Any]]:
    """The golden list, built from the builders: `from` says who sends it."""
    entries: list[dict[str, Any]] = []

    def add(name: str, sender: str, frame: dict[str, Any] | None, data: bytes) -> None:
        entries.append({"name": name, "from": sender, "frame": frame, "hex": data.hex()})

    for name, command in COMMAND_SAMPLES:
        add(name, "client", to_json(command.frame()), encode_frame(command.frame()))
    for name, frame in SERVER_FRAMES:
        add(name, "server", to_json(frame.to_wire()), frame.encode())
    for name, edge in CODEC_EDGES:
        add(name, "both", to_json(edge), encode_frame(edge))
    for name, data in REFUSED:
        add(name, "refused", None, data)
    return entries


def golden_text() -> str:
    return json.dumps(golden_entries(), ensure_ascii=False, indent=1) + "\n"


# -- the golden file ------------------------------------------------------------------------


def test_golden_file_is_current() -> None:
    text = golden_text()
    if os.environ.get("GOLDEN_WRITE") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    committed = GOLDEN.read_text(encoding="utf-8") if GOLDEN.exists() else ""
    assert committed == text, (
        f"{GOLDEN.name} differs from what the builders write: if the change is meant, "
        "rerun with GOLDEN_WRITE=1 to rewrite it (and run the JS codec test)"
    )


def test_every_command_and_frame_kind_is_golden() -> None:
    assert {command.T for _, command in COMMAND_SAMPLES} == set(COMMANDS), (
        "every command in protocol.messages.COMMANDS needs a golden sample here"
    )
    kinds = {Ok, Welcome, NotesSynced, Err, Pong, Ev, Snapshot, Presence, Queue, PollResults}
    assert {type(frame) for _, frame in SERVER_FRAMES} == kinds


@pytest.mark.parametrize("entry", golden_entries(), ids=lambda entry: entry["name"])
def test_golden_json_rebuilds_the_bytes(entry: dict[str, Any]) -> None:
    data = bytes.fromhex(entry["hex"])
    if entry["from"] == "refused":
        with pytest.raises(ProtocolError) as info:
            decode_frame(data)
        assert info.value.code is ErrorCode.BAD_FRAME
        return
    frame = from_json(json.loads(json.dumps(entry["frame"])))
    assert encode_frame(frame) == data
    assert decode_frame(data, LARGE) == frame


@pytest.mark.parametrize(("name", "command"), COMMAND_SAMPLES, ids=[n for n, _ in COMMAND_SAMPLES])
def test_golden_commands_parse_back(name: str, command: Command) -> None:
    assert parse_command(decode_frame(encode_frame(command.frame()))) == command


# -- builders -------------------------------------------------------------------------------


def test_ok_keys_and_optional_flags() -> None:
    assert list(Ok(2, 14, {"qid": "q1", "status": "live"}).to_wire()) == [
        "t", "re", "qid", "status", "seq",
    ]  # fmt: skip
    assert Ok(2, None).to_wire() == {"t": "ok", "re": 2, "seq": None}
    assert Ok(2, 5, pending=True).to_wire() == {"t": "ok", "re": 2, "seq": 5, "pending": True}
    wire = Ok(2, 5, pending=True, duplicate=True).to_wire()
    assert list(wire) == ["t", "re", "seq", "pending", "duplicate"]


def test_welcome_and_notes_synced_keys() -> None:
    welcome = Welcome(1, ME, "tok", ROOM, 13, "e1").to_wire()
    assert list(welcome) == ["t", "re", "me", "token", "room", "seq", "epoch"]
    synced = NotesSynced(7, b"\x01", b"\x02", 3).to_wire()
    assert synced == {"t": "ok", "re": 7, "u": b"\x01", "sv": b"\x02", "seq": 3}
    assert type(synced["u"]) is bytes and type(synced["sv"]) is bytes
    assert decode_frame(NotesSynced(7, b"\x01", b"\x02", 3).encode())["u"] == b"\x01"


def test_err_keys_and_retry_after() -> None:
    assert Err(8, ErrorCode.CONFLICT, "closed").to_wire() == {
        "t": "err", "re": 8, "code": "conflict", "msg": "closed",
    }  # fmt: skip
    wire = Err(9, "rate_limited", "slow down", 1.5).to_wire()
    assert list(wire) == ["t", "re", "code", "msg", "retry_after"]
    assert type(Err(1, ErrorCode.INTERNAL, "x").to_wire()["code"]) is str
    refused = Err.of(ProtocolError(ErrorCode.NOT_FOUND, "no such question", 12))
    assert refused == Err(12, "not_found", "no such question")


def test_event_frames() -> None:
    assert list(Ev(1, TS, "question.voted", {"qid": "q1", "votes": 2}).to_wire()) == [
        "t", "seq", "ts", "type", "data",
    ]  # fmt: skip
    hidden = Ev.hidden(4, 2.0)
    assert hidden == Ev(4, 2.0, HIDDEN, {})
    assert hidden.to_wire() == {"t": "ev", "seq": 4, "ts": 2.0, "type": "hidden", "data": {}}
    notes = decode_frame(Ev(5, TS, "notes.update", {"u": b"\x00\x01"}).encode())
    assert type(notes["data"]["u"]) is bytes


def test_snapshot_and_side_frames() -> None:
    assert list(Snapshot(3, "e1", {}).to_wire()) == ["t", "seq", "epoch", "state"]
    assert Snapshot(3, None, {}).to_wire() == {"t": "snapshot", "seq": 3, "state": {}}
    assert Pong(10).to_wire() == {"t": "pong", "re": 10}
    presence = Presence(2, {"UNDRR": 2}).to_wire()
    assert presence == {"t": "presence", "count": 2, "by_org": {"UNDRR": 2}}  # no by_city
    by_city = Presence(3, {"sendai": 2, "x": 1}, {"sendai": 2}).to_wire()
    assert by_city["by_city"] == {"sendai": 2} and list(by_city)[-1] == "by_city"
    assert read_frame({"t": "presence", "count": 1, "by_org": {}}) == Presence(1, {}, {})
    with pytest.raises(ProtocolError):
        read_frame({"t": "presence", "count": 1, "by_org": {}, "by_city": [1]})
    assert Queue(1, 0).to_wire() == {"t": "queue", "pending": 1, "dismissed": 0}
    results = PollResults("p1", [1, 2], 3).to_wire()
    assert list(results) == ["t", "poll_id", "counts", "voters"]


# -- reading --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "frame"), SERVER_FRAMES, ids=[n for n, _ in SERVER_FRAMES])
def test_read_frame_round_trips_every_builder(name: str, frame: Frame) -> None:
    read = read_frame(decode_frame(frame.encode(), LARGE))
    if isinstance(frame, Welcome):
        assert isinstance(read, Ok)
        assert Welcome.from_ok(read) == frame
    elif isinstance(frame, NotesSynced):
        assert isinstance(read, Ok)
        assert NotesSynced.from_ok(read) == frame
    else:
        assert read == frame


@pytest.mark.parametrize(
    "wire", [{"t": "poll.show"}, {"t": "later.kind", "seq": 1}, {}, {"t": 3}, {"t": None}]
)
def test_read_frame_ignores_unknown_types(wire: dict[str, Any]) -> None:
    assert read_frame(wire) is None


@pytest.mark.parametrize(
    "wire",
    [
        {"t": "ok", "re": "1", "seq": 1},
        {"t": "ok", "re": 1, "seq": 1.5},
        {"t": "ok", "re": True, "seq": 1},
        {"t": "err", "re": 1, "msg": "no code"},
        {"t": "err", "re": 1, "code": 7, "msg": "x"},
        {"t": "err", "re": 1, "code": "rate_limited", "msg": "x", "retry_after": "1"},
        {"t": "err", "re": 1, "code": "rate_limited", "msg": "x", "retry_after": True},
        {"t": "pong", "re": "x"},
        {"t": "ev", "ts": TS, "type": "hidden", "data": {}},
        {"t": "ev", "seq": 1, "ts": "now", "type": "hidden", "data": {}},
        {"t": "ev", "seq": 1, "ts": True, "type": "hidden", "data": {}},
        {"t": "ev", "seq": 1, "ts": TS, "data": {}},
        {"t": "ev", "seq": 1, "ts": TS, "type": "hidden", "data": []},
        {"t": "snapshot", "seq": 1},
        {"t": "snapshot", "seq": 1, "epoch": 3, "state": {}},
        {"t": "presence", "count": 1},
        {"t": "presence", "count": "1", "by_org": {}},
        {"t": "queue", "pending": 1},
        {"t": "poll.results", "poll_id": "p1", "counts": 3, "voters": 1},
        {"t": "poll.results", "counts": [1], "voters": 1},
    ],
)
def test_read_frame_refuses_malformed_known_frames(wire: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError) as info:
        read_frame(wire)
    assert info.value.code is ErrorCode.BAD_FRAME


def test_read_ok_keeps_the_result_apart() -> None:
    read = read_frame({"t": "ok", "re": 2, "qid": "q1", "seq": 3, "pending": True})
    assert read == Ok(2, 3, {"qid": "q1"}, pending=True)
    assert read_frame({"t": "ok", "re": None}) == Ok(None, None)
    # Extra fields are ignored by readers of fixed frames (PROTOCOL.md: additions are fine).
    assert read_frame({"t": "pong", "re": 1, "later": 2}) == Pong(1)
    assert read_frame({"t": "err", "re": 1, "code": "x", "msg": "y", "retry_after": 2}) == Err(
        1, "x", "y", 2.0
    )


@pytest.mark.parametrize(
    "result",
    [
        {},
        {"me": ME, "token": "t", "room": ROOM},
        {"me": "me", "token": "t", "room": ROOM, "epoch": "e1"},
        {"me": ME, "token": None, "room": ROOM, "epoch": "e1"},
        {"me": ME, "token": "t", "room": ROOM, "epoch": 1},
    ],
)
def test_welcome_from_ok_refuses_what_is_not_a_join_reply(result: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError) as info:
        Welcome.from_ok(Ok(1, 5, result))
    assert info.value.code is ErrorCode.BAD_FRAME


def test_welcome_from_ok_needs_a_seq() -> None:
    with pytest.raises(ProtocolError):
        Welcome.from_ok(Ok(1, None, {"me": ME, "token": "t", "room": ROOM, "epoch": "e1"}))


@pytest.mark.parametrize(
    ("seq", "result"),
    [
        (3, {}),
        (3, {"u": "text", "sv": b""}),
        (3, {"u": b"", "sv": None}),
        (None, {"u": b"", "sv": b""}),
    ],
)
def test_notes_synced_from_ok_refuses_what_is_not_a_sync_reply(
    seq: int | None, result: dict[str, Any]
) -> None:
    with pytest.raises(ProtocolError) as info:
        NotesSynced.from_ok(Ok(7, seq, result))
    assert info.value.code is ErrorCode.BAD_FRAME
