"""Appends on a Redis Cluster acknowledged only once a replica has them (`?replicas=N`).

Redis replicates asynchronously: a primary killed right after it answered an append
may not have sent it to its replica yet, and the replica that takes over has a log
without it (the feeds then find the log went back and fence a new epoch, so nobody is
served a wrong history, but the record is gone). `redis+cluster://...?replicas=1`
closes that window: each batch of appends is sent to its slot's primary in one
pipeline that ends with `WAIT 1 <ms>` on the same connection, and the appends are
acknowledged only when that many replicas confirmed them (Redis 7.0 has no WAITAOF; the
replica holds them in memory, and writes its own AOF).

A batch is grouped by the primary that owns each call's slot (the cluster client's slot
map); calls to one room keep their order, as they share a slot, hence a primary and a
pipeline. A call answered `MOVED` (the slot moved), `ASK`/`TRYAGAIN` (it is moving) or
`CLUSTERDOWN` did not run: the slot map is read again and the call sent again, a few
times. A WAIT that confirms fewer replicas than asked, in `wait_ms`, makes that
primary's calls of the batch "unavailable": they may stand, and the caller's retry with
the same `(pid, cid)` learns its seq (as after any unconfirmed append).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.crc import key_slot
from redis.exceptions import (
    AskError,
    ClusterDownError,
    MovedError,
    RedisClusterException,
    RedisError,
    TryAgainError,
)

from .redis_append import Appender, Call
from .redis_keys import Script

__all__ = ["ReplicatedAppender"]

REDIRECTS = (MovedError, AskError, TryAgainError, ClusterDownError)
ROUNDS = 20  # sends of a call that keeps being redirected, 0.05 s apart (a slot moving)


class NotReplicated(RedisError):
    """WAIT confirmed fewer replicas than asked."""


class ReplicatedAppender(Appender):
    """The Appender's lanes and batches, each batch sent per primary with a WAIT."""

    def __init__(
        self,
        cluster: RedisCluster,
        script: Script,
        stats: Counter[str],
        *,
        replicas: int,
        wait_ms: int,
        **options: Any,
    ) -> None:
        super().__init__(cluster, script, stats, **options)  # type: ignore[arg-type]
        self._cluster = cluster
        self._replicas = replicas
        self._wait_ms = wait_ms
        self._nodes: dict[str, Redis] = {}
        self._stale = False  # a primary failed: read the slot map before the next batch

    async def close(self) -> None:
        await super().close()
        for client in self._nodes.values():
            with contextlib.suppress(Exception):
                await client.aclose(close_connection_pool=True)

    async def _execute(self, calls: list[Call]) -> list[Any]:
        replies: list[Any] = [None] * len(calls)
        waiting = list(range(len(calls)))
        for round_ in range(ROUNDS):
            if round_:
                await asyncio.sleep(0.05)
            if round_ or self._stale:
                self._stale = False
                await self._read_slot_map()
            by_node: dict[str, list[int]] = {}
            unrouted = []
            for i in waiting:
                try:
                    node = self._owner(calls[i].keys[0])
                except RedisClusterException as exc:  # no primary for the slot, yet
                    replies[i] = ClusterDownError(str(exc))
                    unrouted.append(i)
                    continue
                by_node.setdefault(node.name, []).append(i)
            sent = await asyncio.gather(
                *(self._send_to(name, [calls[i] for i in mine]) for name, mine in by_node.items())
            )
            waiting = unrouted
            for mine, got in zip(by_node.values(), sent, strict=True):
                for i, reply in zip(mine, got, strict=True):
                    replies[i] = reply
                    if isinstance(reply, REDIRECTS):
                        waiting.append(i)
            if not waiting:
                break
            self._stats["append_redirects"] += len(waiting)
        return replies

    async def _read_slot_map(self) -> None:
        """Ask the cluster for its slot map again; unreachable, keep the one known."""
        try:
            await self._cluster.nodes_manager.initialize()
        except (RedisError, RedisClusterException, OSError):
            self._stale = True

    def _owner(self, key: str) -> ClusterNode:
        node: ClusterNode = self._cluster.nodes_manager.get_node_from_slot(key_slot(key.encode()))
        return node

    def _node_client(self, name: str) -> Redis:
        client = self._nodes.get(name)
        if client is None:
            node = self._cluster.nodes_manager.get_node(node_name=name)
            if node is None:
                raise NotReplicated(f"no node {name} in the slot map")
            pool = ConnectionPool(connection_class=node.connection_class, **node.connection_kwargs)
            client = self._nodes[name] = Redis(connection_pool=pool)
        return client

    async def _send_to(self, name: str, calls: list[Call]) -> list[Any]:
        """One pipeline to one primary: the EVALSHAs, then WAIT. A failed connection
        fails these calls only."""
        command = ("EVALSHA", self._script.sha)
        try:
            pipe = self._node_client(name).pipeline(transaction=False)
            for call in calls:
                pipe.execute_command(*command, len(call.keys), *call.keys, *call.args)
            pipe.execute_command("WAIT", self._replicas, self._wait_ms)
            *replies, confirmed = await pipe.execute(raise_on_error=False)
        except (RedisError, OSError) as exc:  # the primary is gone, or cut off
            self._stale = True
            error = exc if isinstance(exc, RedisError) else RedisError(str(exc))
            return [error] * len(calls)
        if isinstance(confirmed, int) and confirmed >= self._replicas:
            return replies
        self._stats["append_not_replicated"] += len(calls)
        short = NotReplicated(f"{name}: {confirmed!r} of {self._replicas} replicas confirmed")
        return [r if isinstance(r, RedisError) else short for r in replies]
