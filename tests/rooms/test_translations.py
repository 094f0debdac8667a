"""Translations in the fold (issue 14): who may write them, who sees them, corrections,
idempotency, and what an edit or a new answer does to them."""

from __future__ import annotations

from typing import Any

from protocol.codes import ErrorCode
from server.rooms import RoomState, Viewer
from tests.rooms.support import (
    ALICE,
    BOB,
    MOD,
    RAP,
    V_ALICE,
    V_BOB,
    V_MOD,
    Cmd,
    Room,
    answer,
    ask,
    edit,
    moderate,
    person,
    refused,
    seen,
    settings,
)

INT = person("1e7e000000000006", "Ichiro", "UNDRR ONEA-GETI", "interpreter")
V_INT = Viewer(pid=INT["pid"], staff=True)


def translate(
    qid: str, lang: str, text: str, field: str = "text", actor: dict[str, Any] = INT
) -> Cmd:
    return Cmd("translate", {"qid": qid, "field": field, "lang": lang, "text": text}, actor)


def asked_ja(room: Room) -> str:
    return room.qid(ask(ALICE, "避難所の基準は何ですか？", lang="ja"))


def test_an_interpreter_translates_and_everyone_who_sees_the_question_sees_it() -> None:
    room = Room()
    qid = asked_ja(room)
    out = room.ok(translate(qid, "mn", "Хоргодох байрны шалгуур юу вэ?"))
    expected = {
        "qid": qid,
        "field": "text",
        "lang": "mn",
        "text": "Хоргодох байрны шалгуур юу вэ?",
        "by": "interpreter",
    }
    assert seen(out, V_BOB) == expected == seen(out, V_ALICE)
    assert room.state.questions[qid].translations == {
        "text": {"mn": "Хоргодох байрны шалгуур юу вэ?"}
    }
    q = next(q for q in room.state.view(V_BOB)["questions"] if q["qid"] == qid)
    assert q["translations"] == {"text": {"mn": "Хоргодох байрны шалгуур юу вэ?"}}
    assert q["votes"] == 0  # votes stay on the question


def test_a_pending_questions_translation_reaches_only_staff_and_its_author() -> None:
    room = Room()
    room.ok(settings(premoderation=True))
    qid = asked_ja(room)
    out = room.ok(translate(qid, "en", "What are the criteria for shelters?"))
    assert seen(out, V_BOB) is None
    assert seen(out, V_ALICE) is not None and seen(out, V_MOD) is not None
    assert seen(out, V_INT) is not None


def test_who_may_translate() -> None:
    room = Room()
    qid = asked_ja(room)
    for actor in (ALICE, BOB, RAP):
        assert refused(
            room(translate(qid, "en", "Shelter criteria?", actor=actor)), ErrorCode.FORBIDDEN
        )
    out = room.ok(translate(qid, "en", "Shelter criteria?", actor=MOD))
    assert seen(out, V_BOB) is not None and seen(out, V_BOB)["by"] == "moderator"  # type: ignore[index]


def test_a_correction_replaces_and_the_same_words_change_nothing() -> None:
    room = Room()
    qid = asked_ja(room)
    room.ok(translate(qid, "en", "Shelter criteria?"))
    out = room.ok(translate(qid, "en", "What are the criteria for evacuation shelters?"))
    assert seen(out, V_BOB)["text"] == "What are the criteria for evacuation shelters?"  # type: ignore[index]
    again = room.ok(translate(qid, "en", "What are the criteria for evacuation shelters?"))
    assert again.event is None


def test_nothing_to_translate_is_refused() -> None:
    room = Room()
    qid = asked_ja(room)
    assert refused(
        room(translate(qid, "ja", "避難所の基準は？")), ErrorCode.CONFLICT
    )  # its own language
    assert refused(room(translate(qid, "en", "No answer yet", field="answer")), ErrorCode.CONFLICT)
    assert refused(room(translate("q999", "en", "Who?")), ErrorCode.NOT_FOUND)


def test_an_edit_drops_the_texts_translations_and_an_answer_its_own() -> None:
    room = Room()
    qid = asked_ja(room)
    room.ok(answer(qid, "市の基準があります。"))
    room.ok(translate(qid, "en", "Shelter criteria?"))
    room.ok(translate(qid, "mn", "Хотын шалгуур бий.", field="answer"))
    room.ok(edit(qid, "避難所の選定基準は何ですか？"))
    assert room.state.questions[qid].translations == {"answer": {"mn": "Хотын шалгуур бий."}}
    room.ok(answer(qid, "市の防災計画に基準があります。"))
    assert room.state.questions[qid].translations == {}


def test_translations_survive_a_snapshot_round_trip() -> None:
    room = Room()
    qid = asked_ja(room)
    room.ok(moderate(qid, "pin"))
    room.ok(translate(qid, "en", "Shelter criteria?"))
    again = RoomState.from_snapshot(room.state.to_snapshot())
    assert again.questions[qid].translations == {"text": {"en": "Shelter criteria?"}}
