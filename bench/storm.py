"""Peak scenario 2 (issue 17): a reconnect storm, on each backend.

Members spread over several rooms; a moderator in each room keeps posting questions. The
server is stopped gracefully (SIGTERM: uvicorn closes every socket with 1012) and started
again on the same port and data; later it is killed (SIGKILL) and started again. Every
client of the Node load generator (bench/loadgen/storm.mjs) reconnects with the browser
client's jittered backoff and resumes from its seq.

Reported per restart: the time from the first close until 99% and 100% of the members
have resumed (and from the new server being ready), accepts per second, replays vs
snapshots. The run fails unless every member ends at its room's head with no gap and no
duplicate, no question was appended twice, and every question sent was acknowledged.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.peaks import backends, check, gap_evidence, room_codes, rooms_event
from bench.procs import Server, create_event, redis_server, run_loadgen, workshop_server
from bench.report import table


def now_ms() -> float:
    """CLOCK_MONOTONIC in ms: the load generator's clock too (common.mjs `nowMs`)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC) * 1000


def listen_overflows() -> int:
    """The kernel's count of connections dropped because a listen queue was full
    (TcpExt ListenOverflows, machine-wide): a storm bigger than the server's backlog
    shows here, and its clients wait for TCP to retransmit (1 s, 3 s, 7 s, ...)."""
    try:
        lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()]
    except OSError:
        return -1
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names and names[0] == "TcpExt:" and "ListenOverflows" in names:
            return int(values[names.index("ListenOverflows")])
    return -1


class Restarter:
    """Holds the current server process and replaces it when the load generator asks."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.restarts: list[dict[str, Any]] = []
        self.overflows = 0

    def on_phase(self, message: dict[str, Any], proc: subprocess.Popen[str]) -> None:
        if message["phase"] == "resumed":
            self.restarts[-1]["listen_overflows"] = listen_overflows() - self.overflows
            return
        if message["phase"] != "steady":
            return
        self.overflows = listen_overflows()
        how = message["how"]
        old = self.server
        assert old.proc is not None
        down = now_ms()
        if how == "kill":
            old.proc.kill()
            old.proc.wait()
        else:
            old.stop()  # SIGTERM: every socket is closed with 1012 before the exit
        stopped = now_ms()
        new = Server(old.argv, old.port, old.log_path, old.env)
        self.server = new.start()
        up = now_ms()
        self.restarts.append({"how": how, "stop_ms": stopped - down, "start_ms": up - stopped})
        assert proc.stdin is not None
        proc.stdin.write(json.dumps({"down": down, "up": up}) + "\n")
        proc.stdin.flush()


def correctness(name: str, r: dict[str, Any]) -> list[str]:
    """What is wrong with one run ([] when nothing)."""
    wrong = []
    for field in ("dupes", "gaps", "early", "repeats", "behind", "appended_twice", "pending"):
        if r[field]:
            wrong.append(f"{name}: {field} = {r[field]}" + gap_evidence(r))
    moderators = r["moderators"]
    if moderators["dupes"] or moderators["gaps"] or moderators["repeats"]:
        wrong.append(f"{name}: a moderator's stream broke: {moderators}")
    if r["acked"] != r["sent"] or r["distinct_seqs_short"]:
        wrong.append(f"{name}: {r['sent']} questions sent, {r['acked']} acknowledged, "
                     f"{r['distinct_seqs_short']} sharing a seq; errors {r['errors']}")  # fmt: skip
    if not r["drained"]:
        wrong.append(f"{name}: members did not reach their room's head")
    for round_ in r["rounds"]:
        if not round_["all_resumed"]:
            wrong.append(f"{name}: after the {round_['how']} restart only "
                         f"{round_['resumed']} of {r['members']} members resumed")  # fmt: skip
    return wrong


def one_backend(ctx: Context, name: str, sizes: dict[str, Any]) -> dict[str, Any]:
    folder = ctx.folder(f"storm-{name}")
    rooms = room_codes(sizes["rooms"])
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(redis_server(folder / "redis")) if name == "redis" else ""
        key = create_event(folder, redis_url=url, event_file=rooms_event(folder, len(rooms)))[
            "moderator_key"
        ]
        restarter = Restarter(workshop_server(folder, ctx.pin, redis_url=url).start())
        stack.callback(lambda: restarter.server.stop())
        config = ctx.loadgen(
            mode="storm", url=restarter.server.ws_url, rooms=rooms, key=key,
            members=sizes["members"], rate=sizes["rate_per_room"], rounds=sizes["rounds"],
            concurrency=64, steadyMs=sizes["steady_ms"], resumeTimeoutMs=60_000,
            settleMs=30_000,
        )  # fmt: skip
        result = run_loadgen(config, ctx.pin, restarter.on_phase)
    for round_, restart in zip(result["rounds"], restarter.restarts, strict=True):
        round_.update(restart)
    return result


def storm(ctx: Context) -> dict[str, Any]:
    sizes = ctx.sizes("storm")
    results, rows = {}, []
    for name in backends(ctx):
        r = results[name] = one_backend(ctx, name, sizes)
        for round_ in r["rounds"]:
            rows.append({
                "backend": name, "restart": round_["how"], "members": r["members"],
                "stop ms": round_["stop_ms"], "start ms": round_["start_ms"],
                "to 99% ms": round_["first_close_to_99_ms"],
                "to 100% ms": round_["first_close_to_100_ms"],
                "ready→100% ms": round_["ready_to_100_ms"],
                "accepts/s": round_["accepts_per_s"],
                "peak accepts/s": round_["accepts_peak_per_s"],
                "replays": round_["kinds"]["replay"], "snapshots": round_["kinds"]["snapshot"],
                "up to date": round_["kinds"]["nothing"],
                "lost": r["behind"] + r["gaps"], "dupes": r["dupes"] + r["repeats"],
                "sent": r["sent"], "acked": r["acked"],
                "listen overflows": round_.get("listen_overflows"),
                "loadgen CPU": r["loadgen_cpu"]["cores_used"],
                "loadgen waited": r["loadgen_cpu"]["waited_share"],
            })  # fmt: skip
    check("storm", [w for name, r in results.items() for w in correctness(name, r)])
    return {
        "title": f"Reconnect storm: {sizes['members']:,} members in {sizes['rooms']} rooms, "
        f"{sizes['rate_per_room']} questions/s per room throughout; restarts: "
        + ", ".join(sizes["rounds"]),
        "table": table(list(rows[0]), rows),
        "rows": rows,
        "runs": results,
    }
