"""The Redis backend on a Redis Cluster, beyond the contract suite (issue 16): fan-out
is sharded pub/sub on the room's own shard, a quiet shard keeps its subscription,
`?replicas=1` acknowledges an append only once a replica has it, and the settings check
(and so `workshop doctor` and the safe start) reads every primary."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from server.backends.base import BackendUnavailable
from server.backends.redis_keys import room_keys
from tests.support.redis_cluster import RedisCluster
from tests.support.server import free_port, workshop

from .support import EVENT, ROOM, Tail, assert_once_in_order, eventually, open_redis


async def test_a_rooms_records_go_out_on_its_own_shard(redis_cluster: RedisCluster) -> None:
    redis_cluster.flush()
    writer = await open_redis(redis_cluster.url)
    reader = await open_redis(redis_cluster.url)
    tail = Tail()
    channel = room_keys(ROOM).channel
    try:
        await writer.create_event(EVENT)
        reader.subscribe(ROOM, tail)
        await eventually(lambda: redis_cluster.shard_subscribers(channel) == 1)
        with redis_cluster.owner(channel).client() as owner:
            plain = owner.pubsub_numsub(channel)
        assert dict(plain).get(channel, 0) == 0  # SSUBSCRIBE, not SUBSCRIBE
        for n in range(20):
            await writer.append(ROOM, "question.asked", {"n": n}, None, None)
        await eventually(lambda: len(tail.seqs) == 20)
        assert_once_in_order(tail, 1, 20)
        assert reader.stats["caught_up"] < 20  # most came live, by SPUBLISH
    finally:
        await reader.close()
        await writer.close()


async def test_a_quiet_shard_keeps_its_subscription(redis_cluster: RedisCluster) -> None:
    """Shards with no traffic are read without a socket timeout (they are PINGed
    instead), so the listener does not reconnect every `socket_timeout` seconds."""
    redis_cluster.flush()
    backend = await open_redis(redis_cluster.url, socket_timeout=0.3)
    tail = Tail()
    try:
        await backend.create_event(EVENT)
        backend.subscribe(ROOM, tail)
        await backend.append(ROOM, "question.asked", {"n": 1}, None, None)
        await eventually(lambda: tail.seqs == [1])
        await asyncio.sleep(1.5)  # five socket timeouts of silence on every shard
        assert backend.stats["pubsub_reconnects"] == 0
        await backend.append(ROOM, "question.asked", {"n": 2}, None, None)
        await eventually(lambda: tail.seqs == [1, 2])
    finally:
        await backend.close()


async def test_the_settings_of_every_primary_are_checked(redis_cluster: RedisCluster) -> None:
    redis_cluster.flush()
    careless = redis_cluster.primary_nodes()[-1]
    with careless.client() as client:
        client.config_set("maxmemory-policy", "allkeys-lru")
    try:
        backend = await open_redis(redis_cluster.url)
        await backend.close()
    finally:
        with careless.client() as client:
            client.config_set("maxmemory-policy", "noeviction")
    [warning] = backend.config_warnings
    assert warning.split()[1] == "maxmemory-policy"  # what `workshop doctor` reads
    assert f"127.0.0.1:{careless.port}" in warning


def test_doctor_and_serve_check_every_primary(redis_cluster: RedisCluster) -> None:
    env = {"WORKSHOP_SECRET": "cluster-doctor-tests-secret-0123456789abcdef"}
    url = redis_cluster.url
    redis_cluster.flush()
    doctor = workshop("doctor", "--redis-url", url, env=env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "ok    redis eviction" in doctor.stdout
    careless = redis_cluster.primary_nodes()[1]
    with careless.client() as client:
        client.config_set("maxmemory-policy", "allkeys-lru")
    try:
        doctor = workshop("doctor", "--redis-url", url, env=env)
        assert doctor.returncode == 1
        found = f"Redis maxmemory-policy is 'allkeys-lru' on 127.0.0.1:{careless.port}"
        assert f"fail  redis eviction: {found}" in doctor.stdout
        refused = workshop("serve", "--port", str(free_port()), "--redis-url", url, env=env)
        assert refused.returncode == 2
        assert "maxmemory-policy" in refused.stderr.strip().splitlines()[-1]
    finally:
        with careless.client() as client:
            client.config_set("maxmemory-policy", "noeviction")


async def test_with_replicas_1_an_append_waits_for_the_replica(redis_cluster: RedisCluster) -> None:
    """A replica that does not confirm makes the append "unavailable" (it may stand);
    the retry with the same (pid, cid), once the replica is back, learns its seq."""
    redis_cluster.flush()
    backend = await open_redis(f"{redis_cluster.url}?replicas=1", socket_timeout=1.0)
    actor = {"pid": "p1", "name": "Asker"}
    replica = redis_cluster.replica_of(redis_cluster.owner(room_keys(ROOM).seq))
    assert replica.proc is not None
    try:
        await backend.create_event(EVENT)
        first = await backend.append(ROOM, "question.asked", {"n": 1}, actor, "c1")
        assert first.seq == 1 and backend.stats["append_not_replicated"] == 0
        os.kill(replica.proc.pid, signal.SIGSTOP)
        try:
            with pytest.raises(BackendUnavailable):
                await backend.append(ROOM, "question.asked", {"n": 2}, actor, "c2")
            assert backend.stats["append_not_replicated"] == 1
        finally:
            os.kill(replica.proc.pid, signal.SIGCONT)
        again = await backend.append(ROOM, "question.asked", {"n": 2}, actor, "c2")
        assert again.seq == 2 and again.epoch == first.epoch  # it had landed: deduped
        assert [r.seq for r in await backend.read(ROOM, 1)] == [1, 2]
    finally:
        await backend.close()
        redis_cluster.wait_healthy()
