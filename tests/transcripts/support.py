"""A scripted session for the transcript tests: Japanese, Mongolian and English questions,
anonymous ones, votes, moderation, polls, a notes update and a refused command, appended
straight to a backend (no server process), plus helpers to read exports back."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycrdt import Doc, Text

from server.backends.base import Backend, EventInfo, RoomInfo
from server.rooms import RoomState, Viewer, apply
from server.transcripts.report import notes_text

ROOM = "SUB-PLAN"
EVENT = EventInfo(
    event_id="ev0000000001",
    title="City-to-city learning between Sendai and Ulaanbaatar",
    timezones=("Asia/Tokyo", "Asia/Ulaanbaatar"),
    languages=("en", "ja", "mn"),
    rooms=(
        RoomInfo(ROOM, "Planning and Investment", "ev0000000001"),
        RoomInfo("DISCUSS", "Open discussion", "ev0000000001"),
    ),
    created=1_795_000_000.0,
)


def person(pid: str, name: str, org: str, *roles: str) -> dict[str, Any]:
    return {"pid": pid, "name": name, "org": org, "roles": list(roles)}


AIKO = person("a1c0000000000001", "佐藤 愛子", "Sendai City")
BAT = person("ba70000000000002", "Батбаяр", "Ulaanbaatar City")
# Acts only anonymously (and votes): neither name nor pid may appear in any export.
HIDDEN = person("51de000000000003", "Hinata Kakure", "Sendai City")
MOD = person("m0d0000000000004", "Mia Moderator", "UNDRR", "moderator", "rapporteur")

Q_JA = "避難所はどのように選ばれますか？"
Q_MN = "Сургалт хэр олон удаа зохион байгуулагддаг вэ?"
Q_ANON_MN = "Гамшгийн эрсдэлийн санхүүжилт хаанаас ирдэг вэ?"
Q_ANON_WITHDRAWN = "匿名の質問（取り下げ）"
Q_PENDING = "How are schools prepared for <b>winter</b> storms?"
Q_ANON_DISMISSED = "匿名で却下される質問"
Q_MOD_ANON = "A moderator's anonymous question, live despite review"
Q_DISMISSED = "Энэ асуултыг татгалзана"
ANSWER_JA = "地域ごとの危険度と収容人数で選びます。\n二行目の回答。"
ANSWER_MN = "Жилд хоёр удаа, хавар намар."
POLL_SINGLE = "最も重要な課題は？ / Хамгийн чухал асуудал?"
POLL_OPTIONS = ["地震 / Газар хөдлөлт", "洪水 / Үер", "Dzud / Зуд"]
POLL_RATING = "Rate this session"
POLL_WORDS = "One word for resilience"
NOTES_JA = "議事メモ: 避難所の選定基準を共有する。"
NOTES_MN = "Тэмдэглэл: сургалтыг жилд хоёр удаа."
NOTES_TEXT = NOTES_JA + "\n" + NOTES_MN


def _notes_updates() -> list[bytes]:
    """Two Yjs updates to the notes' `Y.Text` (the second appends to the first)."""
    doc = Doc()
    text = doc.get("notes", type=Text)
    text += NOTES_JA
    first = doc.get_update()
    state = doc.get_state()
    text += "\n" + NOTES_MN
    return [first, doc.get_update(state)]


NOTES_UPDATES = _notes_updates()
QUESTIONS = [Q_JA, Q_MN, Q_ANON_MN, Q_ANON_WITHDRAWN, Q_PENDING, Q_ANON_DISMISSED, Q_MOD_ANON,
             Q_DISMISSED]  # fmt: skip
ANSWERS = [ANSWER_JA, ANSWER_MN]


def script() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(type, data, actor) of every record, in order. qids are "q<seq>"."""
    s: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("ask", {"text": Q_JA, "lang": "ja", "anon": False}, AIKO),  # q1
        ("ask", {"text": Q_MN, "lang": "mn", "anon": False}, BAT),  # q2
        ("ask", {"text": Q_ANON_MN, "lang": "mn", "anon": True}, HIDDEN),  # q3
        ("ask", {"text": Q_ANON_WITHDRAWN, "lang": "ja", "anon": True}, HIDDEN),  # q4
        ("vote", {"qid": "q1", "up": True}, BAT),
        ("vote", {"qid": "q1", "up": True}, HIDDEN),
        ("vote", {"qid": "q2", "up": True}, AIKO),
        ("vote", {"qid": "q2", "up": True}, HIDDEN),
        ("vote", {"qid": "q2", "up": False}, HIDDEN),
        ("vote", {"qid": "q3", "up": True}, AIKO),
        ("vote", {"qid": "q3", "up": True}, BAT),
        ("vote", {"qid": "q3", "up": True}, HIDDEN),
        ("answer", {"qid": "q1", "text": ANSWER_JA}, MOD),
        ("moderate", {"qid": "q1", "action": "answered"}, MOD),
        ("moderate", {"qid": "q2", "action": "pin"}, MOD),
        ("answer", {"qid": "q2", "text": ANSWER_MN}, MOD),
        ("withdraw", {"qid": "q4"}, HIDDEN),
        ("settings", {"premoderation": True}, MOD),
        ("ask", {"text": Q_PENDING, "lang": "en", "anon": False}, AIKO),  # q19
        ("ask", {"text": Q_ANON_DISMISSED, "lang": "ja", "anon": True}, HIDDEN),  # q20
        ("moderate", {"qid": "q20", "action": "dismiss"}, MOD),
        ("ask", {"text": Q_MOD_ANON, "lang": "en", "anon": True}, MOD),  # q22
        ("ask", {"text": Q_DISMISSED, "lang": "mn", "anon": False}, BAT),  # q23
        ("moderate", {"qid": "q23", "action": "dismiss"}, MOD),
        ("vote", {"qid": "q23", "up": True}, AIKO),  # refused: not live
        ("poll.create", {"title": POLL_SINGLE, "kind": "single", "options": POLL_OPTIONS}, MOD),
        ("poll.open", {"poll_id": "p26"}, MOD),
        ("poll.vote", {"poll_id": "p26", "choice": 0}, AIKO),
        ("poll.vote", {"poll_id": "p26", "choice": 1}, BAT),
        ("poll.vote", {"poll_id": "p26", "choice": 1}, HIDDEN),
        ("poll.close", {"poll_id": "p26"}, MOD),
        ("poll.create", {"title": POLL_RATING, "kind": "rating", "options": []}, MOD),
        ("poll.open", {"poll_id": "p32"}, MOD),
        ("poll.vote", {"poll_id": "p32", "choice": 5}, AIKO),
        ("poll.vote", {"poll_id": "p32", "choice": 4}, HIDDEN),
        ("poll.create", {"title": POLL_WORDS, "kind": "words", "options": []}, MOD),
        ("poll.open", {"poll_id": "p36"}, MOD),
        ("poll.vote", {"poll_id": "p36", "choice": "協力"}, AIKO),
        ("poll.vote", {"poll_id": "p36", "choice": "хамтын ажиллагаа"}, BAT),
        ("poll.vote", {"poll_id": "p36", "choice": "spam"}, HIDDEN),
        ("poll.hide_word", {"poll_id": "p36", "word": "spam", "hidden": True}, MOD),
        ("notes.update", {"u": NOTES_UPDATES[0]}, AIKO),  # binary in the log
        ("notes.update", {"u": NOTES_UPDATES[1]}, BAT),
        ("room.close", {}, MOD),
    ]
    return s


@dataclass
class Session:
    records: int
    state: RoomState  # as the fold leaves it


async def populate(backend: Backend, room: str = ROOM, create: bool = True) -> Session:
    """Create the event (once) and append the script to `room`."""
    if create:
        await backend.create_event(EVENT)
    for i, (type_, data, actor) in enumerate(script()):
        await backend.append(room, type_, data, actor, f"cid-{i}")
    return Session(len(script()), await fold(backend, room))


async def fold(backend: Backend, room: str = ROOM) -> RoomState:
    state = RoomState()
    async for rec in backend.read_all(room):
        apply(state, rec)
    return state


STAFF = Viewer(pid="0000000000000000", staff=True, moderator=True)


def staff_view(state: RoomState) -> dict[str, Any]:
    """Every viewer-independent field of what staff see (`mine` is the viewer's own)."""
    view = state.view(STAFF)
    view.pop("mine")
    view["notes"] = notes_text(state)  # the shared notes' final text (not in the view)
    return view


def zip_texts(data: bytes) -> dict[str, bytes]:
    """Every member of a zip (a DOCX or an event zip), decompressed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def all_bytes(fmt: str, data: bytes) -> bytes:
    """What a reader could see in an export: a zip's members decompressed, recursively."""
    if fmt in ("docx", "zip"):
        parts = []
        for name, member in zip_texts(data).items():
            inner = name.rsplit(".", 1)[-1]
            parts.append(all_bytes(inner if inner in ("docx", "zip") else "raw", member))
        return b"\n".join(parts)
    return data


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
