"""No wire change (issue 11): the server sends the frames it sent before the redesign.

`wire_scenario.py` drives a scripted session through raw WebSocket connections; its
recording from commit 01b4c8e (`wire_recording.json`, see the scenario's docstring for how
it was made) is compared here byte for byte, after the normalisation `wire_frames.py`
documents, with what the current tree's server sends on the embedded backend.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Workshop, running
from tests.support.server import ServerProcess, create_event, free_port

from .helpers import pack, unpack
from .wire_frames import differences, from_json, split
from .wire_scenario import RECORDING, SERVER_ARGS, Scenario


@pytest.fixture(scope="module")
def recording() -> dict[str, Any]:
    data = json.loads(RECORDING.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def recorded_setup(tmp_path: Path, recording: dict[str, Any]) -> Iterator[Workshop]:
    """A fresh server with the recording's event file and flags."""
    assert recording["server_args"] == list(SERVER_ARGS), "re-record after changing the flags"
    event_file = tmp_path / "event.toml"
    event_file.write_text(recording["event_file"], encoding="utf-8")
    port = free_port()
    data_dir = tmp_path / "data"
    links = create_event(data_dir, f"http://127.0.0.1:{port}", file=event_file)
    server = ServerProcess(data_dir, port=port, args=SERVER_ARGS)
    server.start()
    yield from running(Workshop(server, links))


def test_the_recording_covers_every_frame_kind(recording: dict[str, Any]) -> None:
    """The fixture holds what the issue asks for, so a re-recording cannot quietly lose it."""
    frames = [unpack(f) for c in from_json(recording) for f in c["frames"]]
    kinds = {f["t"] for f in frames}
    assert kinds == {"ok", "err", "pong", "snapshot", "ev", "presence", "queue", "poll.results"}
    events = {f["type"] for f in frames if f["t"] == "ev"}
    assert events >= {
        "question.asked", "question.voted", "question.status", "question.edited",
        "question.answer", "question.pinned", "poll.created", "poll.status", "poll.voted",
        "poll.word_hidden", "notes.update", "room.settings", "room.state", "hidden",
    }  # fmt: skip
    codes = {f["code"] for f in frames if f["t"] == "err"}
    assert codes >= {
        "bad_frame", "bad_request", "unknown_type", "not_found", "forbidden", "conflict",
        "rate_limited", "unauthorized", "too_large", "room_closed",
    }  # fmt: skip
    oks = [f for f in frames if f["t"] == "ok"]
    assert any("u" in f and "sv" in f for f in oks)  # notes.sync
    assert any("seq" in f and f["seq"] is None for f in oks)  # an empty notes.update
    assert any("votes" in f for f in oks) and any("qid" in f for f in oks)
    assert any("retry_after" in f for f in frames if f["t"] == "err")
    closes = {c["name"]: c["close"] for c in recording["connections"]}
    assert closes["texter"] == 1003 and closes["bigger"] == 1009


def test_split_keeps_the_order_and_the_last_side_frame() -> None:
    """Side frames leave the sequence; the last of each kind (per poll) is kept."""
    frames = [
        pack({"t": "presence", "count": 1, "by_org": {}}),
        pack({"t": "pong", "re": 1}),
        pack({"t": "poll.results", "poll_id": "p1", "counts": [0], "voters": 0}),
        pack({"t": "presence", "count": 2, "by_org": {}}),
        pack({"t": "poll.results", "poll_id": "p2", "counts": [1], "voters": 1}),
    ]
    main, last = split(frames)
    assert main == [frames[1]]
    assert last == {
        "presence": frames[3],
        "poll.results p1": frames[2],
        "poll.results p2": frames[4],
    }


async def test_every_frame_is_byte_identical_to_the_recording(
    recorded_setup: Workshop, recording: dict[str, Any]
) -> None:
    links = recorded_setup.links
    scenario = Scenario(
        recorded_setup.server.ws_url, links["moderator_key"], links["rapporteur_key"]
    )
    diffs = differences(from_json(recording), await scenario.run())
    assert not diffs, "the wire changed:\n" + "\n".join(diffs)
