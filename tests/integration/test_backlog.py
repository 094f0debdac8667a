"""The listen backlog (`--backlog`, WORKSHOP_BACKLOG): what the kernel holds for accept()
during a reconnect storm (bench/storm.py found uvicorn's 2,048 overflowing with 5,000
members coming back at once). `ss` shows a listening socket's backlog as its Send-Q."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.server import EXAMPLE, ServerProcess


def listen_backlog(port: int) -> int:
    out = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[2])  # State Recv-Q Send-Q Local Peer: Send-Q is the backlog


def somaxconn() -> int:
    return int(Path("/proc/sys/net/core/somaxconn").read_text())


@pytest.mark.parametrize("given", [None, "300"])
def test_the_server_listens_with_the_backlog_it_was_given(
    tmp_path: Path, given: str | None
) -> None:
    args = ("--seed", str(EXAMPLE)) + (("--backlog", given) if given else ())
    server = ServerProcess(tmp_path, args=args)
    server.start()
    try:
        wanted = int(given) if given else 4096
        assert listen_backlog(server.port) == min(wanted, somaxconn())
    finally:
        server.stop()
