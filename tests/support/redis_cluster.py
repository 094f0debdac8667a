"""A real local Redis Cluster for tests: three primaries and three replicas from
`redis-server` with `cluster-enabled yes`, each on free ports in its own folder (AOF
on, appendfsync always), joined by `redis-cli --cluster create --cluster-replicas 1`
(issue 16, "Redis Cluster"). Failing a primary over is `CLUSTER FAILOVER` on its
replica, or kill -9 of the primary (`cluster-node-timeout` is short, so a replica takes
over within a few seconds)."""

from __future__ import annotations

import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import redis
import redis.cluster
from redis.crc import key_slot

from tests.support.redis import RedisProcess
from tests.support.server import free_port

REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
NODE_TIMEOUT_MS = 1000  # how long a primary may be silent before its replica takes over


def _node(folder: Path, appendfsync: str) -> RedisProcess:
    port, bus = free_port(), free_port()
    return RedisProcess(
        folder,
        port=port,
        appendfsync=appendfsync,
        extra=(
            "--cluster-enabled", "yes",
            "--cluster-config-file", str(folder / "nodes.conf"),
            "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
            "--cluster-port", str(bus),
            "--cluster-replica-validity-factor", "0",  # a lagging replica may still take over
        ),
    )  # fmt: skip


@dataclass
class RedisCluster:
    """Six redis-servers joined into one cluster (`primaries` x 2 nodes)."""

    folder: Path
    primaries: int = 3
    appendfsync: str = "always"
    wait_replicas: int = (
        0  # the URL's `?replicas=N`: appends acknowledged once N replicas have them
    )
    nodes: list[RedisProcess] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The backend's URL: every node as a seed."""
        seeds = ",".join(f"127.0.0.1:{n.port}" for n in self.nodes)
        query = f"?replicas={self.wait_replicas}" if self.wait_replicas else ""
        return f"redis+cluster://{seeds}{query}"

    def start(self, timeout: float = 60.0) -> None:
        self.nodes = [
            _node(self.folder / f"node-{i}", self.appendfsync) for i in range(2 * self.primaries)
        ]
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda node: node.start(), self.nodes))
        addresses = [f"127.0.0.1:{n.port}" for n in self.nodes]
        made = subprocess.run(
            [REDIS_CLI, "--cluster", "create", *addresses, "--cluster-replicas", "1",
             "--cluster-yes"],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if made.returncode != 0:
            self.kill()
            raise RuntimeError(f"redis-cli --cluster create failed:\n{made.stdout}{made.stderr}")
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Until every running node says `cluster_state:ok` and knows all 16384 slots
        served by a primary that runs, every replica attached (and, with all nodes up,
        every primary with its replica)."""
        deadline = time.monotonic() + timeout
        while not self._healthy():
            if time.monotonic() > deadline:
                raise RuntimeError("the Redis Cluster did not become healthy")
            time.sleep(0.05)

    def _healthy(self) -> bool:
        try:
            running = [n for n in self.nodes if n.proc is not None and n.proc.poll() is None]
            for node in running:
                with node.client() as client:
                    info = client.cluster("INFO")
                    if info.get("cluster_state") != "ok":
                        return False
                    if int(info.get("cluster_slots_ok", 0)) != 16384:
                        return False
            up = {n.port for n in running}
            for node in running:
                with node.client() as client:
                    role = client.execute_command("ROLE")
                whole = len(running) == len(self.nodes)
                if role[0] == b"master" and whole and len(role[2]) < 1:
                    return False
                if role[0] == b"slave" and (role[3] != b"connected" or int(role[2]) not in up):
                    return False
            owners = {self.owner_of_slot(slot).port for slot in (0, 8000, 16383)}
            return owners <= up
        except (redis.exceptions.RedisError, OSError):
            return False

    def flush(self) -> None:
        """Empty every primary (replicas follow), and forget the scripts."""
        for node in self.primary_nodes():
            with node.client() as client:
                client.flushall()
                client.script_flush()

    def primary_nodes(self) -> list[RedisProcess]:
        out = []
        for node in self.nodes:
            if node.proc is None or node.proc.poll() is not None:
                continue
            try:
                with node.client() as client:
                    if client.execute_command("ROLE")[0] == b"master":
                        out.append(node)
            except (redis.exceptions.RedisError, OSError):
                continue
        return out

    def owner_of_slot(self, slot: int) -> RedisProcess:
        """The primary serving `slot`, as a running node sees it."""
        for node in self.nodes:
            if node.proc is None or node.proc.poll() is not None:
                continue
            with node.client() as client:
                for start, end, primary, *_ in client.execute_command("CLUSTER SLOTS"):
                    if start <= slot <= end:
                        port = int(primary[1])
                        return next(n for n in self.nodes if n.port == port)
        raise RuntimeError(f"no node serves slot {slot}")

    @staticmethod
    def slot(key: str | bytes) -> int:
        return int(key_slot(key.encode() if isinstance(key, str) else key))

    def owner(self, key: str | bytes) -> RedisProcess:
        """The primary serving a key (or channel)."""
        return self.owner_of_slot(key_slot(key.encode() if isinstance(key, str) else key))

    def replica_of(self, primary: RedisProcess) -> RedisProcess:
        with primary.client() as client:
            role = client.execute_command("ROLE")
        port = int(role[2][0][1])
        return next(n for n in self.nodes if n.port == port)

    def client(self) -> redis.cluster.RedisCluster:
        """A synchronous cluster client, for the tests' own checks (commands on keys)."""
        node = self.primary_nodes()[0]
        return redis.cluster.RedisCluster(
            host="127.0.0.1", port=node.port, socket_timeout=5, protocol=2
        )

    def shard_subscribers(self, channel: bytes) -> int:
        """Subscribers of a shard channel, on the primary that owns it."""
        with self.owner(channel).client() as client:
            reply = client.pubsub_shardnumsub(channel)
        return int(dict(reply).get(channel, 0))

    def client_for(self, key: str | bytes) -> redis.Redis:
        """A plain client of the primary serving `key`, for the tests' own checks."""
        return self.owner(key).client()

    def fail_over(self, primary: RedisProcess) -> RedisProcess:
        """`CLUSTER FAILOVER` on the primary's replica (a planned switch: no write is
        lost); returns the new primary once it serves."""
        replica = self.replica_of(primary)
        with replica.client() as client:
            client.execute_command("CLUSTER FAILOVER")
        deadline = time.monotonic() + 30
        while True:
            with replica.client() as client:
                if client.execute_command("ROLE")[0] == b"master":
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("CLUSTER FAILOVER did not promote the replica")
            time.sleep(0.05)
        self.wait_healthy()
        return replica

    def kill_primary(self, primary: RedisProcess) -> RedisProcess:
        """kill -9 the primary; returns its replica once promoted and serving."""
        replica = self.replica_of(primary)
        primary.kill()
        deadline = time.monotonic() + 60
        while True:
            try:
                with replica.client() as client:
                    if client.execute_command("ROLE")[0] == b"master":
                        break
            except (redis.exceptions.RedisError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("no replica took over from the killed primary")
            time.sleep(0.05)
        self.wait_healthy()
        return replica

    def node_id(self, node: RedisProcess) -> str:
        with node.client() as client:
            return str(client.execute_command("CLUSTER MYID").decode())

    def move_slot(self, slot: int, target: RedisProcess, batch: int = 10) -> None:
        """Move a slot to another primary as `redis-cli --cluster reshard` does: mark it
        importing and migrating, MIGRATE its keys a few at a time (clients meanwhile get
        ASK, or TRYAGAIN for a script whose keys are split), then give it to `target`
        on every primary (the old owner's clients get MOVED, and its shard subscribers
        `sunsubscribe`)."""
        source = self.owner_of_slot(slot)
        source_id, target_id = self.node_id(source), self.node_id(target)
        with target.client() as dst, source.client() as src:
            dst.execute_command("CLUSTER SETSLOT", slot, "IMPORTING", source_id)
            src.execute_command("CLUSTER SETSLOT", slot, "MIGRATING", target_id)
            while keys := src.execute_command("CLUSTER GETKEYSINSLOT", slot, batch):
                src.execute_command("MIGRATE", "127.0.0.1", target.port, "", 0, 5000, "KEYS", *keys)
                time.sleep(0.01)  # let traffic run between the batches
            for node in (target, source, *self.primary_nodes()):
                with node.client() as client:
                    client.execute_command("CLUSTER SETSLOT", slot, "NODE", target_id)
        self.wait_healthy()

    def kill(self) -> None:
        for node in self.nodes:
            node.kill()
