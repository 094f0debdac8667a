"""`workshop import`: a JSON transcript (or a whole-event zip) imported into an empty data
dir rebuilds the same room: every viewer-independent field of what staff see is equal,
times included, though anonymous authors and voters are only pseudonyms in the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.backends.embedded import EmbeddedBackend
from tests.support.server import workshop

from .conftest import export
from .support import EVENT, ROOM, Session, fold, populate, staff_view, write


def _without_pseudonyms(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "pseudonym"} for e in entries]


async def test_json_round_trip_through_workshop_import(
    backend: EmbeddedBackend, session: Session, tmp_path: Path
) -> None:
    original = await export(backend, "json")
    file = write(tmp_path / f"{ROOM}-transcript.json", original)
    empty = tmp_path / "empty"
    out = workshop("import", str(file), "--data-dir", str(empty))
    assert out.returncode == 0, out.stderr
    assert f"{ROOM}: {session.records} events" in out.stdout and "times kept" in out.stdout
    async with EmbeddedBackend(empty) as rebuilt:
        assert (await rebuilt.head(ROOM)).seq == session.records
        assert staff_view(await fold(rebuilt)) == staff_view(session.state)
        again = json.loads(await export(rebuilt, "json"))
    before = json.loads(original)
    assert _without_pseudonyms(again) == _without_pseudonyms(before)
    # The same people stay the same people, under new pseudonyms (another server secret).
    pairs = {(a.get("pseudonym"), b.get("pseudonym")) for a, b in zip(before, again, strict=True)}
    assert len({a for a, _ in pairs}) == len({b for _, b in pairs}) == len(pairs)


async def test_event_zip_round_trip(
    backend: EmbeddedBackend, session: Session, tmp_path: Path
) -> None:
    discuss = await populate(backend, room="DISCUSS", create=False)
    file = write(tmp_path / "event.zip", await export(backend, "zip"))
    empty = tmp_path / "empty"
    out = workshop("import", str(file), "--data-dir", str(empty))
    assert out.returncode == 0, out.stderr
    assert f"created event {EVENT.event_id}" in out.stderr
    async with EmbeddedBackend(empty) as rebuilt:
        event = await rebuilt.get_event(EVENT.event_id)
        assert event is not None and event.title == EVENT.title
        assert [(r.code, r.title) for r in event.rooms] == [(r.code, r.title) for r in EVENT.rooms]
        assert event.timezones == EVENT.timezones
        for room, before in ((ROOM, session), ("DISCUSS", discuss)):
            assert staff_view(await fold(rebuilt, room)) == staff_view(before.state)
    # A second import into the same data dir is refused: the rooms are not empty.
    again = workshop("import", str(file), "--data-dir", str(empty))
    assert again.returncode == 2 and "must be empty" in again.stderr


async def test_import_refuses_a_log_with_a_gap(
    backend: EmbeddedBackend, session: Session, tmp_path: Path
) -> None:
    entries = json.loads(await export(backend, "json"))
    del entries[5]
    file = write(tmp_path / "gap.json", json.dumps(entries, ensure_ascii=False).encode())
    out = workshop("import", str(file), "--room", "GAPPY", "--data-dir", str(tmp_path / "e"))
    assert out.returncode == 2 and "seq 7 where 6 was expected" in out.stderr
    async with EmbeddedBackend(tmp_path / "e") as after:
        room = await after.get_room("GAPPY")
        assert room is None or (await after.head("GAPPY")).seq == 0  # nothing half-written
