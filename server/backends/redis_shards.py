"""The listener's pub/sub connection on a Redis Cluster: one socket per primary, seen
as one connection that speaks plain pub/sub (`redis_listener` is unchanged).

`SUBSCRIBE ch...` from the listener becomes one `SSUBSCRIBE ch` on the primary that
owns each channel's slot (sharded pub/sub, Redis 7), and the replies and messages of
every shard (`ssubscribe`, `smessage`, `sunsubscribe`) come back as `subscribe`,
`message` and `unsubscribe`, in order per shard, hence per channel. Whatever goes
wrong on any shard ends the whole connection, and the listener's reconnect (with a
fresh view of the slots) subscribes every room again, each feed catching up from its
stream as after any pub/sub reconnect:

- a shard's socket drops, or it leaves a PING unanswered (a primary killed or cut off:
  each shard is PINGed after `PING_EVERY` seconds of silence, whatever the others do);
- a shard answers `MOVED` to an `SSUBSCRIBE` (the slot map was stale);
- a shard ends a subscription nobody asked to end: Redis sends `sunsubscribe` when a
  channel's slot moves away (resharding, or the primary became a replica).

Some rooms resync that did not need to; the listener's guarantees (gapless,
duplicate-free, a dropped feed catches up) hold as they do on one server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from typing import Any

from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.crc import key_slot
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException

__all__ = ["ShardConnection", "connect_shards"]

log = logging.getLogger(__name__)

PING_EVERY = 5.0  # seconds of silence on a shard before it is PINGed (the listener's default)
PLAIN = {b"smessage": b"message", b"ssubscribe": b"subscribe", b"sunsubscribe": b"unsubscribe"}
SHARDED = {"SUBSCRIBE": "SSUBSCRIBE", "UNSUBSCRIBE": "SUNSUBSCRIBE"}


class _Shard:
    """One primary's pub/sub socket and what it owes the listener."""

    def __init__(self, node: ClusterNode, conn: Any) -> None:
        self.node = node
        self.conn = conn
        self.unsubscribing: Counter[bytes] = Counter()  # SUNSUBSCRIBEs not yet confirmed


class ShardConnection:
    """Looks like a redis-py `Connection` to the listener: `send_command`,
    `read_response(timeout=)` and `disconnect`."""

    def __init__(self, cluster: RedisCluster, shards: dict[str, _Shard]) -> None:
        self._cluster = cluster
        self._shards = shards
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._readers = [
            asyncio.get_running_loop().create_task(self._read(shard), name=f"shard-{name}")
            for name, shard in shards.items()
        ]

    async def send_command(self, command: str, *channels: Any, check_health: bool = False) -> None:
        """SUBSCRIBE / UNSUBSCRIBE, sent sharded per channel; PING, to every shard. A
        failure ends the whole connection (the listener's reads raise it too)."""
        try:
            await self._send(command, *channels)
        except RedisClusterException as exc:  # no node for a slot (mid-failover)
            error = RedisConnectionError(f"pub/sub: {exc}")
            self._inbox.put_nowait(error)
            raise error from exc
        except BaseException as exc:
            self._inbox.put_nowait(exc)
            raise

    async def _send(self, command: str, *channels: Any) -> None:
        if command == "PING":
            for shard in self._shards.values():
                await shard.conn.send_command("PING", check_health=False)
            return
        verb = SHARDED[command]
        by_shard: dict[str, list[bytes]] = {}
        for channel in channels:
            name = self._owner(channel)
            by_shard.setdefault(name, []).append(channel)
        for name, mine in by_shard.items():
            shard = self._shards[name]
            if verb == "SUNSUBSCRIBE":
                shard.unsubscribing.update(mine)
            packed = shard.conn.pack_commands([(verb, channel) for channel in mine])
            await shard.conn.send_packed_command(packed, check_health=False)

    async def read_response(self, timeout: float | None = None) -> Any:  # noqa: ASYNC109 (redis-py's signature)
        """The next reply or message of any shard, in plain pub/sub words; None after
        `timeout` seconds of silence; raises what ended a shard."""
        try:
            async with asyncio.timeout(timeout):
                item = await self._inbox.get()
        except TimeoutError:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    async def disconnect(self) -> None:
        for task in self._readers:
            task.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
        for shard in self._shards.values():
            with contextlib.suppress(Exception):
                await shard.conn.disconnect()

    def _owner(self, channel: bytes) -> str:
        node = self._cluster.nodes_manager.get_node_from_slot(key_slot(channel))
        if node.name not in self._shards:
            raise RedisConnectionError(
                f"no pub/sub connection to {node.name}, which owns {channel!r}"
            )
        return node.name

    async def _read(self, shard: _Shard) -> None:
        try:
            waiting_pong = False
            while True:
                message = await shard.conn.read_response(timeout=PING_EVERY)
                if message is None:  # quiet: is this shard still there?
                    if waiting_pong:
                        raise TimeoutError(f"{shard.node.name} did not answer PING")
                    await shard.conn.send_command("PING", check_health=False)
                    waiting_pong = True
                    continue
                waiting_pong = False
                self._inbox.put_nowait(self._plain(shard, message))
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # the socket dropped, MOVED, a moved slot
            self._inbox.put_nowait(exc)

    def _plain(self, shard: _Shard, message: Any) -> Any:
        if not isinstance(message, list) or len(message) < 2:
            return message
        kind = PLAIN.get(message[0])
        if kind is None:
            return message  # pong
        if kind == b"unsubscribe":
            channel = message[1]
            if shard.unsubscribing[channel] <= 0:
                raise RedisConnectionError(
                    f"{shard.node.name} ended a subscription: its slot moved"
                )
            shard.unsubscribing[channel] -= 1
            if not shard.unsubscribing[channel]:
                del shard.unsubscribing[channel]
        return [kind, *message[1:]]


async def connect_shards(cluster: RedisCluster) -> ShardConnection:
    """A pub/sub socket to every primary, with the slot map read afresh."""
    try:
        await cluster.nodes_manager.initialize()
    except RedisClusterException as exc:  # no seed answered, or slots uncovered
        raise RedisConnectionError(f"Redis Cluster slot map: {exc}") from exc
    shards: dict[str, _Shard] = {}
    try:
        for node in cluster.get_primaries():
            conn = node.connection_class(**node.connection_kwargs)
            shards[node.name] = _Shard(node, conn)
            await conn.connect()
    except BaseException:
        for shard in shards.values():
            with contextlib.suppress(Exception):
                await shard.conn.disconnect()
        raise
    return ShardConnection(cluster, shards)
