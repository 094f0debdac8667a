"""The processes a benchmark runs: servers pinned to one core, the Node load generator
pinned to the others, a private redis-server; and what /proc says about them."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOADGEN = ROOT / "bench" / "loadgen"
EVENT_FILE = ROOT / "bench" / "event.toml"
ROOM = "BENCH"
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"  # for --redis-url servers
TICKS = os.sysconf("SC_CLK_TCK")

# Every limit that would throttle the benchmark's own loopback clients, lifted.
LIFTED = (
    "--conns-per-ip", "1000000",
    "--ask-rate", "1000000", "--ask-burst", "1000000",
    "--vote-rate", "1000000", "--vote-burst", "1000000",
    "--command-rate", "1000000", "--command-burst", "1000000",
    "--flood-limit", "1000000",
    "--ip-identity-rate", "0", "--ip-ask-rate", "0", "--ip-vote-rate", "0",  # 0: off
)  # fmt: skip


@dataclass(frozen=True)
class Pinning:
    """Which cores the server and the load generator run on (empty: not pinned)."""

    server: str = ""
    loadgen: str = ""

    @staticmethod
    def choose(server: str, loadgen: str) -> Pinning:
        if not shutil.which("taskset") or (os.cpu_count() or 1) < 2:
            return Pinning()
        return Pinning(server, loadgen)

    def prefix(self, cores: str) -> list[str]:
        return ["taskset", "-c", cores] if cores else []

    def loadgen_cores(self) -> int:
        if not self.loadgen:
            return os.cpu_count() or 1
        count = 0
        for part in self.loadgen.split(","):
            lo, _, hi = part.partition("-")
            count += int(hi or lo) - int(lo) + 1
        return count


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raise_open_files(wanted: int) -> int:
    """Lift this process's (and so its children's) open-file limit; return the new soft one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def run_queue_seconds(pid: int) -> float:
    """How long the process's main thread has waited, runnable, for a CPU (schedstat)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass
class Server:
    """A server process (workshop or reference) on a free port, pinned to its core."""

    argv: list[str]
    port: int
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    ready_path: str = "/readyz"
    client: str = "raw"  # what the load generator's clients speak to it (socketio: a peer)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> Server:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            if self._ready():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready in {timeout} s:\n{self.log()}")

    def _ready(self) -> bool:
        if not self.ready_path:  # the reference: a listening port is enough
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", self.port)) == 0
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}{self.ready_path}", timeout=1
            ):
                return True
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def workshop_server(
    data_dir: Path, pin: Pinning, *extra: str, redis_url: str = "", port: int | None = None
) -> Server:
    port = port or free_port()
    argv = [
        *pin.prefix(pin.server), sys.executable, "-m", "server.cli", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir), *LIFTED, *extra,
    ]  # fmt: skip
    env = {"WORKSHOP_SECRET": SECRET} if redis_url else {}
    if redis_url:
        argv += ["--redis-url", redis_url]
    return Server(argv, port, data_dir / f"server-{port}.log", env)


def reference_server(folder: Path, pin: Pinning, loop: str = "uvloop") -> Server:
    port = free_port()
    argv = [
        *pin.prefix(pin.server), sys.executable, "-m", "bench.reference_server",
        "--port", str(port), "--loop", loop,
    ]  # fmt: skip
    return Server(argv, port, folder / f"reference-{port}.log", ready_path="")


def create_event(
    data_dir: Path, redis_url: str = "", event_file: Path = EVENT_FILE
) -> dict[str, Any]:
    """Create the benchmark event (room BENCH, ...); return its links, with the keys."""
    argv = [sys.executable, "-m", "server.cli", "create-event", str(event_file), "--json",
            "--data-dir", str(data_dir), "--base-url", "http://127.0.0.1"]  # fmt: skip
    env = {**os.environ}
    if redis_url:
        argv += ["--redis-url", redis_url]
        env["WORKSHOP_SECRET"] = SECRET
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"create-event failed: {out.stderr}")
    return dict(json.loads(out.stdout))


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A private redis-server (AOF everysec, no RDB) on a free port; yields its URL."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
         "127.0.0.1", "--dir", str(folder), "--appendonly", "yes", "--appendfsync",
         "everysec", "--save", "", "--maxmemory-policy", "noeviction"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def node_modules_ready() -> bool:
    return (LOADGEN / "node_modules" / ".package-lock.json").exists()


def run_loadgen(
    config: dict[str, Any],
    pin: Pinning,
    on_phase: Callable[[dict[str, Any], subprocess.Popen[str]], None] | None = None,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Run the Node load generator with `config`; `on_phase` sees each progress line."""
    if not node_modules_ready():
        raise RuntimeError("bench/loadgen has no node_modules: run `make bench` (npm ci)")
    argv = [*pin.prefix(pin.loadgen), "node", str(LOADGEN / "main.mjs"), json.dumps(config)]
    proc = subprocess.Popen(argv, cwd=LOADGEN, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    assert proc.stdout is not None
    watchdog = threading.Timer(timeout, proc.kill)  # a hung run is killed, not waited for
    watchdog.start()
    result: dict[str, Any] | None = None
    error = ""
    try:
        for line in proc.stdout:
            message = json.loads(line)
            if "phase" in message and on_phase is not None:
                on_phase(message, proc)
            elif "result" in message:
                result = message["result"]
            elif "error" in message:
                error = message["error"]
        proc.wait(30)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if result is None:
        raise RuntimeError(f"load generator failed (exit {proc.returncode}): {error}")
    return result
