"""Rotating the server's signing secret (issue 15; docs/protocol.md "Rotating the secret"),
for when it leaked: the new secret signs everything from the next start on, and each
retired secret is still accepted until its overlap window ends. Participants keep their
identity (a token signed with the old secret still reads, and every join hands out one
signed with the new), and staff have the window to take their new links.

- Embedded: `data_dir/secret` is the current secret (raw bytes, mode 0600, as before) and
  `data_dir/retired-secrets.json` lists `[{"secret": HEX, "until": UNIX_SECONDS}]`.
- Redis: every process reads `WORKSHOP_SECRET` and `WORKSHOP_RETIRED_SECRETS`
  (`SECRET@UNTIL[,SECRET@UNTIL...]`), set alike on all of them; `workshop rotate-secret`
  prints the two values to set before a rolling restart.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

RETIRED_ENV = "WORKSHOP_RETIRED_SECRETS"
RETIRED_FILE = "retired-secrets.json"
SECRET_FILE = "secret"
DEFAULT_OVERLAP = 24 * 3600.0  # seconds: a day of the workshop, then the old links end


@dataclass(frozen=True, slots=True)
class Retired:
    """A secret no longer used to sign, still accepted until `until` (unix seconds)."""

    secret: bytes
    until: float


def accepted(retired: list[Retired], now: float) -> tuple[bytes, ...]:
    """The retired secrets still inside their overlap window, newest first."""
    return tuple(r.secret for r in sorted(retired, key=lambda r: -r.until) if r.until > now)


def parse_env(value: str) -> list[Retired]:
    """`SECRET@UNTIL,...` as `WORKSHOP_RETIRED_SECRETS` holds it; ValueError if malformed."""
    out = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        secret, at, until = item.rpartition("@")
        if not at or len(secret) < 32:
            raise ValueError(f"{RETIRED_ENV}: each entry is SECRET@UNTIL (unix seconds)")
        out.append(Retired(secret.encode(), float(until)))
    return out


def format_env(retired: list[Retired]) -> str:
    return ",".join(f"{r.secret.decode()}@{int(r.until)}" for r in retired)


def read_retired(data_dir: Path) -> list[Retired]:
    """The embedded backend's retired secrets (none before the first rotation)."""
    path = data_dir / RETIRED_FILE
    if not path.exists():
        return []
    entries = json.loads(path.read_text("utf-8"))
    return [Retired(bytes.fromhex(e["secret"]), float(e["until"])) for e in entries]


def _write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, atomically and durably, readable by its owner only."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def rotate_files(data_dir: Path, overlap: float, now: float) -> Retired:
    """Retire the embedded backend's secret for `overlap` seconds and make a new one;
    returns the retired entry. Expired entries are dropped. The retired list is written
    first: a crash in between leaves the old secret current and also listed, harmless."""
    current = (data_dir / SECRET_FILE).read_bytes()
    old = Retired(current, now + overlap)
    kept = [r for r in read_retired(data_dir) if r.until > now and r.secret != current]
    entries = [{"secret": r.secret.hex(), "until": r.until} for r in [*kept, old]]
    _write_private(data_dir / RETIRED_FILE, json.dumps(entries).encode())
    _write_private(data_dir / SECRET_FILE, os.urandom(32))
    return old


def new_shared_secret() -> str:
    """A new WORKSHOP_SECRET for the Redis backend (64 hex characters)."""
    return secrets.token_hex(32)


def retired_for(data_dir: Path, redis_url: str, environ: dict[str, str]) -> list[Retired]:
    """The retired secrets of the backend the settings choose, expired ones included."""
    if redis_url:
        return parse_env(environ.get(RETIRED_ENV, ""))
    return read_retired(data_dir)
