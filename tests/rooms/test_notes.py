"""The notes fold (`server/rooms/notes.py`, `notes_document.py`): real Yjs v1 updates
made with pycrdt.

What is checked: an update is merged and forwarded to everyone with who made it; a locked
document refuses participants and takes moderators; a closed room refuses everyone;
malformed updates, updates that fail half-way and Yrs panics are `bad_request` and leave
the document exactly as it was; the text, history and pending limits are `too_large`;
an update that arrives before the one it depends on waits, in the state and in every
snapshot, and lands when its predecessor does; snapshots and folds are deterministic.
"""

from __future__ import annotations

import random
from typing import Any

import msgpack
import pytest
from pycrdt import Doc, Text

from protocol.codes import ErrorCode
from server.rooms import RoomState, apply, notes_document
from server.rooms.notes_document import TEXT_LIMIT, BadUpdate, NotesDoc, read_state_vector
from tests.rooms.support import (
    ALICE,
    BOB,
    MOD,
    V_ALICE,
    V_MOD,
    V_STRANGER,
    Cmd,
    Editor,
    Room,
    close,
    durable,
    notes_update,
    refused,
    reopen,
    seen,
    settings,
)


def _varuint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _string(s: str) -> bytes:
    b = s.encode()
    return _varuint(len(b)) + b


def text_of(room: Room) -> str:
    return room.state.notes.value()


def round_trip(state: RoomState) -> RoomState:
    packed = msgpack.packb(state.to_snapshot(), use_bin_type=True)
    return RoomState.from_snapshot(msgpack.unpackb(packed, raw=False, strict_map_key=True))


# -- merging and forwarding ------------------------------------------------------------------


def test_an_update_is_merged_and_forwarded_to_everyone_with_its_author() -> None:
    room, aiko = Room(), Editor(1)
    u = aiko.append("避難所の場所 / Shelter locations\n")
    out = room.ok(notes_update(ALICE, u))
    assert text_of(room) == "避難所の場所 / Shelter locations\n"
    assert out.event is not None and out.event.type == "notes.update"
    for v in (V_ALICE, V_MOD, V_STRANGER):
        assert seen(out, v) == {"u": u, "by": {"name": "Alice", "org": "Sendai City"}}
    assert out.result == {}


def test_two_editors_converge_whatever_the_interleaving() -> None:
    room, a, b = Room(), Editor(1), Editor(2)
    room.ok(notes_update(ALICE, a.append("Agenda\n")))
    b.receive(a.doc.get_update())
    ua = a.append("1. Warnings (Aiko)\n")
    ub = b.insert(0, "Сэдэв: ")  # concurrent with ua
    room.ok(notes_update(BOB, ub))
    room.ok(notes_update(ALICE, ua))
    a.receive(ub)
    b.receive(ua)
    assert a.value() == b.value() == text_of(room)
    assert "1. Warnings (Aiko)" in text_of(room) and text_of(room).startswith("Сэдэв: ")


def test_a_duplicate_changes_nothing_and_is_still_forwarded() -> None:
    room, a = Room(), Editor(1)
    u = a.append("once")
    room.ok(notes_update(ALICE, u))
    before = durable(room.state)
    out = room.ok(notes_update(ALICE, u))
    assert text_of(room) == "once" and durable(room.state) == before
    assert seen(out, V_STRANGER) is not None


def test_a_deletion_only_update_is_merged() -> None:
    room, a = Room(), Editor(1)
    room.ok(notes_update(ALICE, a.append("keep this, drop that")))
    room.ok(notes_update(ALICE, a.delete(9, 11)))
    assert text_of(room) == "keep this"


# -- who may edit ------------------------------------------------------------------------------


def test_locked_notes_refuse_participants_and_take_moderators() -> None:
    room, a = Room(), Editor(1)
    room.ok(settings(notes_locked=True))
    before = durable(room.state)
    out = room(notes_update(ALICE, a.append("participant text")))
    assert refused(out, ErrorCode.FORBIDDEN)
    assert durable(room.state) == before
    m = Editor(3)
    room.ok(notes_update(MOD, m.append("Chair's summary")))
    assert text_of(room) == "Chair's summary"
    room.ok(settings(notes_locked=False))
    room.ok(notes_update(BOB, Editor(2).append(" + Bob")))
    assert "Bob" in text_of(room)


def test_a_closed_room_refuses_every_update_even_a_moderators() -> None:
    room = Room()
    room.ok(close())
    for actor, client in ((ALICE, 1), (MOD, 3)):
        out = room(notes_update(actor, Editor(client).append("late")))
        assert refused(out, ErrorCode.ROOM_CLOSED)
    room.ok(reopen())
    room.ok(notes_update(ALICE, Editor(1).append("after reopening")))
    assert text_of(room) == "after reopening"


# -- refusals leave the document exactly as it was --------------------------------------------


@pytest.mark.parametrize(
    "u",
    [b"", b"\x00", b"\x01", b"\xff\xff\xff\xff", b"\x01\x01\x02\x00\x04", "text", 12, None, [1]],
)
def test_a_malformed_update_is_bad_request(u: Any) -> None:
    room = Room()
    room.ok(notes_update(ALICE, Editor(1).append("before")))
    before = durable(room.state)
    out = room(notes_update(ALICE, u))
    assert refused(out, ErrorCode.BAD_REQUEST)
    assert durable(room.state) == before and text_of(room) == "before"


def test_a_record_without_u_is_bad_request() -> None:
    room = Room()
    assert refused(room(Cmd("notes.update", {}, ALICE)), ErrorCode.BAD_REQUEST)


def test_an_update_that_fails_half_way_is_undone() -> None:
    """Yrs integrates the structs of one client, then raises RuntimeError on the next
    (a parent that is a string, not a type): without the undo the refused update's first
    half would stay in the document on every process, and no client would ever get it."""
    room = Room()
    room.ok(notes_update(ALICE, Editor(1).append("hello")))  # client 1, clock 0 is a string
    good = _varuint(1) + _varuint(9) + _varuint(0) + b"\x04" + _varuint(1) + _string("notes")
    good += _string("GOOD")
    bad = _varuint(1) + _varuint(7) + _varuint(0) + b"\x04" + _varuint(0) + _varuint(1)
    bad += _varuint(0) + _string("x")
    u = _varuint(2) + good + bad + _varuint(0)
    # Without the undo, this is what Yrs does:
    doc = Doc()
    text = doc.get("notes", type=Text)
    doc.apply_update(room.state.notes.encode())
    with pytest.raises(RuntimeError):
        doc.apply_update(u)
    assert str(text) == "helloGOOD"
    before = durable(room.state)
    out = room(notes_update(ALICE, u))
    assert refused(out, ErrorCode.BAD_REQUEST) and "RuntimeError" in (out.msg or "")
    assert text_of(room) == "hello" and durable(room.state) == before
    room.ok(notes_update(ALICE, Editor(1).insert(0, "")))  # still usable


def _panic_class() -> type[BaseException]:
    """pyo3's PanicException, raised for real: pycrdt panics on a delete past the end."""
    text = Doc().get("probe", type=Text)
    try:
        del text[0:1]
    except BaseException as exc:  # a panic is not an Exception
        return type(exc)
    raise AssertionError("no panic")


def test_a_panic_in_yrs_is_bad_request_and_undone(monkeypatch: pytest.MonkeyPatch) -> None:
    panic = _panic_class()
    assert not issubclass(panic, Exception)  # `except Exception` would let it kill the room
    room, a = Room(), Editor(1)
    for word in ("one ", "two ", "three "):
        room.ok(notes_update(ALICE, a.append(word)))
    before = durable(room.state)
    live = room.state.notes.doc
    real = Doc.apply_update

    def apply_update(self: Doc, update: bytes) -> None:
        real(self, update)  # half-applied, then the panic
        if self is live:
            raise panic("index out of bounds")

    monkeypatch.setattr(Doc, "apply_update", apply_update)
    out = room(notes_update(ALICE, a.append("four")))
    monkeypatch.undo()
    assert refused(out, ErrorCode.BAD_REQUEST) and "index out of bounds" in (out.msg or "")
    assert durable(room.state) == before and text_of(room) == "one two three "
    room.ok(notes_update(ALICE, a.doc.get_update()))  # resent, it lands
    assert text_of(room) == "one two three four"


def test_the_undo_replays_everything_since_the_checkpoint() -> None:
    room, a = Room(), Editor(1)
    for i in range(400):  # past several checkpoints
        room.ok(notes_update(ALICE, a.append(f"line {i} · 行 {i}\n")))
    expected = text_of(room)
    before = durable(room.state)
    assert refused(room(notes_update(ALICE, b"\x05\x05")), ErrorCode.BAD_REQUEST)
    big = Editor(2).append("x" * (TEXT_LIMIT - len(room.state.notes) + 1))
    assert refused(room(notes_update(BOB, big)), ErrorCode.TOO_LARGE)
    assert text_of(room) == expected and durable(room.state) == before


# -- limits ------------------------------------------------------------------------------------


def test_the_text_limit_counts_utf8_bytes_and_allows_shrinking() -> None:
    room, a = Room(), Editor(1)
    room.ok(notes_update(ALICE, a.append("x" * (TEXT_LIMIT - 7))))
    assert len(room.state.notes) == TEXT_LIMIT - 7
    before = durable(room.state)
    out = room(notes_update(ALICE, a.append("避難所")))  # 3 characters, 9 bytes
    assert refused(out, ErrorCode.TOO_LARGE) and str(TEXT_LIMIT) in (out.msg or "")
    assert durable(room.state) == before
    b = Editor(2)
    b.receive(room.state.notes.encode())
    room.ok(notes_update(BOB, b.append("避難")))  # 6 bytes: fits
    assert len(room.state.notes) == TEXT_LIMIT - 1
    room.ok(notes_update(BOB, b.delete(0, 10)))  # deleting near the limit is fine
    assert len(room.state.notes) == TEXT_LIMIT - 11


def test_text_waiting_for_an_earlier_update_counts_when_it_lands() -> None:
    """A pending update cannot sneak text past the limit: the small update that lets it
    land is refused, and both stay as they were."""
    room, a = Room(), Editor(1)
    room.ok(notes_update(ALICE, Editor(3).append("y" * (TEXT_LIMIT - 100))))
    first = a.append("ab")
    second = a.append("z" * 200)  # depends on `first`
    room.ok(notes_update(ALICE, second))  # waits
    assert room.state.notes.pending
    before = durable(room.state)
    assert refused(room(notes_update(ALICE, first)), ErrorCode.TOO_LARGE)
    assert durable(room.state) == before


def test_the_history_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notes_document, "HISTORY_LIMIT", 1000)
    room, a = Room(), Editor(1)
    for _ in range(4):
        room.ok(notes_update(ALICE, a.append("x" * 200)))
        room.ok(notes_update(ALICE, a.delete(0, 200)))
    room.ok(notes_update(ALICE, a.append("y" * 100)))  # 900 units inserted so far
    before = durable(room.state)
    out = room(notes_update(ALICE, Editor(2).append("z" * 101)))
    assert refused(out, ErrorCode.TOO_LARGE) and "history" in (out.msg or "")
    assert durable(room.state) == before
    # Already past the limit (lowered since, say): what adds nothing to it is still taken.
    monkeypatch.setattr(notes_document, "HISTORY_LIMIT", 500)
    b = Editor(3)
    b.receive(room.state.notes.encode())
    room.ok(notes_update(BOB, b.delete(0, 10)))
    assert text_of(room) == "y" * 90
    assert refused(room(notes_update(BOB, b.append("!"))), ErrorCode.TOO_LARGE)


def test_the_pending_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notes_document, "PENDING_LIMIT", 3)
    room = Room()
    for client in range(1, 5):
        ed = Editor(client)
        ed.append("first")
        out = room(notes_update(ALICE, ed.append(" second")))  # without its first
        if client <= 3:
            assert out.ok
        else:
            assert refused(out, ErrorCode.TOO_LARGE) and "wait" in (out.msg or "")
    assert len(room.state.notes.pending) == 3
    room.ok(notes_update(ALICE, Editor(9).append("in order is always fine")))


# -- out of causal order -----------------------------------------------------------------------


def test_an_update_before_its_predecessor_waits_and_then_lands() -> None:
    room, a = Room(), Editor(1)
    u1, u2, u3 = a.append("one "), a.append("two "), a.append("three")
    room.ok(notes_update(ALICE, u3))
    room.ok(notes_update(ALICE, u2))
    assert text_of(room) == "" and len(room.state.notes.pending) == 2
    room.ok(notes_update(ALICE, u1))
    assert text_of(room) == "one two three" and room.state.notes.pending == []


def test_a_deletion_before_the_text_it_deletes_waits() -> None:
    room, a = Room(), Editor(1)
    u1 = a.append("keep DROP")
    u2 = a.delete(4, 5)
    room.ok(notes_update(ALICE, u2))
    assert room.state.notes.pending
    room.ok(notes_update(ALICE, u1))
    assert text_of(room) == "keep" and room.state.notes.pending == []


def test_a_snapshot_keeps_what_waits() -> None:
    """pycrdt's get_update() leaves pending structs and deletions out: a snapshot made
    from it alone would lose an acknowledged edit across a restart."""
    room, a = Room(), Editor(1)
    u1, u2 = a.append("hello "), a.append("world")
    u3 = a.delete(0, 1)
    room.ok(notes_update(ALICE, u2))
    room.ok(notes_update(ALICE, u3))
    doc = Doc()
    doc.apply_update(room.state.notes.doc.get_update())
    assert doc.get_update() == Doc().get_update()  # what plain get_update() would keep
    loaded = round_trip(room.state)
    assert loaded.notes.pending == room.state.notes.pending
    for state in (room.state, loaded):
        apply(state, notes_update(ALICE, u1).at(state.seq + 1))
        assert state.notes.value() == "ello world" and state.notes.pending == []
    assert loaded.to_snapshot() == room.state.to_snapshot()
    # The snapshot's document alone (for readers that know nothing of notes_pending)
    # holds the pending parts too.
    early = Room()
    early.ok(notes_update(ALICE, u2))
    alone = NotesDoc(early.state.to_snapshot()["notes"])
    alone.apply(u1)
    assert alone.value() == "hello world"


# -- snapshots and determinism -----------------------------------------------------------------


def _log() -> list[Cmd]:
    a, b, c = Editor(1), Editor(2), Editor(3)
    cmds = [notes_update(ALICE, a.append("Sendai: 避難訓練 every March.\n"))]
    b.sync_from(a)
    c.sync_from(a)
    cmds.append(notes_update(BOB, b.append("Улаанбаатар: газар хөдлөлтийн дасгал.\n")))
    cmds.append(notes_update(MOD, c.insert(0, "# Notes 😀\n")))
    cmds.append(notes_update(ALICE, a.delete(0, 7)))
    for ed in (a, b, c):
        for other in (a, b, c):
            if other is not ed:
                ed.sync_from(other)
    cmds.append(notes_update(BOB, b.append("Next: siren tests.")))
    cmds.append(notes_update(ALICE, b"\x00\x01\x02"))
    cmds.append(settings(notes_locked=True))
    cmds.append(notes_update(ALICE, a.append("refused")))
    return cmds


def _fold(cmds: list[Cmd], state: RoomState | None = None) -> tuple[RoomState, list[Any]]:
    room = Room(state=state or RoomState())
    return room.state, [room(cmd) for cmd in cmds]


def test_two_folds_agree() -> None:
    s1, o1 = _fold(_log())
    s2, o2 = _fold(_log())
    assert o1 == o2
    assert s1.to_snapshot() == s2.to_snapshot()
    assert s1.notes.value() == s2.notes.value()
    assert "Next: siren tests." in s1.notes.value() and "refused" not in s1.notes.value()


@pytest.mark.parametrize("cut", range(0, 9))
def test_a_snapshot_round_trip_equals_the_document(cut: int) -> None:
    cmds = _log()
    whole, outs = _fold(cmds)
    prefix, _ = _fold(cmds[:cut])
    loaded = round_trip(prefix)
    assert loaded.notes.value() == prefix.notes.value()
    assert loaded.notes.state_vector() == prefix.notes.state_vector()
    assert loaded.notes.encode() == prefix.notes.encode()
    rest, outs_rest = _fold(cmds[cut:], loaded)
    assert rest.notes.value() == whole.notes.value()
    assert rest.to_snapshot() == whole.to_snapshot()
    assert [o.code for o in outs_rest] == [o.code for o in outs[cut:]]


def test_the_compaction_is_the_document_not_its_history() -> None:
    room, a = Room(), Editor(1)
    for i in range(300):
        room.ok(notes_update(ALICE, a.append(f"{i} ")))
        if i % 3 == 0:
            room.ok(notes_update(ALICE, a.delete(0, 1)))
    encoded = room.state.notes.encode()
    assert NotesDoc(encoded).value() == a.value() == text_of(room)
    assert len(encoded) < len(a.value().encode()) * 2


def test_sync_by_state_vector() -> None:
    notes = NotesDoc()
    a, b = Editor(1), Editor(2)
    notes.apply(a.append("from a. "))
    notes.apply(b.append("from b. "))
    a.receive(notes.missing(a.doc.get_state()))
    assert a.value() == notes.value()
    assert read_state_vector(notes.state_vector()) == {1: 8, 2: 8}
    assert notes.missing(notes.state_vector()) == b"\x00\x00"
    with pytest.raises(BadUpdate):
        notes.missing(b"\xff\xff\xff")
    assert str(notes) == notes.value()  # the transcripts read str(state.notes)


def _shuffled_history(seed: int, n: int = 150) -> tuple[list[bytes], str]:
    """`n` updates of three editors who see each other now and then, shuffled; and the
    text every Yjs peer reaches once it has them all."""
    rng = random.Random(seed)
    editors = [Editor(10 + i) for i in range(3)]
    ups = []
    for _ in range(n):
        ed = rng.choice(editors)
        if rng.random() < 0.3:
            for other in editors:
                if other is not ed:
                    ed.sync_from(other)
        length = len(ed.value())
        if length > 5 and rng.random() < 0.3:
            ups.append(ed.delete(rng.randrange(length - 2), 2))
        else:
            ups.append(ed.insert(rng.randint(0, length), rng.choice(["ab ", "日本 ", "Ө", "x"])))
    reference = Editor(99)
    for u in ups:
        reference.receive(u)
    rng.shuffle(ups)
    return ups, reference.value()


@pytest.mark.parametrize("seed", range(6))
def test_out_of_causal_order_the_fold_still_converges(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain pycrdt applying these shuffled updates leaves structs waiting for good in 4
    of these 6 orders (with everything they need present); the fold applies what waits again
    whenever the document moves, and reaches the text every peer has. A snapshot at any
    point, loaded and continued, ends the same."""
    monkeypatch.setattr(notes_document, "PENDING_LIMIT", 10_000)
    monkeypatch.setattr(notes_document, "PENDING_BYTES", 10**9)
    ups, expected = _shuffled_history(seed)
    cmds = [notes_update(ALICE, u) for u in ups]
    whole, outs = _fold(cmds)
    assert all(out.ok for out in outs)
    assert whole.notes.value() == expected and whole.notes.pending == []
    for cut in (len(cmds) // 3, len(cmds) // 2):
        prefix, _ = _fold(cmds[:cut])
        rest, _ = _fold(cmds[cut:], round_trip(prefix))
        assert rest.to_snapshot() == whole.to_snapshot()
