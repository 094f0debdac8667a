"""Helpers for the pure fold tests: records, actors, command builders and a tiny room.

A `Cmd` is a command as the log would hold it, minus its position; a `Room` stamps each
one with the next seq and a ts and folds it, exactly as a process replaying the log would.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from protocol.codes import ErrorCode
from server.rooms import Outcome, RoomState, Viewer, apply

TS0 = 1_750_000_000.0  # ts of seq 0; seq n is stamped TS0 + n / 4

STATUSES = ("pending", "live", "answered", "dismissed", "withdrawn")
PUBLIC = frozenset({"live", "answered"})


@dataclass(frozen=True, slots=True)
class Rec:
    """A log record as the fold reads it (satisfies `server.rooms.record.Entry`)."""

    seq: int
    ts: float
    type: str
    data: dict[str, Any]
    actor: dict[str, Any] | None


def person(pid: str, name: str, org: str, *roles: str) -> dict[str, Any]:
    return {"pid": pid, "name": name, "org": org, "roles": ["participant", *roles]}


ALICE = person("a11ce00000000001", "Alice", "Sendai City")
BOB = person("b0b0000000000002", "Bob", "Ulaanbaatar City")
MOD = person("m0d0000000000003", "Mia", "UNDRR", "moderator", "rapporteur")
RAP = person("4a90000000000004", "Ren", "Tohoku University", "rapporteur")
ACTORS = (ALICE, BOB, MOD, RAP)


def viewer(actor: dict[str, Any]) -> Viewer:
    roles = set(actor["roles"])
    return Viewer(
        pid=actor["pid"],
        staff=bool(roles & {"moderator", "rapporteur"}),
        moderator="moderator" in roles,
    )


V_ALICE, V_BOB, V_MOD, V_RAP = (viewer(a) for a in ACTORS)
V_STRANGER = Viewer(pid="5c0ffee000000005")  # joined, never did anything
VIEWERS = (V_ALICE, V_BOB, V_MOD, V_RAP, V_STRANGER)


@dataclass(frozen=True, slots=True)
class Cmd:
    type: str
    data: dict[str, Any]
    actor: dict[str, Any] | None

    def at(self, seq: int) -> Rec:
        return Rec(
            seq=seq, ts=TS0 + seq / 4, type=self.type, data=dict(self.data), actor=self.actor
        )


def ask(
    actor: dict[str, Any],
    text: str = "How is the plan funded?",
    *,
    lang: str = "en",
    anon: bool = False,
) -> Cmd:
    return Cmd("ask", {"text": text, "lang": lang, "anon": anon}, actor)


def vote(actor: dict[str, Any], qid: str, up: bool = True) -> Cmd:
    return Cmd("vote", {"qid": qid, "up": up}, actor)


def withdraw(actor: dict[str, Any], qid: str) -> Cmd:
    return Cmd("withdraw", {"qid": qid}, actor)


def moderate(qid: str, action: str, actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("moderate", {"qid": qid, "action": action}, actor)


def edit(qid: str, text: str, actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("edit", {"qid": qid, "text": text}, actor)


def answer(qid: str, text: str, actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("answer", {"qid": qid, "text": text}, actor)


def settings(actor: dict[str, Any] = MOD, **values: bool | None) -> Cmd:
    return Cmd("settings", dict(values), actor)


def close(actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("room.close", {}, actor)


def reopen(actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("room.open", {}, actor)


# -- polls (as the log holds them: PollCreate.data() and friends) --------------------------


def poll_create(
    title: str = "Which channel reaches most residents?",
    kind: str = "single",
    options: tuple[str, ...] | list[str] | None = None,
    *,
    hide_results: bool = False,
    hide_until_voted: bool = False,
    seconds: int | None = None,
    actor: dict[str, Any] = MOD,
) -> Cmd:
    if options is None:
        options = ("Siren", "SMS", "Radio") if kind in ("single", "multi") else ()
    data: dict[str, Any] = {
        "title": title,
        "kind": kind,
        "options": list(options),
        "hide_results": hide_results,
    }
    if hide_until_voted:
        data["hide_until_voted"] = True
    if seconds is not None:
        data["seconds"] = seconds
    return Cmd("poll.create", data, actor)


def poll_edit(
    poll_id: str,
    title: str = "Which channel reaches most residents?",
    kind: str = "single",
    options: tuple[str, ...] | list[str] = ("Siren", "SMS", "Radio"),
    *,
    hide_results: bool = False,
    actor: dict[str, Any] = MOD,
) -> Cmd:
    data = {
        "title": title,
        "kind": kind,
        "options": list(options),
        "hide_results": hide_results,
        "poll_id": poll_id,
    }
    return Cmd("poll.edit", data, actor)


def poll_open(poll_id: str, actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("poll.open", {"poll_id": poll_id}, actor)


def poll_close(poll_id: str, actor: dict[str, Any] = MOD) -> Cmd:
    return Cmd("poll.close", {"poll_id": poll_id}, actor)


def poll_vote(actor: dict[str, Any], poll_id: str, choice: Any) -> Cmd:
    return Cmd("poll.vote", {"poll_id": poll_id, "choice": choice}, actor)


def poll_hide_word(
    poll_id: str, word: str, hidden: bool = True, actor: dict[str, Any] = MOD
) -> Cmd:
    return Cmd("poll.hide_word", {"poll_id": poll_id, "word": word, "hidden": hidden}, actor)


@dataclass
class Room:
    """A fresh room state plus the next seq: `room(cmd)` folds one command."""

    state: RoomState = field(default_factory=RoomState)
    last: Rec | None = None

    def __call__(self, cmd: Cmd) -> Outcome:
        rec = cmd.at(self.state.seq + 1)
        self.last = rec
        return apply(self.state, rec)

    def ok(self, cmd: Cmd) -> Outcome:
        """Fold a command that must succeed."""
        out = self(cmd)
        assert out.ok, (cmd, out.code, out.msg)
        return out

    def qid(self, cmd: Cmd) -> str:
        """Fold an `ask` that must succeed and return its qid."""
        qid = self.ok(cmd).result["qid"]
        assert isinstance(qid, str)
        return qid

    def status(self, qid: str) -> str:
        return self.state.questions[qid].status

    def poll(self, cmd: Cmd) -> str:
        """Fold a `poll.create` that must succeed and return its poll_id."""
        poll_id = self.ok(cmd).result["poll_id"]
        assert isinstance(poll_id, str)
        return poll_id

    def open_poll(self, cmd: Cmd) -> str:
        """Create a poll and open it; return its poll_id."""
        poll_id = self.poll(cmd)
        self.ok(poll_open(poll_id))
        return poll_id


def seen(out: Outcome, v: Viewer) -> dict[str, Any] | None:
    """The event data `v` receives for this outcome; None means `hidden`."""
    if out.event is None:
        return None
    variant = out.event.for_viewer(v)
    return None if variant is None else variant.data


def refused(out: Outcome, code: ErrorCode) -> bool:
    """True when the fold refused with `code` and produced no event (hidden to all)."""
    return out.code == code and not out.ok and out.event is None


def durable(state: RoomState) -> dict[str, Any]:
    """The snapshot minus `seq`: what a refused record must leave alone."""
    snap = state.to_snapshot()
    del snap["seq"]
    return snap


def recount(state: RoomState) -> dict[str, int]:
    """The moderation queue counted from the questions themselves."""
    counts = Counter(q.status for q in state.questions.values())
    return {"pending": counts["pending"], "dismissed": counts["dismissed"]}


def in_status(
    room: Room, status: str, *, approved: bool = True, author: dict[str, Any] = ALICE
) -> str:
    """A new question of the participant `author` in `status`, the room's settings kept.

    `approved=False` takes the path through premoderation, so the question was never
    public: pending, dismissed before approval, withdrawn while pending.
    """
    if not approved and status in PUBLIC:
        raise ValueError(f"a {status} question has been approved")
    premod = room.state.settings["premoderation"]
    held = status == "pending" or not approved
    if held != premod:
        room.ok(settings(premoderation=held))
    qid = room.qid(ask(author))
    if held != premod:
        room.ok(settings(premoderation=premod))
    steps = {
        "answered": moderate(qid, "answered"),
        "dismissed": moderate(qid, "dismiss"),
        "withdrawn": withdraw(author, qid),
    }
    if status in steps:
        room.ok(steps[status])
    assert room.status(qid) == status
    assert room.state.questions[qid].public == (approved and status != "pending")
    return qid


# -- notes (real Yjs v1 updates, made with pycrdt) ------------------------------------------


def notes_update(actor: dict[str, Any], u: Any) -> Cmd:
    return Cmd("notes.update", {"u": u}, actor)


class Editor:
    """One pycrdt document editing the notes as a client would: every edit returns the
    Yjs update it made. Offsets are in characters here and turned into pycrdt's UTF-8
    byte offsets, so no edit splits a character."""

    def __init__(self, client_id: int) -> None:
        from pycrdt import Doc, Text

        self.doc = Doc(client_id=client_id)
        self.text = self.doc.get("notes", type=Text)

    def value(self) -> str:
        return str(self.text)

    def _offset(self, chars: int) -> int:
        return len(self.value()[:chars].encode())

    def _edit(self, change: Any) -> bytes:
        before = self.doc.get_state()
        change()
        return bytes(self.doc.get_update(before))

    def insert(self, index: int, s: str) -> bytes:
        return self._edit(lambda: self.text.insert(self._offset(index), s))

    def append(self, s: str) -> bytes:
        return self.insert(len(self.value()), s)

    def delete(self, index: int, length: int) -> bytes:
        """Delete `length` characters at `index` (the update is a delete set: pycrdt, like
        Yjs, puts the document's whole delete set in every update it encodes)."""
        start, end = self._offset(index), self._offset(index + length)

        def change() -> None:
            del self.text[start:end]

        return self._edit(change)

    def receive(self, update: bytes) -> None:
        self.doc.apply_update(update)

    def sync_from(self, other: Editor) -> None:
        self.doc.apply_update(other.doc.get_update(self.doc.get_state()))
