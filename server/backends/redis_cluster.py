"""The Redis backend on a Redis Cluster.

`redis+cluster://[user:password@]host:port[,host:port...][?replicas=N]`: the hosts are
seeds (any one that answers gives the whole slot map).

The backend speaks to a cluster through redis-py's cluster client, which sends each
command to the primary serving its keys' slot and follows `MOVED` and `ASK` (a slot
that moved, or is moving). Nothing else changes, because of the key layout
(`redis_keys`): every key of a room carries the room's hash tag, so a room's counter,
stream, epoch, dedupe keys, snapshot and presence share one slot, and each Lua script
runs whole on the primary that owns it; the catalogue has a tag of its own.

What differs from one server:

- Fan-out uses **sharded pub/sub**: the scripts `SPUBLISH` (a variant of each script
  that publishes, loaded by its own SHA; the one-server scripts are untouched), and the
  listener `SSUBSCRIBE`s each channel on the primary that owns its slot
  (`redis_shards`). A publish reaches one shard, not every node.
- Scripts are loaded on every primary (`SCRIPT LOAD` goes to all of them); a replica
  promoted by a failover has none, answers NOSCRIPT, and gets them again.
- The settings check (`check_config`) reads every primary.
- `?replicas=N` in the URL: an append is acknowledged only once N replicas have it
  (`redis_replicated`: WAIT after each batch), so a primary killed -9 loses no
  acknowledged append; without it, replication is asynchronous, as on one server with
  Sentinel (docs/scaling.md).
- A command is never retried after a connection error (as on one server: an
  unreachable shard shows as BackendUnavailable within the socket timeout); a
  redirection is followed, since the command did not run.
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Callable
from typing import cast
from urllib.parse import parse_qs, unquote, urlsplit

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from .redis_append import Appender
from .redis_connect import Link, check_config
from .redis_keys import SCRIPTS, Script
from .redis_replicated import ReplicatedAppender
from .redis_shards import connect_shards

__all__ = ["SHARDED_SCRIPTS", "cluster_client", "cluster_link", "primaries", "seeds"]


def seeds(url: str) -> list[tuple[str, int]]:
    """The `host:port` pairs a cluster URL names (port 6379 when left out)."""
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    out = []
    for item in netloc.split(","):
        host, _, port = item.rpartition(":")
        out.append((host.strip("[]"), int(port)) if host else (item, 6379))
    if not out or not out[0][0]:
        raise ValueError("a cluster URL names its nodes: redis+cluster://host:port[,host:port...]")
    return out


def cluster_client(url: str, socket_timeout: float, connect_timeout: float) -> RedisCluster:
    """The backend's cluster client: RESP2, every URL node a seed, the same timeouts
    and connection names as on one server, no retry after a connection error."""
    parts = urlsplit(url)
    return RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in seeds(url)],
        protocol=2,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        retry=Retry(NoBackoff(), 0),
        client_name=f"workshop:{socket.gethostname()}:{os.getpid()}",
    )


def _sharded(script: Script) -> Script:
    """The script with `PUBLISH` made `SPUBLISH` (same arguments, a shard's channel)."""
    source = script.source.replace("redis.call('PUBLISH',", "redis.call('SPUBLISH',")
    if source == script.source:
        return script
    return Script.of(script.name, source)


SHARDED_SCRIPTS = {name: _sharded(script) for name, script in SCRIPTS.items()}


def primaries(cluster: RedisCluster) -> list[tuple[str, Redis]]:
    """A plain client of each primary, by `host:port`, with the cluster's connection
    options (close them after use)."""
    return [
        (
            node.name,
            Redis(
                connection_pool=ConnectionPool(
                    connection_class=node.connection_class, **node.connection_kwargs
                )
            ),
        )
        for node in cluster.get_primaries()
    ]


async def check_primaries(cluster: RedisCluster) -> list[str]:
    """`check_config` on every primary, each warning naming its node."""
    await cluster.initialize()
    warnings = []
    for name, client in primaries(cluster):
        try:
            warnings += await check_config(client, where=name)
        finally:
            await client.aclose(close_connection_pool=True)
    return warnings


def replicas_wanted(url: str) -> int:
    """`?replicas=N`: how many replicas must hold an append before it is acknowledged."""
    found = parse_qs(urlsplit(url).query).get("replicas", ["0"])
    wanted = int(found[-1])
    if wanted < 0:
        raise ValueError("replicas=N wants N >= 0")
    return wanted


def cluster_link(url: str, socket_timeout: float, connect_timeout: float) -> Link:
    """The backend's `Link` to a cluster."""
    cluster = cluster_client(url, socket_timeout, connect_timeout)
    replicas = replicas_wanted(url)
    appender: Callable[..., Appender] = Appender
    if replicas:
        # WAIT must answer before the socket times out: half of it.
        wait_ms = max(1, int(socket_timeout * 500))
        appender = functools.partial(ReplicatedAppender, replicas=replicas, wait_ms=wait_ms)

    async def connect_pubsub() -> object:
        return await connect_shards(cluster)

    return Link(
        cast(Redis, cluster),  # the same commands, each sent to its slot's primary
        connect_pubsub,
        SHARDED_SCRIPTS,
        "SPUBLISH",
        lambda: check_primaries(cluster),
        cluster.aclose,
        appender,
    )
