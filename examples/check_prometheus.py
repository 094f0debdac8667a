"""Check examples/prometheus/ and examples/grafana/ for real (docs/operations.md, "Dashboard
and alerts"): run by hand, not by `make test` (it needs `apt-get install -y prometheus`;
Debian 12 has 2.42).

    .venv/bin/python examples/check_prometheus.py

`promtool check config` on prometheus.yml, `promtool check rules` and `promtool test rules`
(workshop-alerts.test.yml). Then a real `workshop serve` (embedded) with real WebSocket
clients joining, asking, voting and editing the notes, and a real Prometheus on a free port
and a temporary data folder, on prometheus.yml with only the target and the intervals
changed (1 s). Once it has scraped a few times, every expression of the dashboard (each
panel's targets, `$__rate_interval` and the variables substituted as Grafana would) is
evaluated as a range query and every alert rule's as an instant query, through
Prometheus's HTTP API: each must parse and evaluate, and the core panels (connections,
commands, fan-out) must return data. Prometheus's own rule evaluations must be healthy, and
no alert may fire on a healthy server (one pending is printed as a note). Prints one line
per check and exits 1 if one fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml  # type: ignore[import-untyped]  # PyYAML, with uvicorn[standard]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.helpers import Raw, cid  # noqa: E402
from tests.integration.wire_scenario import NOTES_1  # noqa: E402
from tests.support.dashboard import (  # noqa: E402
    PROMETHEUS,
    RULES,
    panel_exprs,
    rule_exprs,
    substitute,
    variable_queries,
)
from tests.support.server import ServerProcess, create_event, free_port  # noqa: E402

SCRAPE = "1s"
RATE_INTERVAL = "10s"  # Grafana's $__rate_interval: at least 4 scrape intervals
WHOLE_RANGE = "1m"  # $__range: the dashboard's time range
MEMBERS = 7  # the moderator and six people (`members`)
SCRAPES = 15  # wait for this many scrapes before evaluating
# Panels that must show data on a server with members asking (the rest may be empty: no
# Redis, no --workers, no 4008 close...).
CORE = (
    "People connected",
    "People in a room",
    "Connections open and joined",
    "Commands/s by outcome",
    "Fan-out frames/s by kind",
    "Fan-out bytes/s by kind",
)
failed: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'}  {name}{': ' + detail if detail and not ok else ''}")
    if not ok:
        failed.append(name)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", *args], cwd=PROMETHEUS, capture_output=True, text=True, check=False
    )


def prometheus_config(folder: Path, target: str) -> Path:
    """examples/prometheus/prometheus.yml with only the target and the intervals changed."""
    config: dict[str, Any] = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = SCRAPE
    config["global"]["evaluation_interval"] = SCRAPE
    config["rule_files"] = [str(RULES)]
    (job,) = config["scrape_configs"]
    job["static_configs"] = [{"targets": [target]}]
    path = folder / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@contextlib.contextmanager
def prometheus(folder: Path, config: Path, port: int) -> Iterator[str]:
    log = (folder / "prometheus.log").open("ab")
    proc = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={folder / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"prometheus exited:\n{(folder / 'prometheus.log').read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("prometheus not ready in 30 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


async def members(server: ServerProcess, moderator_key: str, stop: asyncio.Event) -> None:
    """Seven people in a room until `stop`: a moderator (a notes edit, votes) and six who
    take turns asking, one question a second, within the default limits (5 a minute each
    after a burst of 5): a healthy room, which must not set off the rate-limit alert."""
    mod = await Raw.open(server.ws_url)
    people = [await Raw.open(server.ws_url) for _ in range(MEMBERS - 1)]
    try:
        assert (await mod.join("SUB-PLAN", name="Mod", key=moderator_key))["t"] == "ok"
        for i, raw in enumerate(people):
            assert (await raw.join("SUB-PLAN", name=f"Person {i}"))["t"] == "ok"
        edited = await mod.request({"t": "notes.update", "cid": cid(), "u": NOTES_1})
        assert edited["t"] == "ok", edited
        n = 0
        while not stop.is_set():
            n += 1
            asked = await people[n % len(people)].ask(f"Question {n}: when is the next drill?")
            if asked["t"] == "ok":
                await mod.request({"t": "vote", "cid": cid(), "qid": asked["qid"], "up": True})
            await mod.ping()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1)
    finally:
        for raw in (mod, *people):
            await raw.close()


def query(url: str, path: str, **params: str) -> dict[str, Any]:
    answer = httpx.get(f"{url}/api/v1/{path}", params=params, timeout=30)
    body: dict[str, Any] = answer.json()
    return body


async def aquery(url: str, path: str, **params: str) -> dict[str, Any]:
    """`query` off the event loop, so the members keep talking meanwhile."""
    return await asyncio.to_thread(query, url, path, **params)


async def watch(url: str, server: ServerProcess) -> None:
    """Wait for the scrapes, then evaluate everything through Prometheus's HTTP API."""
    deadline = time.monotonic() + 90
    while True:
        seen = await aquery(
            url, "query", query=f'count_over_time(up{{job="workshop"}}[1m]) >= {SCRAPES}'
        )
        up = await aquery(url, "query", query='up{job="workshop"}')
        if seen["data"]["result"] and up["data"]["result"][0]["value"][1] == "1":
            break
        if time.monotonic() > deadline:
            check(f"{SCRAPES} scrapes of the server", False, str(up))
            return
        await asyncio.sleep(1)
    check(f"{SCRAPES} scrapes of the server (up == 1)", True)

    end = time.time()
    exprs = panel_exprs()
    for expr in exprs:
        promql = substitute(expr.promql, RATE_INTERVAL, WHOLE_RANGE)
        got = await aquery(
            url, "query_range", query=promql, start=str(end - 60), end=str(end), step="2"
        )
        ok = got.get("status") == "success"
        series = len(got["data"]["result"]) if ok else 0
        core = any(f"panel {title!r}" in expr.where for title in CORE)
        detail = got.get("error", "") if not ok else "no data"
        check(
            f"{expr.where}: {'data' if series else 'evaluates'}"
            + (f" ({series} series)" if series else ""),
            ok and (series > 0 or not core),
            detail,
        )
    for title, want in (("People connected", MEMBERS), ("People in a room", MEMBERS)):
        (expr,) = [e for e in exprs if e.where == f"panel {title!r} A"]
        got = await aquery(url, "query", query=substitute(expr.promql, RATE_INTERVAL, "1m"))
        value = got["data"]["result"][0]["value"][1] if got["data"]["result"] else None
        check(f"panel {title!r} shows the {want} members", value == str(want), str(value))
    for variable in variable_queries():  # label_values(METRIC, LABEL): Grafana's series API
        metric, label = variable.promql.removeprefix("label_values(").rstrip(")").split(", ")
        got = await aquery(url, f"label/{label}/values", **{"match[]": metric})
        values = got.get("data", [])
        check(
            f"{variable.where}: {values}",
            f"127.0.0.1:{server.port}" in values,
            str(got),
        )
    for expr in rule_exprs():
        got = await aquery(url, "query", query=expr.promql)
        check(f"{expr.where}: evaluates", got.get("status") == "success", got.get("error", ""))

    rules = (await aquery(url, "rules"))["data"]["groups"]
    loaded = [rule for group in rules for rule in group["rules"]]
    unhealthy = [f"{r['name']}: {r.get('lastError')}" for r in loaded if r["health"] != "ok"]
    check(
        f"Prometheus loaded {len(loaded)} rules, all healthy",
        len(loaded) == len(rule_exprs()) and not unhealthy,
        "; ".join(unhealthy),
    )
    alerts = (await aquery(url, "alerts"))["data"]["alerts"]
    firing = [a["labels"]["alertname"] for a in alerts if a["state"] == "firing"]
    check("no alert fires on a healthy server", not firing, ", ".join(firing))
    for alert in alerts:  # pending: would fire only if it lasted its `for:`
        if alert["state"] == "pending":
            print(f"note  pending: {alert['labels']['alertname']} (value {alert['value']})")


async def run(folder: Path) -> None:
    data = folder / "server"
    data.mkdir()
    port = free_port()
    links = create_event(data, f"http://127.0.0.1:{port}")
    server = ServerProcess(data, port=port)
    await asyncio.to_thread(server.start)
    stop = asyncio.Event()
    people = asyncio.create_task(members(server, str(links["moderator_key"]), stop))
    try:
        config = prometheus_config(folder, f"127.0.0.1:{server.port}")
        checked = promtool("check", "config", str(config))
        check("promtool check config (the run's copy)", checked.returncode == 0, checked.stdout)
        with prometheus(folder, config, free_port()) as url:
            await watch(url, server)
    finally:
        stop.set()
        try:
            await people
        finally:
            await asyncio.to_thread(server.stop)


def main() -> int:
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            print(f"missing: {tool} (apt-get install -y prometheus)")
            return 2
    version = subprocess.run(["prometheus", "--version"], capture_output=True, text=True)
    print((version.stdout or version.stderr).splitlines()[0])
    for args in (
        ("check", "config", "prometheus.yml"),
        ("check", "rules", "workshop-alerts.yml"),
        ("test", "rules", "workshop-alerts.test.yml"),
    ):
        done = promtool(*args)
        check(f"promtool {' '.join(args)}", done.returncode == 0, done.stdout + done.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(Path(tmp)))
    print("all checks passed" if not failed else f"{len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
