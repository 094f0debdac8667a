"""The timeline line of the chair's `next` (issue 13): what it answered and what it pinned."""

from __future__ import annotations

from server.backends.embedded import EmbeddedBackend
from server.transcripts.export import session_record
from server.transcripts.labels import Labels

from .support import AIKO, BAT, EVENT, MOD, ROOM


async def test_next_says_what_was_answered_and_what_is_now_answered(
    backend: EmbeddedBackend,
) -> None:
    await backend.create_event(EVENT)
    script = [
        ("ask", {"text": "避難所の基準は？", "lang": "ja", "anon": False}, AIKO),
        ("ask", {"text": "Сургалт хэзээ вэ?", "lang": "mn", "anon": False}, BAT),
        ("moderate", {"qid": None, "action": "next"}, MOD),  # pins q1
        ("moderate", {"qid": None, "action": "next"}, MOD),  # answers q1, pins q2
        ("moderate", {"qid": None, "action": "next"}, MOD),  # answers q2
        ("moderate", {"qid": None, "action": "next"}, MOD),  # nothing left: no line
    ]
    for i, (type_, data, actor) in enumerate(script):
        await backend.append(ROOM, type_, data, actor, f"next-{i}")
    record = await session_record(backend, ROOM)
    await record.run()
    lines = [(line.key, line.params) for line in record.timeline]
    assert lines[2:] == [
        ("tl.pin", {"text": "避難所の基準は？"}),
        ("tl.next", {"text": "Сургалт хэзээ вэ?", "answered": "避難所の基準は？"}),
        ("tl.answered", {"text": "Сургалт хэзээ вэ?"}),
    ]
    assert Labels("en")("tl.next", **lines[3][1]) == (
        "Question marked answered: 避難所の基準は？; now answering: Сургалт хэзээ вэ?"
    )


async def test_a_deleted_poll_keeps_a_line_with_its_title_and_leaves_the_report(
    backend: EmbeddedBackend,
) -> None:
    await backend.create_event(EVENT)
    script = [
        ("poll.create", {"title": "Siren or SMS?", "kind": "single", "options": ["Siren", "SMS"]}),
        ("poll.open", {"poll_id": "p1"}),
        ("poll.vote", {"poll_id": "p1", "choice": 1}),
        ("poll.delete", {"poll_id": "p1"}),
        ("poll.delete", {"poll_id": "p1"}),  # gone already: refused, no line
    ]
    for i, (type_, data) in enumerate(script):
        actor = AIKO if type_ == "poll.vote" else MOD
        await backend.append(ROOM, type_, data, actor, f"del-{i}")
    record = await session_record(backend, ROOM)
    await record.run()
    lines = [(line.key, line.params) for line in record.timeline]
    assert lines[-1] == ("tl.poll_delete", {"title": "Siren or SMS?", "voters": 1})
    assert [key for key, _ in lines].count("tl.poll_delete") == 1
    assert record.report().polls == []
    for lang in ("en", "ja", "mn"):
        assert "Siren or SMS?" in Labels(lang)("tl.poll_delete", **lines[-1][1])
