"""The peak scenarios of issue 17 end to end at tiny sizes: real servers (both backends
when redis-server is there), the real Node load generator, the real restarts. No timing is
asserted: only that each scenario runs, its own correctness check held (a run that lost,
duplicated or miscounted anything exits non-zero), and its JSON says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOADGEN_DEPS = ROOT / "bench" / "loadgen" / "node_modules" / ".package-lock.json"

pytestmark = pytest.mark.skipif(
    not LOADGEN_DEPS.exists(), reason="bench/loadgen has no node_modules: run `make loadgen`"
)


def run_scenario(name: str, tmp_path: Path, *sizes: str) -> dict[str, Any]:
    argv = [sys.executable, "-m", "bench.run", "--quick", "--only", name,
            "--results", str(tmp_path)]  # fmt: skip
    for size in sizes:
        argv += ["--size", size]
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=170, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    result: dict[str, Any] = json.loads((tmp_path / f"{name}.json").read_text())
    assert result["rows"], result
    return result


def test_poll_burst_ends_with_exact_counts_everywhere(tmp_path: Path) -> None:
    result = run_scenario("poll", tmp_path, "members=20")
    for name, run in result["runs"].items():
        assert run["members"] == 20, name
        assert run["votes"] >= 20 and run["errors"] == {}, (name, run)
        assert run["all_exact"] and run["wrong_counts"] == 0, (name, run)
        assert sum(run["counts"]) == 20, (name, run)
        assert run["dupes"] == run["gaps"] == run["behind"] == 0, (name, run)


def test_reconnect_storm_resumes_everyone_gapless(tmp_path: Path) -> None:
    result = run_scenario("storm", tmp_path, "members=20", "rooms=2", "steady_ms=500")
    for name, run in result["runs"].items():
        assert [r["how"] for r in run["rounds"]] == ["graceful", "kill"], name
        for round_ in run["rounds"]:
            assert round_["all_resumed"] and round_["resumed"] == 20, (name, round_)
            assert sum(round_["kinds"].values()) >= 20, (name, round_)
        assert run["sent"] == run["acked"] > 0 and run["pending"] == 0, (name, run)
        assert run["appended_twice"] == run["dupes"] == run["gaps"] == run["behind"] == 0
        assert run["repeats"] == 0, (name, run)


def test_many_writers_leave_every_line_in_the_notes(tmp_path: Path) -> None:
    result = run_scenario("notes", tmp_path, "writers=[5,10]", "seconds=1")
    assert {row["writers"] for row in result["rows"]} == {5, 10}
    for n, run in result["runs"].items():
        assert run["updates"] > 0 and run["errors"] == {}, (n, run)
        assert run["text_length"] == run["expected_length"] > 0, (n, run)
        assert run["writers_text_wrong"] == 0, (n, run)
        assert run["dupes"] == run["gaps"] == run["behind"] == 0, (n, run)


def test_many_rooms_deliver_everything_in_every_room(tmp_path: Path) -> None:
    result = run_scenario("rooms", tmp_path, "rooms=4", "members=5", "seconds=1")
    shapes = {(row["backend"], row["rooms"]) for row in result["rows"]}
    assert ("embedded", 4) in shapes and ("embedded", 1) in shapes
    for label, run in result["runs"].items():
        assert run["sent"] == run["acked"] > 0, (label, run)
        assert run["deliveries_per_s"] > 0, (label, run)
        assert run["dupes"] == run["gaps"] == run["behind"] == run["repeats"] == 0, (label, run)


def test_every_command_kind_is_acknowledged(tmp_path: Path) -> None:
    result = run_scenario("commands", tmp_path, "connections=4", "window=4", "seconds=1")
    kinds = {row["command"] for row in result["rows"]}
    assert kinds == {"ask", "vote", "poll.vote", "edit", "notes.update"}
    for label, run in result["runs"].items():
        assert run["acked"] > 0 and run["errors"] == {}, (label, run)
        assert run["dupes"] == run["gaps"] == run["behind"] == run["resnapshots"] == 0, (label, run)
