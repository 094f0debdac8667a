"""Safe start and `workshop doctor` (issue 16; docs/operations.md "Safe start").

`serve` refuses to start (one line, exit status 2) on a Redis that may lose what it
acknowledged or that anyone can reach:

- a `maxmemory-policy` that evicts keys (room logs would vanish), unless
  `--allow-eviction`;
- no authentication on a Redis that is not on loopback, unless `--allow-open-redis`;

and warns when Redis's append-only file is off. `workshop doctor` prints every check, each
`ok`, `warn` or `fail`, for the embedded backend too: free disk space, SQLite's journal
mode, the secret file's permissions.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import stat
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from server.backends.base import Backend
from server.backends.select import make_backend
from server.cli.options import SHARED, add_settings, settings_from
from server.settings import Settings

LOOPBACK = ("127.0.0.1", "::1", "localhost")
DISK_LOW = 1 << 30  # bytes: below this the embedded log may fill the disk during an event


class Check(NamedTuple):
    name: str
    state: str  # "ok", "warn" or "fail"
    detail: str


def redis_checks(backend: Any, settings: Settings) -> list[Check]:
    """What a started Redis backend found (its `config_warnings`) and its URL say."""
    checks = []
    found = {w.split()[1]: w for w in backend.config_warnings}  # "Redis <setting> is ..."
    if "maxmemory-policy" in found:
        state = "warn" if settings.allow_eviction else "fail"
        checks.append(Check("redis eviction", state, found["maxmemory-policy"]))
    else:
        checks.append(Check("redis eviction", "ok", "maxmemory-policy noeviction (or hidden)"))
    if "appendonly" in found:
        checks.append(Check("redis persistence", "warn", found["appendonly"]))
    else:
        checks.append(Check("redis persistence", "ok", "appendonly yes (or hidden)"))
    checks.append(auth_check(settings))
    return checks


def auth_check(settings: Settings) -> Check:
    url = urlsplit(settings.redis_url.replace("redis+cluster://", "redis://"))
    has_auth = bool(url.password)  # redis://user:password@host or redis://:password@host
    hosts = url.netloc.rsplit("@", 1)[-1].split(",")
    names = {h.rsplit(":", 1)[0].strip("[]") for h in hosts if h}
    if has_auth or names <= set(LOOPBACK):
        why = "a password is given" if has_auth else "loopback only"
        return Check("redis authentication", "ok", why)
    state = "warn" if settings.allow_open_redis else "fail"
    return Check(
        "redis authentication",
        state,
        f"no password for Redis on {', '.join(sorted(names))}: anyone who reaches it can read"
        " and forge every room (give redis://:PASSWORD@host, or --allow-open-redis)",
    )


def embedded_checks(settings: Settings) -> list[Check]:
    data = settings.data_dir
    checks = []
    free = shutil.disk_usage(data if data.exists() else data.parent).free
    room = f"{free / (1 << 30):.1f} GiB free for {data}"
    checks.append(Check("disk space", "ok" if free >= DISK_LOW else "warn", room))
    db = data / "workshop.db"
    if db.exists():
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        state = "ok" if journal == "wal" else "warn"
        checks.append(Check("sqlite journal", state, f"journal_mode {journal}"))
    secret = data / "secret"
    if secret.exists():
        mode = stat.S_IMODE(secret.stat().st_mode)
        state = "fail" if mode & 0o077 else "ok"  # others may read the signing secret
        checks.append(Check("secret file", state, f"{secret} mode {oct(mode)}"))
    return checks


async def all_checks(settings: Settings) -> list[Check]:
    if not settings.redis_url:
        return embedded_checks(settings)
    backend: Backend = make_backend(settings)
    await backend.start()
    try:
        return redis_checks(backend, settings)
    finally:
        await backend.close()


def refusal(backend: Any, settings: Settings) -> str | None:
    """Why `serve` must not start on this backend (None: it may)."""
    if not settings.redis_url:
        return None
    failed = [c for c in redis_checks(backend, settings) if c.state == "fail"]
    return failed[0].detail if failed else None


def add_doctor_command(sub: Any) -> None:
    doctor = sub.add_parser("doctor", help="check the backend and the machine before an event")
    add_settings(doctor, (*SHARED, "allow_eviction", "allow_open_redis"))
    doctor.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        checks = asyncio.run(all_checks(settings))
    except Exception as exc:  # an unreachable backend
        print(f"fail  backend: {exc}")
        return 1
    for check in checks:
        print(f"{check.state:<5} {check.name}: {check.detail}")
    return 1 if any(c.state == "fail" for c in checks) else 0
