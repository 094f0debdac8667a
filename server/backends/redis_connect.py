"""Reaching Redis: connection pools for every URL form, and the settings check at start.

`redis://`, `rediss://` and `unix://` URLs name one server; `redis+sentinel://` names
the Sentinels that know the master; `redis+cluster://` the seed nodes of a Redis Cluster
(`redis_cluster`; docs/scaling.md). `link` gives the backend what it needs of each. At
start the backend reads two Redis settings (on every primary of a cluster) that decide
whether an acknowledged append can be lost.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

from .base import BackendUnavailable
from .redis_append import Appender
from .redis_keys import SCRIPTS, Script, text

__all__ = [
    "EXPECTED_CONFIG",
    "Link",
    "backend_pool",
    "check_config",
    "connection_pool",
    "link",
]

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


async def check_config(redis: Redis, where: str = "") -> list[str]:
    """Warnings (also logged) for each setting that lets Redis lose acknowledged appends:
    AOF off, or keys evicted (docs/scaling.md). A Redis that hides CONFIG (managed Redis
    often does) is told about at info level and trusted. `where` names the node (a
    cluster's primary) in each warning."""
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
                f"Redis {name} is {value!r}{where and ' on ' + where}, not {want!r}:"
                " acknowledged events may be lost"
                f" (set `{name} {want}`; see docs/scaling.md)"
            )
            warnings.append(warning)
            log.warning(warning)
    return warnings


@dataclass(frozen=True, slots=True)
class Link:
    """How the backend reaches its Redis: the client its commands go through, a way to
    open the listener's pub/sub connection, the scripts to run (a cluster's `SPUBLISH`),
    the settings check, and closing it all."""

    redis: Redis  # a cluster's client speaks the same commands, routed by slot
    connect_pubsub: Callable[[], Awaitable[Any]]
    scripts: dict[str, Script]
    publish: str  # the verb presence hints go out with: PUBLISH, or a cluster's SPUBLISH
    check_config: Callable[[], Awaitable[list[str]]]
    close: Callable[[], Awaitable[None]]
    appender: Callable[..., Appender] = Appender  # (client, script, stats, **options)


def link(url: str, socket_timeout: float, connect_timeout: float) -> Link:
    """The Link for any URL form."""
    if url.startswith("redis+cluster://"):
        from .redis_cluster import cluster_link

        return cluster_link(url, socket_timeout, connect_timeout)
    pool = backend_pool(url, socket_timeout, connect_timeout)
    redis = Redis(connection_pool=pool)

    async def connect_pubsub() -> Any:
        connection = pool.make_connection()
        await connection.connect()
        return connection

    async def close() -> None:
        await redis.aclose(close_connection_pool=True)
        for sentinel in getattr(getattr(pool, "sentinel_manager", None), "sentinels", ()):
            await sentinel.aclose()

    return Link(redis, connect_pubsub, SCRIPTS, "PUBLISH", lambda: check_config(redis), close)
