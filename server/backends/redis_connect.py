"""Reaching Redis: connection pools for every URL form, and the settings check at start.

`redis://`, `rediss://` and `unix://` URLs name one server; `redis+sentinel://` names
the Sentinels that know the master (docs/scaling.md). At start the backend reads two
Redis settings that decide whether an acknowledged append can be lost.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

from .base import BackendUnavailable
from .redis_keys import text

__all__ = ["EXPECTED_CONFIG", "backend_pool", "check_config", "connection_pool"]

log = logging.getLogger(__name__)

EXPECTED_CONFIG = {"appendonly": "yes", "maxmemory-policy": "noeviction"}


def connection_pool(url: str, **options: Any) -> ConnectionPool:
    """A pool for a `redis://`, `rediss://` or `unix://` URL, or for the master that
    Sentinel names: `redis+sentinel://[:password@]host:port[,host:port...]/service[/db]`
    (the password is the master's; the Sentinels are asked without one)."""
    if not url.startswith("redis+sentinel://"):
        return ConnectionPool.from_url(url, **options)
    from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool

    parts = urlsplit(url)
    path = [part for part in parts.path.split("/") if part]
    if not path:
        raise ValueError("a Sentinel URL names the service: redis+sentinel://host:26379/NAME")
    sentinels = []
    for item in parts.netloc.rpartition("@")[2].split(","):
        host, _, port = item.rpartition(":")
        sentinels.append((host, int(port)) if host else (item, 26379))
    names = ("socket_timeout", "socket_connect_timeout")
    timeouts: dict[str, Any] = {k: options[k] for k in names if k in options}
    sentinel = Sentinel(sentinels, sentinel_kwargs={**timeouts, "protocol": 2})
    return SentinelConnectionPool(
        path[0],
        sentinel,
        db=int(path[1]) if len(path) > 1 else 0,
        username=parts.username or None,
        password=parts.password or None,
        **options,
    )


def backend_pool(url: str, socket_timeout: float, connect_timeout: float) -> ConnectionPool:
    """The backend's pool: RESP2, commands that time out after `socket_timeout` and are
    never retried by the client (a Redis that is down shows as BackendUnavailable
    quickly), connections named `workshop:HOST:PID` in CLIENT LIST."""
    return connection_pool(
        url,
        protocol=2,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
        client_name=f"workshop:{socket.gethostname()}:{os.getpid()}",
    )


async def check_config(redis: Redis) -> list[str]:
    """Warnings (also logged) for each setting that lets Redis lose acknowledged appends:
    AOF off, or keys evicted (docs/scaling.md). A Redis that hides CONFIG (managed Redis
    often does) is told about at info level and trusted."""
    warnings = []
    for name, want in EXPECTED_CONFIG.items():
        try:
            found = await redis.config_get(name)
        except ResponseError as exc:  # CONFIG renamed or disabled
            log.info("cannot read Redis setting %s (%s); it should be %s", name, exc, want)
            continue
        except (RedisError, OSError) as exc:
            raise BackendUnavailable(f"Redis unreachable at start: {exc}") from exc
        value = {text(k): text(v) for k, v in found.items()}.get(name)
        if value != want:
            warning = (
                f"Redis {name} is {value!r}, not {want!r}: acknowledged events may be lost"
                f" (set `{name} {want}`; see docs/scaling.md)"
            )
            warnings.append(warning)
            log.warning(warning)
    return warnings
