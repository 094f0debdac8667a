"""How processes are run on Redis (issue 3): `--workers N`, the shared WORKSHOP_SECRET,
REDIS_URL, presence across processes, and rooms tailed only while they have members."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from server.backends.redis_keys import room_keys
from tests.support.redis import RedisProcess
from tests.support.server import EXAMPLE

from .conftest import ON_BOTH, StartCluster
from .support import (
    ROOM,
    SECRET,
    Member,
    all_reach,
    eventually,
    workers_on_redis,
    workshop_cli,
)


def _one_line_error(stderr: str, *words: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and all(w in lines[0] for w in words), lines[0]


def test_the_embedded_backend_refuses_workers(tmp_path: Path) -> None:
    out = workshop_cli("serve", "--data-dir", str(tmp_path), "--workers", "2", env={})
    assert out.returncode != 0
    _one_line_error(out.stderr, "--workers", "--redis-url")


def test_redis_needs_a_shared_secret(tmp_path: Path) -> None:
    url = "redis://127.0.0.1:9/0"  # never reached: the secret is checked first
    for env in ({}, {"WORKSHOP_SECRET": "too short"}):
        serve = workshop_cli("serve", "--redis-url", url, env=env)
        create = workshop_cli("create-event", str(EXAMPLE), env={**env, "REDIS_URL": url})
        for out in (serve, create):
            assert out.returncode != 0
            _one_line_error(out.stderr, "WORKSHOP_SECRET")


def test_redis_url_from_the_environment(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path / "redis")
    redis.start()
    try:
        env = {"WORKSHOP_SECRET": SECRET, "REDIS_URL": redis.url}
        assert workshop_cli("create-event", str(EXAMPLE), "--json", env=env).returncode == 0
        links = workshop_cli("links", "--json", env=env)
        assert links.returncode == 0 and ROOM in links.stdout
        with redis.client() as r:
            assert r.hexists("ws:{catalogue}:rooms", ROOM)
    finally:
        redis.kill()


def _children(pid: int) -> set[int]:
    kids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.add(int(entry))
    return kids


async def test_workers_run_n_processes_on_one_port(tmp_path: Path) -> None:
    redis, server = workers_on_redis(tmp_path)
    members: list[Member] = []
    try:
        await asyncio.to_thread(server.start, 60)
        assert server.proc is not None
        workers: set[int] = set()

        def connected_workers() -> set[int]:
            with redis.client() as r:
                names = {c["name"] for c in r.client_list() if c["name"].startswith("workshop:")}
            return {int(name.rsplit(":", 1)[1]) for name in names}

        def two_workers() -> bool:
            nonlocal workers
            workers = connected_workers() & _children(server.proc.pid)  # type: ignore[union-attr]
            return len(workers) == 2

        await eventually(two_workers, "two worker processes on Redis")
        members = [await Member.join(server.ws_url, f"M{i}") for i in range(6)]
        for i, member in enumerate(members):
            await member.client.ask(f"question {i}")
        await all_reach(members, 6)
        for member in members:
            assert member.questions() == [f"question {i}" for i in range(6)]
    finally:
        await asyncio.gather(*(m.close() for m in members))
        await asyncio.to_thread(server.stop)
        redis.kill()
    for pid in workers:  # the workers ended with their parent
        await eventually(lambda pid=pid: not Path(f"/proc/{pid}").exists(), f"worker {pid} gone")


@ON_BOTH
async def test_rooms_without_members_are_unsubscribed(cluster: StartCluster) -> None:
    c = cluster(1, "--room-idle-grace", "0.5")
    channel = room_keys(ROOM).channel

    def subscribers() -> int:
        return c.subscribers(channel)

    first = await Member.join(c.servers[0].ws_url, "First")
    await first.client.ask("kept in the log")
    assert subscribers() == 1
    await first.close()
    await eventually(lambda: subscribers() == 0, "the idle room unsubscribed")
    again = await Member.join(c.servers[0].ws_url, "Again")
    try:
        assert subscribers() == 1
        await again.client.ask("after the reload")
        await all_reach([again], 2)
        assert again.current_questions() == ["kept in the log", "after the reload"]
    finally:
        await again.close()


@ON_BOTH
async def test_presence_spans_processes_and_forgets_a_dead_one(cluster: StartCluster) -> None:
    c = cluster(2, "--presence-ttl", "3")
    doomed, survivor = c.servers
    gone = await Member.join(doomed.ws_url, "Gone")
    stays = await Member.join(survivor.ws_url, "Stays")

    def count(member: Member) -> int | None:
        frames = [f for f in member.others if f.get("t") == "presence"]
        return frames[-1]["count"] if frames else None

    try:
        await eventually(lambda: count(stays) == 2 and count(gone) == 2, "both see two people")
        await asyncio.to_thread(doomed.kill)
        await eventually(lambda: count(stays) == 1, "the dead process's member vanishes")
    finally:
        await asyncio.gather(gone.close(), stays.close())
