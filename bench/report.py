"""What every result records about the machine, and how results are printed and saved."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _command_output(*argv: str) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "absent"


def _redis_version() -> str:
    text = _command_output("redis-server", "--version")  # "Redis server v=7.0.15 sha=..."
    return text.split(" v=")[1].split()[0] if " v=" in text else "absent"


def machine_info(pinning: Any) -> dict[str, Any]:
    loadgen = Path(__file__).resolve().parent / "loadgen" / "node_modules"
    package_version = {}
    for name in ("ws", "@msgpack/msgpack", "socket.io", "yjs"):
        try:
            package_version[name] = json.loads((loadgen / name / "package.json").read_text())[
                "version"
            ]
        except OSError:
            package_version[name] = "absent"
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "kernel": platform.release(),
        "load_average": os.getloadavg(),  # a busy machine makes every number noisy
        "python": platform.python_version(),
        "uvicorn": _version("uvicorn"),
        "websockets": _version("websockets"),
        "starlette": _version("starlette"),
        "msgpack": _version("msgpack"),
        "uvloop": _version("uvloop"),
        "redis_py": _version("redis"),
        "hiredis": _version("hiredis"),
        "node": _command_output("node", "--version"),
        "node_ws": package_version["ws"],
        "node_msgpack": package_version["@msgpack/msgpack"],
        "node_socket_io": package_version["socket.io"],  # a peer (issue 17)
        "node_yjs": package_version["yjs"],
        "python_socketio": _version("python-socketio"),
        "redis_server": _redis_version(),
        "pinning": {"server": pinning.server or None, "loadgen": pinning.loadgen or None},
    }


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """A Markdown table (it reads fine in a terminal, and pastes into the docs)."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def save(
    name: str,
    payload: dict[str, Any],
    machine: dict[str, Any],
    sizes: dict[str, Any],
    folder: Path = RESULTS,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    document = {
        "scenario": name,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine,
        "sizes": sizes,
        **payload,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path
