"""Every metric the dashboard and the alert rules use is one the server exports (issue 16;
docs/operations.md, "Dashboard and alerts"): renaming a metric without updating
examples/grafana/workshop-dashboard.json or examples/prometheus/workshop-alerts.yml fails here.

Real servers, real clients, real scrapes: an embedded server made to do a bit of everything
(join, resume, ask, vote, a poll, a notes edit, refused commands, an export), and a Redis
one under `--workers 2` for the feed figures and the merged workers' own. Their scrapes are
parsed with prometheus-client's parser; a name counts as exported if a sample has it, or if
it is a sample name of a declared family (`_total` of a counter, `_bucket`/`_sum`/`_count` of
a histogram). Runs without Prometheus (examples/check_prometheus.py evaluates the
expressions on a real one)."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from tests.conftest import Workshop
from tests.integration.helpers import Raw, cid
from tests.integration.wire_scenario import NOTES_1
from tests.scaleout.support import ROOM, eventually, workers_on_redis
from tests.support.dashboard import (
    Expr,
    Scrape,
    all_panels,
    bucket_bounds,
    dashboard,
    names,
    panel_exprs,
    rule_exprs,
    variable_queries,
)


def scrape(url: str) -> Scrape:
    with httpx.Client(base_url=url, headers={"connection": "close"}) as http:
        answer = http.get("/metrics")
    assert answer.status_code == 200, answer.text
    return Scrape.parse(answer.text)


async def exercise(w: Workshop) -> list[Raw]:
    """A bit of everything, so that most families have samples; the members stay joined
    (the caller closes them)."""
    mod = await Raw.open(w.server.ws_url)
    aya = await Raw.open(w.server.ws_url)
    bat = await Raw.open(w.server.ws_url)
    first = await mod.join("SUB-PLAN", name="Mod", key=w.moderator_key)
    assert first["t"] == "ok", first
    asked = await aya.join("SUB-PLAN", name="Aya")
    assert asked["t"] == "ok", asked
    question = await aya.ask("Where is the nearest shelter?")
    assert question["t"] == "ok", question
    voted = await mod.request({"t": "vote", "cid": cid(), "qid": question["qid"], "up": True})
    assert voted["t"] == "ok", voted
    poll = await mod.request(
        {"t": "poll.create", "cid": cid(), "title": "Rate the drill", "kind": "rating"}
    )
    assert poll["t"] == "ok", poll
    for step in ({"t": "poll.open"}, {"t": "poll.vote", "choice": 4}):
        done = await mod.request({**step, "cid": cid(), "poll_id": poll["poll_id"]})
        assert done["t"] == "ok", done
    edited = await mod.request({"t": "notes.update", "cid": cid(), "u": NOTES_1})
    assert edited["t"] == "ok", edited
    refused = await aya.request({"t": "room.close", "cid": cid()})  # moderators only
    assert refused.get("code") == "forbidden", refused
    resumed = await bat.join("SUB-PLAN", name="Bat", since=first["seq"], epoch=first["epoch"])
    assert resumed["t"] == "ok", resumed  # a `replay` resume
    rapporteur = {"authorization": f"Bearer {w.rapporteur_key}"}
    async with httpx.AsyncClient(base_url=w.server.url) as http:
        export = await http.get("/api/rooms/SUB-PLAN/transcript.md", headers=rapporteur)
    assert export.status_code == 200
    return [mod, aya, bat]


def used() -> list[Expr]:
    return [*panel_exprs(), *variable_queries(), *rule_exprs()]


def missing(seen: Scrape, exprs: list[Expr]) -> list[str]:
    """Names used by `exprs` and not exported, and `le` bounds no bucket has."""
    wrong = [
        f"{expr.where}: {name}"
        for expr in exprs
        for name in sorted(names(expr.promql))
        if not seen.has(name)
    ]
    wrong += [
        f'{expr.where}: {bucket}{{le="{le}"}}'
        for expr in exprs
        for bucket, le in sorted(bucket_bounds(expr.promql))
        if le not in seen.bounds.get(bucket, set())
    ]
    return wrong


@pytest.fixture
async def redis_workers(tmp_path_factory: pytest.TempPathFactory) -> Scrape:
    """A scrape of a server on a real redis-server under `--workers 2`, with a member."""
    tmp_path = tmp_path_factory.mktemp("redis-workers")
    redis, server = workers_on_redis(tmp_path)
    member: Raw | None = None
    try:
        await asyncio.to_thread(server.start, 60)
        member = await Raw.open(server.ws_url)
        joined = await member.join(ROOM, name="Aya")
        assert joined["t"] == "ok", joined
        assert (await member.ask("Does the feed keep up?"))["t"] == "ok"

        def both() -> bool:
            seen = scrape(server.url)
            return "workshop_workers_merged" in seen.samples and bool(
                seen.bounds.get("workshop_append_seconds_bucket")
            )

        await eventually(both, "both workers' figures, with an append")
        return scrape(server.url)
    finally:
        if member is not None:
            await member.close()
        await asyncio.to_thread(server.stop)
        redis.kill()


async def test_every_name_in_the_dashboard_and_the_rules_is_exported(
    workshop: Workshop, redis_workers: Scrape
) -> None:
    exprs = used()
    assert len(exprs) > 60  # the files were read
    assert [e.where for e in exprs if not names(e.promql)] == ["alert WorkshopDown"]  # `up`
    members = await exercise(workshop)
    try:
        embedded = scrape(workshop.server.url)
    finally:
        await asyncio.gather(*(m.close() for m in members))
    seen = embedded.merge(redis_workers)
    wrong = missing(seen, exprs)
    assert not wrong, "not in the scrapes:\n" + "\n".join(wrong)
    # The scrapes had what the test made happen: most families have samples.
    for name in (
        "workshop_resumes_total",
        "workshop_export_seconds_bucket",
        "workshop_redis_feed_lag_records",
        "workshop_worker_connections_open",
        "workshop_append_seconds_bucket",
    ):
        assert name in seen.samples, name


def test_a_wrong_name_or_bound_is_caught() -> None:
    """The check itself: a renamed metric, a suffix on the wrong type, a bucket bound
    that is not one, each reported (against a scrape of the families' declarations)."""
    text = (
        "# HELP workshop_commands_total Commands\n# TYPE workshop_commands_total counter\n"
        'workshop_commands_total{type="ask",outcome="ok"} 1.0\n'
        "# HELP workshop_notes_bytes Notes\n# TYPE workshop_notes_bytes histogram\n"
        'workshop_notes_bytes_bucket{le="1024"} 0.0\nworkshop_notes_bytes_bucket{le="+Inf"} 0.0\n'
        "workshop_notes_bytes_count 0.0\nworkshop_notes_bytes_sum 0.0\n"
        "# HELP workshop_resumes_total Resumes\n# TYPE workshop_resumes_total counter\n"
    )
    seen = Scrape.parse(text)
    good = [
        Expr("ok", "rate(workshop_commands_total[5m])"),
        Expr("no samples yet", "rate(workshop_resumes_total[5m])"),
        Expr("bucket", 'workshop_notes_bytes_count - workshop_notes_bytes_bucket{le="1024"}'),
    ]
    assert missing(seen, good) == []
    bad = [
        Expr("renamed", "rate(workshop_command_total[5m])"),
        Expr("no _total", "rate(workshop_commands[5m])"),
        Expr("counter as histogram", "workshop_commands_bucket"),
        Expr("bound", 'workshop_notes_bytes_bucket{le="1000"}'),
    ]
    assert missing(seen, bad) == [
        "renamed: workshop_command_total",
        "no _total: workshop_commands",
        "counter as histogram: workshop_commands_bucket",
        'bound: workshop_notes_bytes_bucket{le="1000"}',
    ]


def test_the_dashboard_is_well_formed() -> None:
    """What Grafana would take and an operator would expect: one data source variable,
    unique panel ids, panels that do not overlap on the 24-column grid, a unit and a
    description on each, unique refIds, and every selector filtered by `$instance`."""
    board = dashboard()
    assert board["schemaVersion"] == 39
    kinds = {v["name"]: v["type"] for v in board["templating"]["list"]}
    assert kinds == {"DS_PROMETHEUS": "datasource", "instance": "query"}
    panels = list(all_panels(board["panels"]))
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["x"] + pos["w"] <= 24, panel["title"]
        mine = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"])
                for y in range(pos["y"], pos["y"] + pos["h"])}  # fmt: skip
        assert not mine & cells, f"{panel['title']!r} overlaps another panel"
        cells |= mine
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
        assert panel["description"] and panel["fieldConfig"]["defaults"]["unit"], panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert refs and len(refs) == len(set(refs)), panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"]
            selectors = re.findall(
                r"\b(?:workshop|process|python)_[a-z_]+(\{[^}]*\})?", target["expr"]
            )
            assert selectors and all('instance=~"$instance"' in s for s in selectors), (
                panel["title"],
                target["expr"],
            )
