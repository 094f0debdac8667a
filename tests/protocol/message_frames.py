"""Frames for the protocol.messages tests: one valid frame per command type, and helpers
that change a field or expect a refusal."""

from __future__ import annotations

from typing import Any

import pytest

from protocol.codes import ErrorCode, ProtocolError
from protocol.messages import parse_command

CID = "9b2f4c1e6a7d4e0f8c3b5a6d7e8f9012"

# One valid frame per command type, with every field the type has.
VALID: dict[str, dict[str, Any]] = {
    "join": {
        "room": "sub-plan",
        "name": "Aiko",
        "org": "Sendai City",
        "lang": "ja",
        "token": "tok",
        "key": "key",
        "since": 41,
        "epoch": "e1",
        "screen": True,
    },
    "ask": {"cid": CID, "text": "Хоргодох байрыг хэрхэн сонгодог вэ?", "lang": "mn", "anon": True},
    "vote": {"cid": CID, "qid": "q17", "up": True},
    "withdraw": {"cid": CID, "qid": "q17"},
    "moderate": {"cid": CID, "qid": "q17", "action": "approve"},
    "edit": {"cid": CID, "qid": "q17", "text": "How are evacuation shelters chosen?"},
    "answer": {"cid": CID, "qid": "q17", "text": "By the ward office, yearly."},
    "poll.create": {
        "cid": CID,
        "title": "Priority?",
        "kind": "single",
        "options": ["Early warning", "Shelters"],
        "hide_results": True,
        "hide_until_voted": False,
        "seconds": 90,
    },
    "poll.edit": {
        "cid": CID,
        "poll_id": "p20",
        "title": "Which channel reaches most residents?",
        "kind": "single",
        "options": ["Sirens", "Mobile alerts"],
        "hide_results": False,
        "hide_until_voted": True,
        "seconds": None,
    },
    "poll.hide_word": {"cid": CID, "poll_id": "p20", "word": "sirens", "hidden": True},
    "poll.open": {"cid": CID, "poll_id": "p20"},
    "poll.close": {"cid": CID, "poll_id": "p20"},
    "poll.delete": {"cid": CID, "poll_id": "p20"},
    "poll.show": {"cid": CID, "poll_id": "p20"},
    "poll.vote": {"cid": CID, "poll_id": "p20", "choice": 1},
    "notes.sync": {"sv": b"\x00"},
    "notes.update": {"cid": CID, "u": b"\x01\x02"},
    "settings": {"cid": CID, "premoderation": True, "anonymous_allowed": False},
    "room.close": {"cid": CID},
    "room.open": {"cid": CID},
    "ping": {},
    "translate": {"cid": CID, "qid": "q1", "field": "answer", "lang": "ja", "text": "県です。"},
}


def frame(t: str, id: int = 5, **changes: Any) -> dict[str, Any]:
    """The valid frame for `t`, with fields changed (a value of `...` removes the field)."""
    out: dict[str, Any] = {"t": t, "id": id, **VALID[t]}
    for name, value in changes.items():
        if value is ...:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def refused(data: dict[str, Any], code: ErrorCode = ErrorCode.BAD_REQUEST) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse_command(data)
    assert info.value.code is code, info.value.msg
    assert info.value.close is None
    return info.value
