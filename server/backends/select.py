"""Choose the backend from settings. `redis` is imported only when it is used."""

from __future__ import annotations

import os
import time

from server.backends.base import Backend
from server.secret_rotation import RETIRED_ENV, accepted, parse_env
from server.settings import Settings

SECRET_ENV = "WORKSHOP_SECRET"


def redis_secret(environ: dict[str, str] | None = None) -> bytes:
    """The signing secret every process on one Redis shares, from WORKSHOP_SECRET.

    Missing or short is a startup error with a one-line message (issue 3): processes
    with different secrets would refuse each other's tokens and invite links.
    """
    value = (os.environ if environ is None else environ).get(SECRET_ENV, "")
    if not value:
        raise SystemExit(
            f"error: {SECRET_ENV} is not set; with --redis-url every process must share"
            " one signing secret (e.g. `export WORKSHOP_SECRET=$(openssl rand -hex 32)`)"
        )
    secret = value.encode()
    if len(secret) < 32:
        raise SystemExit(f"error: {SECRET_ENV} is too short; use at least 32 characters")
    return secret


def make_backend(settings: Settings) -> Backend:
    """The Redis backend when a Redis URL is set, else the embedded SQLite one."""
    backend: Backend
    if settings.redis_url:
        from server.backends.redis import RedisBackend

        retired = accepted(parse_env(os.environ.get(RETIRED_ENV, "")), time.time())
        backend = RedisBackend(
            settings.redis_url,
            secret=redis_secret(),
            retired=retired,
            position_check=settings.position_check,
        )
    else:
        from server.backends.embedded import EmbeddedBackend

        backend = EmbeddedBackend(settings.data_dir, synchronous=settings.sqlite_sync)
    backend.presence_ttl = settings.presence_ttl
    return backend
