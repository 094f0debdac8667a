"""What the scale-out tests share: several `workshop serve` processes on one Redis,
room members that record everything they receive, and the checks on what they saw.

Waits are bounded by generous timeouts so a bug fails a test instead of hanging it;
no test asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import msgpack

from client.errors import CommandError, Disconnected
from client.room_client import RoomClient
from server.backends.redis_keys import room_keys
from tests.support.redis import RedisProcess
from tests.support.redis_cluster import RedisCluster
from tests.support.server import EXAMPLE, LIFTED, ROOT, ServerProcess, free_port

SECRET = "scale-out-tests-share-this-secret-0123456789"
ROOM = "SUB-PLAN"
WAIT = 30.0  # seconds: the most any expected outcome may take before a test fails


def workshop_cli(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `workshop ARGS` with `env`, and no WORKSHOP_* or REDIS_URL of our own."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    base.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**base, **env},
        check=False,
    )


Store = TypeVar("Store", RedisProcess, RedisCluster)


@dataclass
class Cluster(Generic[Store]):
    """N server processes sharing one Redis (or one Redis Cluster), and the demo event's
    links."""

    redis: Store
    folder: Path
    servers: list[ServerProcess] = field(default_factory=list)
    links: dict[str, Any] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {"WORKSHOP_SECRET": SECRET}

    def create_event(self) -> None:
        out = workshop_cli(
            "create-event", str(EXAMPLE), "--redis-url", self.redis.url, "--json",
            "--base-url", "http://127.0.0.1", env=self.env,
        )  # fmt: skip
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        self.links = json.loads(out.stdout)

    def start(self, n: int, *args: str) -> None:
        """Start `n` more processes, in parallel."""
        new = []
        for _ in range(n):
            folder = self.folder / f"server-{len(self.servers) + len(new)}"
            folder.mkdir(parents=True)
            new.append(
                ServerProcess(
                    folder,
                    args=("--redis-url", self.redis.url, *LIFTED, *args),
                    env=self.env,
                )
            )
        with ThreadPoolExecutor(len(new)) as pool:
            list(pool.map(lambda s: s.start(timeout=60), new))
        self.servers += new

    def kill_all(self) -> None:
        for server in self.servers:
            server.kill()

    @property
    def moderator_key(self) -> str:
        return str(self.links["moderator_key"])

    def head(self, room: str = ROOM) -> int:
        """The room's last seq, straight from Redis."""
        with self.redis.client() as r:
            return int(r.get(room_keys(room).seq) or 0)

    def subscribers(self, channel: bytes) -> int:
        """How many connections subscribe a room's channel (sharded, on a cluster)."""
        if isinstance(self.redis, RedisCluster):
            return self.redis.shard_subscribers(channel)
        with self.redis.client() as r:
            return int(dict(r.pubsub_numsub(channel))[channel])

    def logs(self) -> str:
        return "\n".join(server.log() for server in self.servers)


class Member:
    """A RoomClient that records every `ev`/`snapshot` it applies and every frame
    it receives, in a background task, for the checks below."""

    def __init__(self, client: RoomClient) -> None:
        self.client = client
        self.applied: list[dict[str, Any]] = []  # snapshots and ev frames, as applied
        self.others: list[dict[str, Any]] = []  # presence, queue, ...
        self._tasks = [
            asyncio.create_task(self._collect(client.events(), self.applied)),
            asyncio.create_task(self._collect(client.frames(), self.others)),
        ]

    @classmethod
    async def join(cls, url: str, name: str, *, keep_raw: bool = False, **kw: Any) -> Member:
        client = RoomClient(
            url, ROOM, name=name, org="Sendai City", inbox=100_000, keep_raw=keep_raw, **kw
        )
        await client.connect()
        return cls(client)

    @staticmethod
    async def _collect(feed: Any, into: list[dict[str, Any]]) -> None:
        with contextlib.suppress(Disconnected):
            async for frame in feed:
                into.append(frame)

    async def close(self) -> None:
        await self.client.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    @property
    def seq(self) -> int:
        return self.client.seq or 0

    def events(self) -> list[tuple[int, str, dict[str, Any]]]:
        """`(seq, type, data)` of every applied event since the last snapshot, without
        the fields that differ by viewer (`mine`, `voted`)."""
        out: list[tuple[int, str, dict[str, Any]]] = []
        for frame in self.applied:
            if frame["t"] == "snapshot":
                out = []
            else:
                data = {k: v for k, v in frame["data"].items() if k not in ("mine", "voted")}
                out.append((frame["seq"], frame["type"], data))
        return out

    def snapshots(self) -> list[dict[str, Any]]:
        return [frame for frame in self.applied if frame["t"] == "snapshot"]

    def questions(self) -> list[str]:
        """The texts of `question.asked` events since the last snapshot, in seq order."""
        return [d["text"] for _, t, d in self.events() if t == "question.asked"]

    def current_questions(self) -> list[str]:
        """The question texts as this member's view has them now: the last snapshot's,
        then those asked since."""
        snaps = self.snapshots()
        base = [q["text"] for q in snaps[-1]["state"]["questions"]] if snaps else []
        return base + self.questions()

    async def raw_frames(self) -> list[dict[str, Any]]:
        """Every frame received so far, decoded (needs keep_raw=True)."""
        frames = []
        while True:
            try:
                raw = await asyncio.wait_for(self.client.recv_raw(), 0.2)
            except TimeoutError:
                return frames
            assert isinstance(raw, bytes)
            frames.append(msgpack.unpackb(raw, raw=False))


async def eventually(check: Callable[[], bool], what: str, within: float = WAIT) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not in {within}s: {what}")
        await asyncio.sleep(0.05)


async def all_reach(members: Iterable[Member], seq: int, within: float = WAIT) -> None:
    """Wait until every member has applied (and recorded) `seq`."""
    members = list(members)

    def recorded(m: Member) -> int:
        last = m.applied[-1] if m.applied else None
        return int(last["seq"]) if last is not None else 0

    await eventually(
        lambda: all(recorded(m) >= seq for m in members),
        f"every member at seq {seq} (they are at {[m.seq for m in members]})",
        within,
    )


def assert_gapless(member: Member, last: int) -> None:
    """The member applied `first..last` exactly once each, since its last snapshot."""
    seqs = [seq for seq, _, _ in member.events()]
    snaps = member.snapshots()
    first = snaps[-1]["seq"] + 1 if snaps else 1
    assert seqs == list(range(first, last + 1)), (first, last, seqs[:5], seqs[-5:])


def assert_no_gap_or_duplicate_on_the_wire(frames: list[dict[str, Any]]) -> None:
    """What the server sent, across every connection of the client: after a snapshot,
    `ev` frames follow on from its seq, one by one, never repeating or skipping."""
    expected: int | None = None
    for frame in frames:
        if frame.get("t") == "snapshot":
            expected = frame["seq"] + 1
        elif frame.get("t") == "ev":
            assert expected is not None, "an event before any snapshot"
            assert frame["seq"] == expected, f"sent seq {frame['seq']}, expected {expected}"
            expected += 1


async def ask_until_acknowledged(member: Member, text: str) -> dict[str, Any]:
    """Ask with one cid, retrying that same command while the backend is unavailable:
    what a client outbox does. Returns the `ok` reply."""
    frame = {"t": "ask", "cid": uuid.uuid4().hex, "text": text, "lang": "en", "anon": False}
    deadline = time.monotonic() + 2 * WAIT
    while True:
        reply = await member.client.request(frame)
        if reply.get("t") == "ok":
            return reply
        if reply.get("code") != "unavailable" or time.monotonic() > deadline:
            raise CommandError(str(reply.get("code")), str(reply.get("msg")), reply)
        await asyncio.sleep(0.1)


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def start_cluster(
    folder: Path,
    n: int,
    *args: str,
    appendfsync: str = "always",
    redis: RedisProcess | RedisCluster | None = None,
) -> Cluster[Any]:
    """n processes on a fresh Redis of their own, or on `redis` (a shared Redis Cluster,
    flushed first), with the demo event created."""
    own = redis is None
    if redis is None:
        redis = RedisProcess(folder / "redis", appendfsync=appendfsync)
        redis.start()
    elif isinstance(redis, RedisCluster):
        redis.flush()
    cluster: Cluster[Any] = Cluster(redis, folder)
    try:
        cluster.create_event()
        cluster.start(n, *args)
    except BaseException:
        cluster.kill_all()
        if own:
            redis.kill()
        raise
    return cluster


def workers_on_redis(tmp_path: Path, workers: int = 2) -> tuple[RedisProcess, ServerProcess]:
    """A fresh redis-server with the demo event, and one `workshop serve --workers N` on it
    (not started: `server.start(60)`; stop it, then `redis.kill()`)."""
    redis = RedisProcess(tmp_path / "redis")
    redis.start()
    cluster: Cluster[Any] = Cluster(redis, tmp_path)
    cluster.create_event()
    folder = tmp_path / "server"
    folder.mkdir()
    args = ("--redis-url", redis.url, "--workers", str(workers), *LIFTED)
    return redis, ServerProcess(folder, args=args, env=cluster.env)


__all__ = [
    "LIFTED",
    "ROOM",
    "SECRET",
    "WAIT",
    "Cluster",
    "Member",
    "all_reach",
    "ask_until_acknowledged",
    "assert_gapless",
    "assert_no_gap_or_duplicate_on_the_wire",
    "eventually",
    "free_port",
    "http_status",
    "start_cluster",
    "workers_on_redis",
    "workshop_cli",
]
