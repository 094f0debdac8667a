"""Strategies of the fuzz suites: a valid frame of every command type, then mutated.

A mutation sets one field of the frame (any of the command's fields, `t`, `id`, `cid`, or
one it does not have) to an arbitrary msgpack value, or drops it; a frame gets one to
three. Shared by the pure suites (tests/protocol, tests/rooms) and the one through a real
server (tests/integration/test_fuzz.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import strategies as st
from pycrdt import Doc, Text

from protocol.messages import COMMANDS, MAX_ID


def _notes_update() -> bytes:
    doc = Doc()
    doc["notes"] = text = Text()
    text += "Evacuation routes"
    return bytes(doc.get_update())


CID = "c0ffee"
VALID: dict[str, dict[str, Any]] = {
    "join": {"room": "SUB-PLAN", "name": "Fuzz", "org": "Lab", "lang": "ja", "since": 0},
    "ask": {"cid": CID, "text": "How is the plan funded?", "lang": "en", "anon": True},
    "vote": {"cid": CID, "qid": "q1", "up": True},
    "withdraw": {"cid": CID, "qid": "q1"},
    "moderate": {"cid": CID, "qid": "q1", "action": "approve"},
    "edit": {"cid": CID, "qid": "q1", "text": "Who funds the plan?"},
    "answer": {"cid": CID, "qid": "q1", "text": "The prefecture."},
    "poll.create": {
        "cid": CID,
        "title": "Channel?",
        "kind": "multi",
        "options": ["A", "B"],
        "seconds": 60,
        "hide_until_voted": True,
    },
    "poll.edit": {"cid": CID, "poll_id": "p1", "title": "Rate", "kind": "rating", "options": []},
    "poll.open": {"cid": CID, "poll_id": "p1"},
    "poll.close": {"cid": CID, "poll_id": "p1"},
    "poll.delete": {"cid": CID, "poll_id": "p1"},
    "poll.show": {"cid": CID, "poll_id": "p1"},
    "poll.vote": {"cid": CID, "poll_id": "p1", "choice": [0, 1]},
    "poll.hide_word": {"cid": CID, "poll_id": "p1", "word": "sirens", "hidden": True},
    "notes.sync": {"sv": b"\x00"},
    "notes.update": {"cid": CID, "u": _notes_update()},
    "settings": {"cid": CID, "premoderation": True, "anonymous_allowed": False},
    "room.close": {"cid": CID},
    "room.open": {"cid": CID},
    "ping": {},
    "translate": {"cid": CID, "qid": "q1", "field": "text", "lang": "mn", "text": "Хэн?"},
}
assert set(VALID) == set(COMMANDS), "every command type has a valid frame here"

FIELDS: dict[str, tuple[str, ...]] = {
    t: tuple(f.name for f in dataclasses.fields(cls)) for t, cls in COMMANDS.items()
}

# Strings that msgpack can carry (no lone surrogates), with the awkward ones made likely.
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_odd_text = st.sampled_from(
    ["", " ", "\x00", "\n", "\t", "\r\n", "q1", "p1", "q999", "SUB-PLAN", "x" * 600,
     "\u200b", "\ufeff", "ja", "single", "words", "approve", "  spaced  ", "💥" * 50]
)  # fmt: skip
_ints = st.integers(-(2**63), 2**64 - 1) | st.sampled_from(
    [0, 1, -1, 2, 9, 10, 11, 3600, 3601, 100, 2**31, 2**53, 2**53 + 1, MAX_ID - 1]
)
SCALARS = (
    st.none() | st.booleans() | _ints | st.floats() | _text | _odd_text | st.binary(max_size=64)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=12) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=16,
)
DROP = object()  # a mutation that removes the field


@st.composite
def mutated_frames(draw: st.DrawFn, types: tuple[str, ...] = tuple(VALID)) -> dict[str, Any]:
    """A valid frame of one of `types`, with one to three fields set to anything or dropped."""
    t = draw(st.sampled_from(types))
    frame: dict[str, Any] = {"t": t, "id": draw(st.integers(1, 10**6)), **VALID[t]}
    names = st.sampled_from(("t", "id", *FIELDS[t], "extra"))
    for _ in range(draw(st.integers(1, 3))):
        name = draw(names)
        value = draw(st.just(DROP) | VALUES)
        if value is DROP:
            frame.pop(name, None)
        else:
            frame[name] = value
    return frame
