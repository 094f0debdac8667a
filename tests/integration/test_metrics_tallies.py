"""GET /metrics, second part (issue 16; server/tallies.py, server/metrics_feeds.py):
commands by type and outcome, append latency, fan-out frames and bytes, and the notes'
sizes, on a real server with real clients, read back with prometheus-client's parser.
Each figure is compared before and after what the test does, so a counter that does not
move fails."""

from __future__ import annotations

from tests.conftest import Workshop
from tests.integration.helpers import Raw, cid, unpack
from tests.integration.test_metrics import samples, scrape
from tests.integration.wire_scenario import NOTES_1

WAIT = 20.0  # seconds a coalesced frame (presence, queue) may take before the test fails

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def commands(seen: Samples, kind: str, outcome: str) -> float:
    return seen.get(("workshop_commands_total", (("outcome", outcome), ("type", kind))), 0.0)


def sent(seen: Samples, what: str, kind: str) -> float:
    return seen.get((f"workshop_fanout_{what}_total", (("kind", kind),)), 0.0)


def event_bytes(raw: Raw, after: int) -> tuple[int, int]:
    """The `ev` frames a connection received past seq `after`: how many, and their bytes."""
    frames = [d for d in raw.received if (f := unpack(d)).get("t") == "ev" and f["seq"] > after]
    return len(frames), sum(map(len, frames))


async def test_commands_appends_and_fan_out_are_counted(workshop: Workshop) -> None:
    before = samples((await scrape(workshop)).text)
    aya = await Raw.open(workshop.server.ws_url)
    bat = await Raw.open(workshop.server.ws_url)
    outsider = await Raw.open(workshop.server.ws_url)
    try:
        first = await aya.join("SUB-PLAN", name="Aya")
        joined = await bat.join("SUB-PLAN", name="Bat", key=workshop.rapporteur_key)
        assert first["t"] == joined["t"] == "ok"
        seq = joined["seq"]
        for text in ("Where is the nearest shelter?", "Who checks the sirens?"):
            assert (await aya.ask(text))["t"] == "ok"
        edited = await bat.request({"t": "notes.update", "cid": cid(), "u": NOTES_1})
        assert edited["t"] == "ok", edited
        refused = [
            await aya.request({"t": "room.close", "cid": cid()}),  # forbidden: moderators only
            await aya.request({"t": "ask", "cid": cid()}),  # bad_request: no text
            await aya.request({"t": "no.such.command"}),  # unknown_type, of no type
            await outsider.ask("Before joining?"),  # bad_request: join a room first
        ]
        assert [r["code"] for r in refused] == [
            "forbidden", "bad_request", "unknown_type", "bad_request"
        ]  # fmt: skip
        await aya.sync()
        await bat.sync()
        after = samples((await scrape(workshop)).text)
        frames_a, bytes_a = event_bytes(aya, seq)
        frames_b, bytes_b = event_bytes(bat, seq)
    finally:
        for raw in (aya, bat, outsider):
            await raw.close()

    def moved(kind: str, outcome: str) -> float:
        return commands(after, kind, outcome) - commands(before, kind, outcome)

    assert moved("join", "ok") == 2
    assert moved("ask", "ok") == 2
    assert moved("notes.update", "ok") == 1
    assert moved("room.close", "forbidden") == 1
    assert moved("ask", "bad_request") == 2
    assert moved("invalid", "unknown_type") == 1
    assert moved("ping", "ok") == 2

    appended = "workshop_append_seconds_count", (("backend", "embedded"),)
    assert after[appended] - before.get(appended, 0.0) == 3  # two questions, one notes edit
    inf = "workshop_append_seconds_bucket", (("backend", "embedded"), ("le", "+Inf"))
    assert after[inf] == after[appended]

    # Three events, each handed to both members: frames and bytes as the clients got them.
    assert frames_a == frames_b == 3
    assert sent(after, "frames", "event") - sent(before, "frames", "event") == 6
    assert sent(after, "bytes", "event") - sent(before, "bytes", "event") == bytes_a + bytes_b

    # The room is loaded with its notes: one document, of some bytes.
    assert after[("workshop_notes_bytes_count", ())] == 1
    assert after[("workshop_notes_bytes_sum", ())] > before[("workshop_notes_bytes_sum", ())]
    assert ("workshop_redis_feed_lag_records", ()) not in after  # the embedded backend


async def test_presence_queue_and_results_frames_are_counted(workshop: Workshop) -> None:
    before = samples((await scrape(workshop)).text)
    mod = await Raw.open(workshop.server.ws_url)
    aya = await Raw.open(workshop.server.ws_url)
    try:
        assert (await mod.join("SUB-EWS", name="Mod", key=workshop.moderator_key))["t"] == "ok"
        premoderated = await mod.request({"t": "settings", "cid": cid(), "premoderation": True})
        assert premoderated["t"] == "ok", premoderated
        assert (await aya.join("SUB-EWS", name="Aya"))["t"] == "ok"
        await aya.expect(lambda f: f.get("t") == "presence", WAIT)  # a participant came
        assert (await aya.ask("Are the drills on Fridays?"))["t"] == "ok"  # pending
        await mod.expect(lambda f: f.get("t") == "queue", WAIT)
        poll = await mod.request(
            {"t": "poll.create", "cid": cid(), "title": "Rate the drill", "kind": "rating"}
        )
        for step in ({"t": "poll.open"}, {"t": "poll.vote", "choice": 4}):
            done = await mod.request({**step, "cid": cid(), "poll_id": poll["poll_id"]})
            assert done["t"] == "ok", done
        await mod.expect(lambda f: f.get("t") == "poll.results", WAIT)
        after = samples((await scrape(workshop)).text)
    finally:
        await mod.close()
        await aya.close()
    for kind in ("presence", "queue", "results"):
        assert sent(after, "frames", kind) > sent(before, "frames", kind), kind
        assert sent(after, "bytes", kind) > sent(before, "bytes", kind), kind


async def test_rate_limited_commands_are_counted(workshop: Workshop) -> None:
    aya = await Raw.open(workshop.server.ws_url)
    try:
        assert (await aya.join("SUB-PLAN", name="Aya"))["t"] == "ok"
        before = samples((await scrape(workshop)).text)
        ids = [await aya.send({"t": "ask", "cid": cid(), "text": f"q {i}"}) for i in range(12)]
        replies = [await aya.reply(i) for i in ids]
        after = samples((await scrape(workshop)).text)
    finally:
        await aya.close()
    limited = sum(1 for r in replies if r.get("code") == "rate_limited")
    assert limited > 0  # the default ask burst is 5
    moved = commands(after, "ask", "rate_limited") - commands(before, "ask", "rate_limited")
    assert moved == limited
