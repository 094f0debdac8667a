"""`--log-format json` (issue 16; server/logs.py): every line the server writes is one JSON
object with its timestamp, level, process and logger; a connection's lines name its room
and connection; the invite links (keys) are not printed, only how to get them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import running, start_workshop
from tests.integration.helpers import Raw


async def test_every_line_is_json_and_no_link_is_printed(tmp_path: Path) -> None:
    for w in running(start_workshop(tmp_path, "--log-format", "json")):
        raw = await Raw.open(w.server.ws_url)
        try:
            refused = await raw.join("SUB-PLAN", name="Aya", key="not-a-key")
            assert refused["t"] == "err"
        finally:
            await raw.close()
        w.server.stop()
        lines = [line for line in w.server.log().splitlines() if line.strip()]
    assert "#key=" not in "\n".join(lines)
    records = [json.loads(line) for line in lines]  # each line is one JSON object
    for record in records:
        assert {"timestamp", "level", "process", "logger", "message"} <= set(record)
    assert any("workshop links" in r["message"] for r in records)
    refusal = next(r for r in records if r.get("event") == "key.refused")
    assert refusal["room"] == "SUB-PLAN" and refusal["connection"].startswith("c")
    assert any(r["logger"] == "uvicorn.error" and "Started server" in r["message"] for r in records)
