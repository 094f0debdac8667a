"""The HTTP routes on a real server process, with traffic from real RoomClients:
every format for the rapporteur and the moderator, refusals without data, and the
whole-event zip."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest

from client.errors import CommandError
from client.room_client import RoomClient
from tests.conftest import Workshop
from tests.support.server import workshop as run_cli

from .support import (
    ANSWER_JA,
    NOTES_JA,
    NOTES_UPDATES,
    POLL_OPTIONS,
    POLL_SINGLE,
    Q_ANON_MN,
    Q_JA,
    Q_MN,
    all_bytes,
    zip_texts,
)

ROOM = "SUB-PLAN"
OTHER_EVENT = 'title = "Another workshop"\n[[rooms]]\ncode = "OTHER-1"\ntitle = "Elsewhere"\n'


@pytest.fixture
def server(lifted: Workshop) -> Workshop:
    """A server with its rate limits lifted (the `lifted` fixture, by this module's name)."""
    return lifted


@dataclass
class Traffic:
    hidden_pid: str
    participant_token: str


async def make_traffic(w: Workshop) -> Traffic:
    url = w.server.ws_url
    aiko = RoomClient(url, ROOM, name="佐藤 愛子", org="Sendai City", lang="ja")
    bat = RoomClient(url, ROOM, name="Батбаяр", org="Ulaanbaatar City", lang="mn")
    hidden = RoomClient(url, ROOM, name="Hinata Kakure", org="Sendai City")
    mod = RoomClient(url, ROOM, name="Mia", org="UNDRR", key=w.moderator_key)
    clients = [aiko, bat, hidden, mod]
    try:
        for c in clients:
            await c.connect()
        q1 = (await aiko.ask(Q_JA, "ja"))["qid"]
        q2 = (await bat.ask(Q_MN, "mn"))["qid"]
        q3 = (await hidden.ask(Q_ANON_MN, "mn", anon=True))["qid"]
        for voter, qid in [(bat, q1), (hidden, q1), (aiko, q3), (hidden, q2)]:
            await voter.vote(qid)
        await mod.answer(q1, ANSWER_JA)
        await mod.moderate(q1, "answered")
        await mod.moderate(q2, "pin")
        poll = (await mod.poll_create(POLL_SINGLE, "single", POLL_OPTIONS))["poll_id"]
        await mod.poll_open(poll)
        for voter, choice in [(aiko, 0), (bat, 1), (hidden, 1)]:
            await voter.poll_vote(poll, choice)
        await mod.poll_close(poll)
        await aiko.notes_update(NOTES_UPDATES[0])
        dismissed = (await bat.ask("Энэ асуултыг татгалзана", "mn"))["qid"]
        await mod.moderate(dismissed, "dismiss")
        with pytest.raises(CommandError):
            await aiko.vote(dismissed)  # refused, but in the log
        assert hidden.me is not None and aiko.token is not None
        return Traffic(hidden.me["pid"], aiko.token)
    finally:
        for c in clients:
            await c.close()


def get(w: Workshop, path: str, key: str | None = None, **headers: str) -> httpx.Response:
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    return httpx.get(w.server.url + path, headers=headers, timeout=30)


async def test_every_format_for_the_rapporteur(server: Workshop) -> None:
    traffic = await make_traffic(server)
    bodies: dict[str, bytes] = {}
    for fmt, media in [
        ("json", "application/json"),
        ("csv", "text/csv"),
        ("md", "text/markdown"),
        ("html", "text/html"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]:
        r = get(server, f"/api/rooms/sub-plan/transcript.{fmt}", server.rapporteur_key)
        assert r.status_code == 200, (fmt, r.text[:200])
        assert r.headers["content-type"].startswith(media)
        disposition = r.headers["content-disposition"]
        assert disposition == f'attachment; filename="{ROOM}-transcript.{fmt}"'
        assert r.headers["cache-control"] == "no-store"
        bodies[fmt] = r.content
        streamed = "content-length" not in r.headers  # JSON streams as the log is folded
        assert streamed == (fmt == "json"), fmt
    entries = json.loads(bodies["json"])
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert entries[-1]["outcome"]["ok"] is False  # the refused vote is in the log too
    rows = list(csv.DictReader(io.StringIO(bodies["csv"].decode("utf-8-sig"))))
    assert {r["text"] for r in rows} >= {Q_JA, Q_MN, Q_ANON_MN}
    assert next(r for r in rows if r["text"] == Q_ANON_MN)["author"] == "anonymous"
    for fmt in ("md", "html"):
        text = bodies[fmt].decode("utf-8")
        for needle in (Q_JA, Q_MN, Q_ANON_MN, "JST", "ULAT", "3 voters", POLL_OPTIONS[1], NOTES_JA):
            assert needle in text, (fmt, needle)
        assert "Dismissed questions (1)" in text
    document = docx.Document(io.BytesIO(bodies["docx"]))
    assert any(p.style.name == "Title" for p in document.paragraphs)
    for fmt, body in bodies.items():
        seen = all_bytes(fmt, body)
        assert b"Hinata" not in seen and traffic.hidden_pid.encode() not in seen, fmt
    # The moderator's key works too, and `?lang=` picks the report's language.
    r = get(server, "/api/rooms/SUB-PLAN/transcript.md?lang=ja", server.moderator_key)
    assert r.status_code == 200 and "## 回答済みの質問" in r.text
    r = get(server, "/api/rooms/SUB-PLAN/transcript.html?lang=mn", server.rapporteur_key)
    assert r.status_code == 200 and '<html lang="mn">' in r.text


def _no_data(r: httpx.Response) -> None:
    assert r.json() in ({"error": "unauthorized"}, {"error": "forbidden"})
    assert Q_JA not in r.text and "question" not in r.text


async def test_refusals_carry_no_data(server: Workshop, tmp_path: Path) -> None:
    startup = len(server.server.log())  # `serve` prints the invite links when it starts
    traffic = await make_traffic(server)
    other_file = tmp_path / "other.toml"
    other_file.write_text(OTHER_EVENT, encoding="utf-8")
    made = run_cli(
        "create-event", str(other_file), "--data-dir", str(server.server.data_dir), "--json"
    )
    assert made.returncode == 0, made.stderr
    other: dict[str, Any] = json.loads(made.stdout)
    event_id = server.links["event_id"]
    paths = [f"/api/rooms/{ROOM}/transcript.{fmt}" for fmt in ("json", "md", "docx")]
    paths.append(f"/api/events/{event_id}/transcript.zip")
    for path in paths:
        for headers in ({}, {"authorization": "Basic abc"}, {"authorization": "Bearer"}):
            r = get(server, path, **headers)
            assert r.status_code == 401, (path, headers)
            assert r.headers["www-authenticate"].startswith("Bearer")
            _no_data(r)
        for key in (
            "not-a-key",
            traffic.participant_token,  # a participant's identity token is not a role key
            other["rapporteur_key"],  # a key of another event
            other["moderator_key"],
        ):
            r = get(server, path, key)
            assert r.status_code == 403, (path, key[:8])
            assert "www-authenticate" not in r.headers
            _no_data(r)
    # The other event's key does open its own room.
    r = get(server, "/api/rooms/OTHER-1/transcript.json", other["rapporteur_key"])
    assert r.status_code == 200 and r.json() == []
    for missing in (
        f"/api/rooms/{ROOM}/transcript.pdf",
        "/api/rooms/NOPE/transcript.md",
        "/api/events/nope/transcript.zip",
    ):
        assert get(server, missing, server.rapporteur_key).status_code == 404, missing
    log = server.server.log()[startup:]
    assert "/transcript." in log  # the requests were logged, without their keys
    for key in (server.moderator_key, server.rapporteur_key, traffic.participant_token):
        assert key not in log


async def test_whole_event_zip_holds_every_room_in_every_format(server: Workshop) -> None:
    await make_traffic(server)
    event_id = server.links["event_id"]
    r = get(server, f"/api/events/{event_id}/transcript.zip", server.rapporteur_key)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert int(r.headers["content-length"]) == len(r.content)
    members = zip_texts(r.content)
    codes = [room["code"] for room in server.links["rooms"]]
    formats = ("json", "csv", "md", "html", "docx")
    expected = {f"{c}/{c}-transcript.{f}" for c in codes for f in formats}
    assert set(members) == expected | {"event.json"}
    manifest = json.loads(members["event.json"])
    assert manifest["event"]["id"] == event_id
    assert [room["code"] for room in manifest["rooms"]] == codes
    assert Q_JA in members[f"{ROOM}/{ROOM}-transcript.md"].decode("utf-8")
    assert json.loads(members["DISCUSS/DISCUSS-transcript.json"]) == []
    docx.Document(io.BytesIO(members[f"{ROOM}/{ROOM}-transcript.docx"]))
    assert b"Hinata" not in all_bytes("zip", r.content)
