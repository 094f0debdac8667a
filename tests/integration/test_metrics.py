"""GET /metrics (issue 16, first part; server/metrics.py): Prometheus text from
prometheus-client on a real server, read back with prometheus-client's own parser; only
loopback without a token, only the token with one."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.requests import Request

from server.http.metrics import metrics
from server.settings import Settings
from tests.conftest import Workshop, running, start_workshop
from tests.integration.helpers import Raw


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def scrape(w: Workshop, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=w.server.url) as http:
        return await http.get("/metrics", headers=headers)


async def test_the_figures_follow_the_room(workshop: Workshop) -> None:
    before = samples((await scrape(workshop)).text)
    assert before[("workshop_connections_open", ())] == 0
    assert ("process_resident_memory_bytes", ()) in before  # the default collectors
    first = await Raw.open(workshop.server.ws_url)
    second = await Raw.open(workshop.server.ws_url)
    try:
        joined = await first.join("SUB-PLAN", name="Aya")
        await first.ask("How often do the sirens get tested?")
        await second.join("SUB-PLAN", name="Bat", since=joined["seq"], epoch=joined["epoch"])
        await second.sync()
        rapporteur = {"authorization": f"Bearer {workshop.rapporteur_key}"}
        async with httpx.AsyncClient(base_url=workshop.server.url) as http:
            got = await http.get("/api/rooms/SUB-PLAN/transcript.md", headers=rapporteur)
            assert got.status_code == 200
        answer = await scrape(workshop)
        assert answer.headers["content-type"].startswith("text/plain; version=")
        now = samples(answer.text)
    finally:
        await first.close()
        await second.close()
    assert now[("workshop_connections_open", ())] == 2
    assert now[("workshop_connections_joined", ())] == 2
    assert now[("workshop_rooms_loaded", ())] == 1
    assert now[("workshop_room_members", (("size", "1-9"),))] == 2
    assert now[("workshop_rooms_by_size", (("size", "1-9"),))] == 1
    assert now[("workshop_send_queue_frames_count", ())] == 2
    assert now[("workshop_resumes_total", (("kind", "fresh"),))] >= 1
    assert now[("workshop_resumes_total", (("kind", "replay"),))] >= 1
    assert now[("workshop_export_seconds_count", (("format", "md"),))] == 1
    assert now[("workshop_staff_desks_loaded", ())] == 1
    assert not any("SUB-PLAN" in str(labels) for _, labels in now)  # no room codes by default


async def test_per_room_series_are_opt_in(tmp_path: Path) -> None:
    for w in running(start_workshop(tmp_path, "--metrics-per-room", "1")):
        raw = await Raw.open(w.server.ws_url)
        try:
            await raw.join("SUB-EWS", name="Dorj")
            seen = samples((await scrape(w)).text)
        finally:
            await raw.close()
        assert seen[("workshop_room_members_by_code", (("room", "SUB-EWS"),))] == 1


async def test_a_token_guards_it(tmp_path: Path) -> None:
    for w in running(start_workshop(tmp_path, "--metrics-token", "scrape-me-please")):
        missing = await scrape(w)
        assert (
            missing.status_code == 401 and "bearer" in missing.headers["www-authenticate"].lower()
        )
        assert (await scrape(w, authorization="Bearer wrong")).status_code == 403
        assert (await scrape(w, authorization="Bearer scrape-me-please")).status_code == 200


async def test_without_a_token_only_loopback_gets_it() -> None:
    """The route itself, with a client address no test server can have."""
    from prometheus_client import CollectorRegistry

    for host, status in (
        ("10.0.0.5", 403),
        ("192.168.1.20", 403),
        ("127.0.0.1", 200),
        ("::1", 200),
    ):
        state = SimpleNamespace(settings=Settings(), metrics=CollectorRegistry())
        scope = {"type": "http", "method": "GET", "path": "/metrics", "headers": [],
                 "client": (host, 5000), "app": SimpleNamespace(state=state)}  # fmt: skip
        answer = await metrics(Request(scope))
        assert answer.status_code == status, host
