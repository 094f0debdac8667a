"""protocol.messages field rules: every malformed field is refused with its error code, and
the refusal's `re` is the frame's id."""

from __future__ import annotations

from typing import Any

import pytest

from protocol.codes import ErrorCode
from protocol.frames import Err
from protocol.messages import MAX_ID, MUTATING, NOTES_UPDATE_LIMIT

from .message_frames import frame, refused

# -- field rules: each refused with its code, and `re` = the frame's id ---------------------

CONTROL = "a\x00b"
BAD_REQUEST = ErrorCode.BAD_REQUEST

FIELD_CASES: list[tuple[str, dict[str, Any]]] = [
    # cid
    *[(t, {"cid": ...}) for t in sorted(MUTATING)],
    *[(t, {"cid": v}) for t in ("ask", "room.open") for v in ("", "c" * 65, 5, b"c", None)],
    ("vote", {"cid": " c"}),
    ("vote", {"cid": "a\nb"}),
    # join
    ("join", {"room": ...}),
    ("join", {"room": "A"}),
    ("join", {"room": "A" * 33}),
    ("join", {"room": "SUB PLAN"}),
    ("join", {"room": "SUB_PLAN"}),
    ("join", {"room": "ÄB"}),
    ("join", {"room": " AB"}),
    ("join", {"room": 12}),
    ("join", {"name": ...}),
    ("join", {"name": ""}),
    ("join", {"name": "   "}),
    ("join", {"name": "x" * 61}),
    ("join", {"name": "Ai\nko"}),
    ("join", {"name": "Ai\tko"}),
    ("join", {"name": CONTROL}),
    ("join", {"name": b"Aiko"}),
    ("join", {"org": "y" * 81}),
    ("join", {"org": "a\nb"}),
    ("join", {"org": 3}),
    ("join", {"lang": "fr"}),
    ("join", {"lang": "EN"}),
    ("join", {"lang": 1}),
    ("join", {"token": "t" * 513}),
    ("join", {"token": 1}),
    ("join", {"token": b"tok"}),
    ("join", {"key": "k" * 513}),
    ("join", {"epoch": "e" * 65}),
    ("join", {"since": -1}),
    ("join", {"since": "3"}),
    ("join", {"since": True}),
    ("join", {"since": 1.0}),
    ("join", {"since": MAX_ID + 1}),
    ("join", {"screen": 1}),
    ("join", {"screen": "true"}),
    # ask
    ("ask", {"text": ...}),
    ("ask", {"text": ""}),
    ("ask", {"text": " \n\t "}),
    ("ask", {"text": "x" * 501}),
    ("ask", {"text": " " + "x" * 501}),
    ("ask", {"text": CONTROL}),
    ("ask", {"text": "bell\x07"}),
    ("ask", {"text": "del\x7f"}),
    ("ask", {"text": "c1\x85c"}),
    ("ask", {"text": b"bytes"}),
    ("ask", {"text": ["a"]}),
    ("ask", {"lang": "de"}),
    ("ask", {"anon": 1}),
    ("ask", {"anon": "true"}),
    # vote
    ("vote", {"qid": ...}),
    ("vote", {"qid": ""}),
    ("vote", {"qid": "q" * 33}),
    ("vote", {"qid": 17}),
    ("vote", {"up": ...}),
    ("vote", {"up": 1}),
    ("vote", {"up": 0}),
    ("vote", {"up": "yes"}),
    # withdraw / moderate
    ("withdraw", {"qid": ...}),
    ("withdraw", {"qid": b"q1"}),
    ("moderate", {"qid": ...}),
    ("moderate", {"action": ...}),
    ("moderate", {"action": "delete"}),
    ("moderate", {"action": "Approve"}),
    ("moderate", {"action": 1}),
    # edit / answer
    ("edit", {"qid": ...}),
    ("edit", {"text": ...}),
    ("edit", {"text": ""}),
    ("edit", {"text": "x" * 501}),
    ("answer", {"qid": ...}),
    ("answer", {"text": ...}),
    ("answer", {"text": "   "}),
    ("answer", {"text": "x" * 2001}),
    ("answer", {"text": CONTROL}),
    # poll.create
    ("poll.create", {"title": ...}),
    ("poll.create", {"title": ""}),
    ("poll.create", {"title": "t" * 201}),
    ("poll.create", {"title": "a\nb"}),
    ("poll.create", {"kind": ...}),
    ("poll.create", {"kind": "ranking"}),
    ("poll.create", {"options": ...}),
    ("poll.create", {"options": []}),
    ("poll.create", {"options": ["only"]}),
    ("poll.create", {"options": [str(i) for i in range(11)]}),
    ("poll.create", {"options": ["a", ""]}),
    ("poll.create", {"options": ["a", "   "]}),
    ("poll.create", {"options": ["a", "b" * 101]}),
    ("poll.create", {"options": ["a", 2]}),
    ("poll.create", {"options": ["a", b"b"]}),
    ("poll.create", {"options": ["a", "a "]}),
    ("poll.create", {"options": "ab"}),
    ("poll.create", {"options": {"a": "b"}}),
    ("poll.create", {"kind": "multi", "options": ["a"]}),
    ("poll.create", {"kind": "rating", "options": ["a", "b"]}),
    ("poll.create", {"kind": "words", "options": ["a", "b"]}),
    ("poll.create", {"hide_results": 1}),
    ("poll.create", {"hide_until_voted": "yes"}),
    ("poll.create", {"seconds": 5}),
    ("poll.create", {"seconds": 3601}),
    ("poll.create", {"seconds": 60.0}),
    ("poll.create", {"seconds": False}),
    ("poll.delete", {"poll_id": ...}),
    ("poll.delete", {"poll_id": 3}),
    ("poll.show", {"poll_id": ""}),
    ("poll.show", {"poll_id": 3}),
    ("poll.show", {"poll_id": "p" * 33}),
    # poll.open / poll.close
    ("poll.open", {"poll_id": ...}),
    ("poll.open", {"poll_id": ""}),
    ("poll.close", {"poll_id": "p" * 33}),
    ("poll.close", {"poll_id": 20}),
    # poll.vote
    ("poll.vote", {"poll_id": ...}),
    ("poll.vote", {"choice": ...}),
    ("poll.vote", {"choice": -1}),
    ("poll.vote", {"choice": 1001}),
    ("poll.vote", {"choice": True}),
    ("poll.vote", {"choice": 1.0}),
    ("poll.vote", {"choice": []}),
    ("poll.vote", {"choice": [1, 1]}),
    ("poll.vote", {"choice": list(range(11))}),
    ("poll.vote", {"choice": [1, "2"]}),
    ("poll.vote", {"choice": [1, True]}),
    ("poll.vote", {"choice": [1, -1]}),
    ("poll.vote", {"choice": [[1]]}),
    ("poll.vote", {"choice": ""}),
    ("poll.vote", {"choice": " \n "}),
    ("poll.vote", {"choice": "x" * 41}),
    ("poll.vote", {"choice": "a\x00b"}),
    ("poll.vote", {"choice": b"word"}),
    ("poll.vote", {"choice": {"a": 1}}),
    # notes
    ("notes.sync", {"sv": ...}),
    ("notes.sync", {"sv": "AAE="}),
    ("notes.sync", {"sv": [0, 1]}),
    ("notes.update", {"u": ...}),
    ("notes.update", {"u": "AQI="}),
    # settings
    ("settings", {"premoderation": ..., "anonymous_allowed": ...}),
    ("settings", {"premoderation": None, "anonymous_allowed": None}),
    ("settings", {"premoderation": 1}),
    ("settings", {"anonymous_allowed": "false"}),
    ("settings", {"premoderation": ..., "anonymous_allowed": ..., "notes_locked": 0}),
]


@pytest.mark.parametrize(("t", "changes"), FIELD_CASES, ids=lambda v: repr(v)[:60])
def test_field_rules(t: str, changes: dict[str, Any]) -> None:
    exc = refused(frame(t, id=77, **changes), BAD_REQUEST)
    assert exc.re == 77
    assert Err.of(exc).re == 77
    assert t in exc.msg


def test_notes_update_over_the_limit_is_too_large() -> None:
    exc = refused(
        frame("notes.update", id=6, u=b"x" * (NOTES_UPDATE_LIMIT + 1)), ErrorCode.TOO_LARGE
    )
    assert exc.re == 6


def test_settings_with_only_unknown_flags_is_bad_request() -> None:
    exc = refused({"t": "settings", "id": 2, "cid": "c", "dark_mode": True})
    assert exc.re == 2
