"""Choose the backend from settings. `redis` is imported only when it is used."""

from __future__ import annotations

from server.backends.base import Backend
from server.settings import Settings


def make_backend(settings: Settings) -> Backend:
    """The Redis backend when a Redis URL is set, else the embedded SQLite one."""
    if settings.redis_url:
        raise SystemExit("the Redis backend is not part of this build yet")
    from server.backends.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.data_dir, synchronous=settings.sqlite_sync)
