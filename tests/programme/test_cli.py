"""`workshop create-event` with an event file in three languages (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.server import workshop

EVENT = """
title = { en = "City-to-city learning", ja = "都市間学習", mn = "Хот хоорондын суралцахуй" }
[[rooms]]
code = "SUB-PLAN"
title = { en = "Planning and Investment", ja = "計画と投資" }
"""


def test_links_name_every_language_and_json_keeps_the_maps(tmp_path: Path) -> None:
    file = tmp_path / "event.toml"
    file.write_text(EVENT, encoding="utf-8")
    data = str(tmp_path / "data")
    out = workshop("create-event", str(file), "--data-dir", data)
    assert out.returncode == 0, out.stderr
    assert "City-to-city learning / 都市間学習 / Хот хоорондын суралцахуй" in out.stdout
    assert "Planning and Investment / 計画と投資  [SUB-PLAN]" in out.stdout
    assert "{'en'" not in out.stdout
    listed = workshop("links", "--data-dir", data, "--json")
    assert listed.returncode == 0, listed.stderr
    body = json.loads(listed.stdout)
    event = body[0] if isinstance(body, list) else body
    assert event["rooms"][0]["title"] == {"en": "Planning and Investment", "ja": "計画と投資"}


def test_the_interpreter_link_carries_its_key_after_the_hash(tmp_path: Path) -> None:
    """Issue 14: the interpreter's page, like the rapporteur's, is opened by a link whose key
    browsers never send (after '#'); `create-event` prints it and `--json` names it."""
    file = tmp_path / "event.toml"
    file.write_text(EVENT, encoding="utf-8")
    data = str(tmp_path / "data")
    base = "http://workshop.example:8000"
    out = workshop("create-event", str(file), "--data-dir", data, "--base-url", base)
    assert out.returncode == 0, out.stderr
    listed = workshop("links", "--data-dir", data, "--json", "--base-url", base)
    assert listed.returncode == 0, listed.stderr
    body = json.loads(listed.stdout)
    event = body[0] if isinstance(body, list) else body
    key = event["interpreter_key"]
    assert key and key not in (event["moderator_key"], event["rapporteur_key"])
    room = event["rooms"][0]
    assert room["interpreter_url"] == f"{base}/r/SUB-PLAN/interpret#key={key}"
    assert f"    interpreter:  {room['interpreter_url']}" in out.stdout.splitlines()
