"""GET /metrics on the Redis backend (issue 16): the feeds' lag, pub/sub reconnects and
garbage under their own names, and `--workers 2` answering with both workers' figures
(server/metrics_feeds.py, server/metrics_workers.py). Real redis-server, real server
processes, real clients; each figure is read before and after what the test does."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import msgpack

from server.backends.redis_keys import encode_body, live_key, new_nonce, room_keys, sign_live
from tests.integration.helpers import Raw
from tests.integration.test_metrics import samples

from .conftest import StartCluster
from .support import ROOM, SECRET, Cluster, eventually, workers_on_redis

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def figures(url: str) -> Samples:
    """One scrape, on a connection of its own (so `--workers` may answer from either)."""
    with httpx.Client(base_url=url, headers={"connection": "close"}) as http:
        answer = http.get("/metrics")
    assert answer.status_code == 200, answer.text
    return samples(answer.text)


def one(seen: Samples, name: str) -> float:
    return seen.get((name, ()), -1.0)


async def joined_and_live(member: Raw, url: str) -> Samples:
    """Join the room, wait until its feed is live on the server, and scrape."""
    assert (await member.join(ROOM, name="Aya"))["t"] == "ok"
    await eventually(lambda: one(figures(url), "workshop_redis_feeds_behind") == 0, "live")
    return figures(url)


async def test_redis_feed_figures_follow_the_feed(cluster: StartCluster) -> None:
    c = cluster(1)
    url = c.servers[0].url
    member = await Raw.open(c.servers[0].ws_url)
    try:
        before = await joined_and_live(member, url)
        assert one(before, "workshop_redis_feed_lag_records") == 0
        assert one(before, "workshop_redis_feed_lag_seconds") == 0

        with c.redis.client() as r:
            r.publish(room_keys(ROOM).channel, b"not a record")
        garbage = "workshop_redis_garbage_dropped_total"
        await eventually(lambda: one(figures(url), garbage) == one(before, garbage) + 1, "junk")

        assert (await member.ask("Does the feed keep up?"))["t"] == "ok"
        after = figures(url)
        appended = ("workshop_append_seconds_count", (("backend", "redis"),))
        assert after[appended] == before.get(appended, 0.0) + 1

        # Redis goes away: the feed is behind, and says for how long; back, it reconnects.
        c.redis.kill()
        await eventually(lambda: one(figures(url), "workshop_redis_feed_lag_seconds") > 0, "behind")
        down = figures(url)
        assert one(down, "workshop_redis_feeds_behind") >= 1  # the room, and its desk log
        c.redis.start()
        reconnects = "workshop_redis_pubsub_reconnects_total"

        def back() -> bool:
            now = figures(url)
            return (
                one(now, reconnects) > one(before, reconnects)
                and one(now, "workshop_redis_feeds_behind") == 0
                and one(now, "workshop_redis_feed_lag_seconds") == 0
            )

        await eventually(back, "reconnected and live again")
        errors = "workshop_redis_pubsub_errors_total"
        assert one(figures(url), errors) > one(before, errors)  # the tries while it was down
    finally:
        await member.close()


def live_message(c: Cluster, seq: int, *, key: bytes) -> bytes:
    """A record's live message for seq `seq` of the room's current log life, signed with
    `key` (the servers' own, or another)."""
    keys = room_keys(ROOM)
    with c.redis.client() as r:
        epoch = r.get(keys.epoch)
    body = encode_body("ask", {"text": "Not in the log"}, None, None)
    nonce, mac = sign_live(key, keys.channel, body)
    return bytes(msgpack.packb([seq, epoch, str(time.time()).encode(), body, nonce, mac]))


async def test_gaps_and_forged_records_are_counted(cluster: StartCluster) -> None:
    c = cluster(1)
    url = c.servers[0].url
    member = await Raw.open(c.servers[0].ws_url)
    try:
        before = await joined_and_live(member, url)
        gaps, forged = "workshop_redis_feed_gaps_total", "workshop_redis_forged_dropped_total"
        garbage = "workshop_redis_garbage_dropped_total"
        channel = room_keys(ROOM).channel
        # Signed as a server would, but two seqs past the head: a gap, which the stream
        # does not fill (the seq is past its head), so the message is dropped too.
        with c.redis.client() as r:
            r.publish(channel, live_message(c, c.head() + 2, key=live_key(SECRET.encode())))

        def gap_seen() -> bool:
            now = figures(url)
            return one(now, gaps) == one(before, gaps) + 1 and one(now, garbage) > one(
                before, garbage
            )

        await eventually(gap_seen, "the gap counted")
        await eventually(lambda: one(figures(url), "workshop_redis_feeds_behind") == 0, "live")
        middle = figures(url)
        assert one(middle, forged) == one(before, forged)
        assert one(middle, "workshop_redis_feed_lag_records") == 0  # a claimed seq is no lag
        with c.redis.client() as r:  # signed with a key no server has
            r.publish(channel, live_message(c, c.head() + 1, key=new_nonce() * 3))
        await eventually(lambda: one(figures(url), forged) == one(middle, forged) + 1, "forged")
    finally:
        await member.close()


async def test_workers_answer_with_every_workers_figures(tmp_path: Path) -> None:
    redis, server = workers_on_redis(tmp_path)
    members: list[Raw] = []
    try:
        await asyncio.to_thread(server.start, 60)
        await eventually(
            lambda: one(figures(server.url), "workshop_workers_merged") == 2, "two workers"
        )

        def spread() -> dict[str, float]:
            seen = figures(server.url)
            return {
                dict(labels)["worker"]: value
                for (name, labels), value in seen.items()
                if name == "workshop_worker_connections_open"
            }

        # Connections until both workers hold some (the kernel picks the worker).
        while len(members) < 60 and sum(1 for n in spread().values() if n > 0) < 2:
            for _ in range(5):
                raw = await Raw.open(server.ws_url)
                members.append(raw)
                assert (await raw.join(ROOM, name=f"M{len(members)}"))["t"] == "ok"
            await eventually(lambda: sum(spread().values()) == len(members), "all counted")
        by_worker = spread()
        assert len(by_worker) == 2 and all(n > 0 for n in by_worker.values()), by_worker

        # Every answer, from whichever worker, covers both.
        for _ in range(8):
            seen = figures(server.url)
            assert one(seen, "workshop_workers_merged") == 2
            assert one(seen, "workshop_connections_open") == len(members)
            assert one(seen, "workshop_connections_joined") == len(members)
            joins = seen[("workshop_commands_total", (("outcome", "ok"), ("type", "join")))]
            assert joins == len(members)
            pids = {
                dict(labels)["worker"]
                for name, labels in seen
                if name == "process_resident_memory_bytes"
            }
            assert pids == set(by_worker)
    finally:
        await asyncio.gather(*(m.close() for m in members))
        await asyncio.to_thread(server.stop)
        redis.kill()
