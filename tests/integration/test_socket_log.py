"""Per-socket INFO lines (issue 17): uvicorn's "[accepted]" and websockets' "connection
open" were made and formatted for every socket, 16 % of the server's CPU while 5,000
members joined. An accepted socket now logs through `uvicorn.error.sockets`, quiet below
WARNING unless the log level is debug (`server/live/wire.py`, `quiet_handshake`)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Workshop, start_workshop
from tests.integration.helpers import Raw

LINES = ("connection open", "[accepted]")


async def _join_twice(workshop: Workshop) -> None:
    for name in ("Sendai", "Ulaanbaatar"):
        raw = await Raw.open(workshop.server.ws_url)
        try:
            assert (await raw.join("SUB-PLAN", name=name))["t"] == "ok"
        finally:
            await raw.close()


async def test_an_accepted_socket_writes_no_info_line(workshop: Workshop) -> None:
    await _join_twice(workshop)
    workshop.server.stop()  # every line written
    log = workshop.server.log()
    assert "Application startup complete" in log  # uvicorn's own INFO lines stay
    for line in LINES:
        assert line not in log


async def test_at_debug_the_lines_are_there(tmp_path: Path) -> None:
    workshop = start_workshop(tmp_path, "--log-level", "debug")
    try:
        await _join_twice(workshop)
    finally:
        workshop.server.stop()
    # websockets' line comes back; uvicorn's "[accepted]" is still dropped, by the filter
    # on its logger (server/http/app.py `QuietHandshakes`), as before.
    assert "connection open" in workshop.server.log()
