"""The benchmark harness end to end, at tiny sizes: real servers, the real Node load
generator (`make test` runs `npm ci` in bench/loadgen first). No timing is asserted:
only that the harness runs, writes its JSON, and that nothing was lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOADGEN_DEPS = ROOT / "bench" / "loadgen" / "node_modules" / ".package-lock.json"

pytestmark = pytest.mark.skipif(
    not LOADGEN_DEPS.exists(), reason="bench/loadgen has no node_modules: run `make loadgen`"
)


def test_quick_fanout_runs_end_to_end(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--only", "fanout",
         "--results", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=170, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Fan-out saturation" in out.stdout
    result = json.loads((tmp_path / "fanout.json").read_text())

    assert {"scenario", "machine", "sizes", "rows", "runs", "ratio_to_reference"} <= set(result)
    machine = result["machine"]
    for key in ("nproc", "cpu_model", "python", "uvicorn", "websockets", "node", "pinning"):
        assert key in machine
    servers = {row["server"] for row in result["rows"]}
    assert {"workshop-embedded", "reference-uvloop"} <= servers
    assert result["ratio_to_reference"]["reference-uvloop"] == pytest.approx(1.0)
    for row in result["rows"]:
        assert row["deliveries/s"] > 0
        assert row["loadgen CPU"] > 0
    for name, runs in result["runs"].items():
        for run in runs:
            assert run["subscribers"] == result["sizes"]["subscribers"], name
            assert run["published"] > 0, name
            assert run["lost"] == 0, (name, run)
            assert run["dupes"] == 0 and run["gaps"] == 0, (name, run)
            assert run["closed"] == {}, (name, run)
            assert run["applied"] == run["expected"] > 0, (name, run)
    assert result["lost_total"] == 0
