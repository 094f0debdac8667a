"""A real `redis-server` for tests: its own free port and folder, AOF on, at will
started, stopped, killed (-9), restarted with its data, or wiped (issue 3, "Tests")."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.support.server import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@dataclass
class RedisProcess:
    """One redis-server. `appendfsync` is `always` so a kill -9 loses no acknowledged write."""

    folder: Path
    port: int = field(default_factory=free_port)
    appendonly: bool = True
    appendfsync: str = "always"
    eviction: str = "noeviction"
    extra: tuple[str, ...] = ()
    password: str = ""  # `requirepass`; in the URL as redis://:PASSWORD@...
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A plain synchronous client, for the tests' own checks and tampering."""
        return redis.Redis(
            port=self.port, password=self.password or None, socket_timeout=5, protocol=2
        )

    def start(self, timeout: float = 20.0) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / "redis.log").open("ab")
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "dir": str(self.folder),
            "appendonly": "yes" if self.appendonly else "no",
            "appendfsync": self.appendfsync,
            "save": "",
            "maxmemory-policy": self.eviction,
            "daemonize": "no",
            **({"requirepass": self.password} if self.password else {}),
        }
        argv = [REDIS_SERVER]
        for name, value in options.items():
            argv += [f"--{name}", value]
        self.proc = subprocess.Popen(
            [*argv, *self.extra],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        with self.client() as probe:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"redis-server exited:\n{self.log()}")
                try:
                    if probe.ping():
                        return
                except redis.exceptions.BusyLoadingError:
                    pass
                except redis.exceptions.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server not up in {timeout}s:\n{self.log()}")
                time.sleep(0.02)

    def log(self) -> str:
        path = self.folder / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM: Redis flushes its AOF and exits."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        """kill -9: no goodbye; only what the AOF already holds survives."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def wipe(self) -> None:
        """Delete the data files (call while stopped): the next start is empty."""
        shutil.rmtree(self.folder / "appendonlydir", ignore_errors=True)
        (self.folder / "dump.rdb").unlink(missing_ok=True)

    def restart(self, *, wiped: bool = False, kill: bool = True) -> None:
        """Kill -9 (or stop) and start again on the same port, with or without the data."""
        if kill:
            self.kill()
        else:
            self.stop()
        if wiped:
            self.wipe()
        self.start()
