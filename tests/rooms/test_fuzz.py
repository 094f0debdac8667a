"""Fuzz the fold: a mutated record of any type never raises, and leaves a state that still
renders, snapshots and reloads.

A log may be imported or corrupted, so the fold reads each record as untrusted; an
exception here would stop a room (every process folds the same record).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocol.codec import encode_frame
from protocol.messages import MUTATING
from server.rooms import RoomState
from server.rooms.fold import HANDLERS
from tests.protocol.fuzz_support import VALID, VALUES, mutated_frames

from .support import ACTORS, ALICE, BOB, MOD, VIEWERS, Cmd, Room, ask, poll_create, poll_vote

FUZZ = settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def prepared() -> tuple[Room, dict[str, str]]:
    """A room with a question and one open poll of each kind; the ids to aim at."""
    room = Room()
    qid = room.qid(ask(ALICE))
    polls = {
        kind: room.open_poll(poll_create(kind=kind))
        for kind in ("single", "multi", "rating", "words")
    }
    room.ok(poll_vote(BOB, polls["words"], "sirens"))
    room.ok(Cmd("notes.update", {"u": VALID["notes.update"]["u"]}, MOD))
    aims = {f"poll_{kind}": poll_id for kind, poll_id in polls.items()}
    return room, {"qid": qid, "poll_id": polls["single"], **aims}


actors = (
    st.sampled_from(ACTORS)
    | st.none()
    | VALUES
    | st.builds(
        lambda base, name, value: {**base, name: value},
        st.sampled_from(ACTORS),
        st.sampled_from(("pid", "name", "org", "roles")),
        VALUES,
    )
)


@FUZZ
@given(
    frame=mutated_frames(tuple(sorted(MUTATING))),
    actor=actors,
    aim=st.sampled_from(("qid", "poll_single", "poll_multi", "poll_rating", "poll_words")),
    retype=st.none() | st.sampled_from((*HANDLERS, "nonsense")),
)
def test_a_mutated_record_never_raises(
    frame: dict[str, Any], actor: Any, aim: str, retype: str | None
) -> None:
    room, ids = prepared()
    data = {k: v for k, v in frame.items() if k not in ("t", "id", "cid")}
    for ref in ("qid", "poll_id"):
        if data.get(ref) in ("q1", "p1"):  # the valid frame's id: aim at a real one
            data[ref] = ids[aim] if aim.startswith("poll") == (ref == "poll_id") else ids[ref]
    t = retype or (frame["t"] if isinstance(frame.get("t"), str) else "ask")
    out = room(Cmd(t, data, actor))
    assert out.ok or out.code
    if out.event is not None:
        for viewer in VIEWERS:
            variant = out.event.for_viewer(viewer)
            if variant is not None:
                encode_frame({"t": "ev", "seq": room.state.seq, "data": variant.data})
    state = room.state
    for viewer in VIEWERS:
        encode_frame({"t": "snapshot", "state": state.view(viewer)})
    snapshot = state.to_snapshot()
    assert RoomState.from_snapshot(snapshot).to_snapshot() == snapshot
    # And the room goes on: a valid question still folds (unless the record closed it).
    assert room(ask(BOB, "Still working?")).ok == state.is_open
