"""Safe start and `workshop doctor` (issue 16; server/cli/doctor.py): `serve` refuses a Redis
that evicts keys unless told, refuses an open Redis off loopback, and `doctor` prints every
check, for the embedded backend too."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from server.cli.doctor import auth_check
from server.settings import Settings
from tests.support.redis import RedisProcess
from tests.support.server import ServerProcess, free_port
from tests.support.server import workshop as workshop_cli

SECRET = {"WORKSHOP_SECRET": "safe-start-tests-secret-0123456789abcdef"}


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    """`workshop serve` that is expected to refuse (it would serve otherwise)."""
    return workshop_cli("serve", "--port", str(free_port()), *args, env=SECRET)


def test_an_evicting_redis_is_refused_unless_allowed(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path / "r", eviction="allkeys-lru")
    redis.start()
    try:
        refused = serve("--redis-url", redis.url)
        assert refused.returncode == 2
        last = refused.stderr.strip().splitlines()[-1]  # after the backend's own warning
        assert last.startswith("error: ") and "maxmemory-policy" in last
        doctor = workshop_cli("doctor", "--redis-url", redis.url, env=SECRET)
        assert doctor.returncode == 1 and "fail  redis eviction" in doctor.stdout
        assert "ok    redis authentication: loopback only" in doctor.stdout
        allowed = ServerProcess(
            tmp_path / "s", args=("--redis-url", redis.url, "--allow-eviction", "1"), env=SECRET
        )
        (tmp_path / "s").mkdir()
        allowed.start()  # serves: ready
        allowed.stop()
        told = workshop_cli("doctor", "--redis-url", redis.url, "--allow-eviction", "1", env=SECRET)
        assert told.returncode == 0 and "warn  redis eviction" in told.stdout
    finally:
        redis.kill()


def test_a_safe_redis_passes_the_doctor(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path / "r")
    redis.start()
    try:
        doctor = workshop_cli("doctor", "--redis-url", redis.url, env=SECRET)
        assert doctor.returncode == 0, doctor.stdout
        assert doctor.stdout.count("ok    ") == 3
    finally:
        redis.kill()


def test_an_open_redis_off_loopback_is_refused() -> None:
    open_one = auth_check(Settings(redis_url="redis://10.1.2.3:6379/0"))
    assert open_one.state == "fail" and "10.1.2.3" in open_one.detail
    assert auth_check(Settings(redis_url="redis://:pw@10.1.2.3:6379/0")).state == "ok"
    assert auth_check(Settings(redis_url="redis://10.1.2.3", allow_open_redis=True)).state == "warn"
    many = "redis+cluster://10.0.0.1:7000,10.0.0.2:7000"
    assert auth_check(Settings(redis_url=many)).state == "fail"
    assert auth_check(Settings(redis_url="redis://localhost:6379")).state == "ok"


def test_the_doctor_checks_the_embedded_backend(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path)
    server.start()
    server.stop()
    doctor = workshop_cli("doctor", "--data-dir", str(tmp_path))
    assert doctor.returncode == 0, doctor.stdout
    assert "ok    sqlite journal: journal_mode wal" in doctor.stdout
    assert "ok    secret file" in doctor.stdout and "disk space" in doctor.stdout
    os.chmod(tmp_path / "secret", 0o644)
    loose = workshop_cli("doctor", "--data-dir", str(tmp_path))
    assert loose.returncode == 1 and "fail  secret file" in loose.stdout
