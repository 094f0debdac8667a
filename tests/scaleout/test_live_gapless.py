"""Live delivery on the Redis backend stays gapless under a burst of poll votes (the
`commands` benchmark once counted one missing seq per member on Redis, issue 31).

Two server processes on one redis-server; on each, voters keep a few `poll.vote`s in
flight at once (changing their choice, so each vote is an event only its voter may see:
everyone else gets `hidden` at that seq), while others ask and upvote, and the pub/sub
connections are killed under the load. The position check runs every few milliseconds
(it is every 5 s by default): its syncs run while the feed is live, where a head read
before pub/sub delivered more was once taken for a log that went back, and fenced with
a new epoch, so every member got a snapshot in place of the next event. Every client
reads its raw frames and checks them strictly, as the benchmark's load generator does:
after its snapshot, each `ev` is the previous seq + 1, nothing is repeated, and everyone
ends at the log's head; and no process may log a rewind or a new epoch.

Waits are bounded by generous timeouts; nothing asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import Callable
from typing import Any

import msgpack
from websockets.asyncio.client import ClientConnection, connect

from protocol import SUBPROTOCOL

from .conftest import ON_BOTH, StartCluster
from .support import ROOM, WAIT, eventually

VOTERS = 8  # per process
WINDOW = 4  # votes each voter keeps awaiting their reply
VOTES = 40  # per voter
ASKERS = 2  # per process, asking and upvoting meanwhile
ASKS = 20
SEQS = 2 * (VOTERS * VOTES + ASKERS * ASKS * 2)  # appended by the load (a retry is not)
POSITION_CHECK = 0.01  # seconds: a sync while live, again and again, under the load

Frame = dict[str, Any]


class Strict:
    """One raw connection to a room that checks its seq stream as it reads it."""

    def __init__(self, ws: ClientConnection, name: str) -> None:
        self.ws = ws
        self.name = name
        self.last: int | None = None  # the last seq applied; None until the snapshot
        self.gaps: list[tuple[int, int]] = []  # (last applied, seq received)
        self.dupes: list[tuple[int, int]] = []
        self.early = 0  # `ev` frames before the snapshot
        self.hidden = 0
        self.retries = 0  # commands answered `unavailable`, sent again with their cid
        self.ids = itertools.count(2)
        self.waiting: dict[int, asyncio.Future[Frame]] = {}
        self.joined: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def join(cls, url: str, name: str, key: str | None = None) -> Strict:
        ws = await connect(url, subprotocols=[SUBPROTOCOL], compression=None, max_size=None)  # type: ignore[list-item]
        member = cls(ws, name)
        join: Frame = {"t": "join", "id": 1, "room": ROOM, "name": name, "org": "Test"}
        if key is not None:
            join["key"] = key
        await ws.send(msgpack.packb(join, use_bin_type=True))
        reply = await asyncio.wait_for(member.joined, WAIT)
        assert reply["t"] == "ok", reply
        await eventually(lambda: member.last is not None, f"{name}'s snapshot")
        return member

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                assert isinstance(raw, bytes)
                self._frame(msgpack.unpackb(raw, raw=False))

    def _frame(self, f: Frame) -> None:
        kind = f.get("t")
        if kind == "ev":
            seq = int(f["seq"])
            if self.last is None:
                self.early += 1
                return
            if seq <= self.last:
                self.dupes.append((self.last, seq))
                return
            if seq != self.last + 1:
                self.gaps.append((self.last, seq))
            self.last = seq
            self.hidden += f["type"] == "hidden"
        elif kind == "snapshot":
            if self.last is None:
                self.last = int(f["seq"])
        elif f.get("re") == 1 and not self.joined.done():
            self.joined.set_result(f)
        elif kind in ("ok", "err"):
            waiting = self.waiting.pop(int(f["re"]), None)
            if waiting is not None:
                waiting.set_result(f)

    async def command(self, frame: Frame) -> Frame:
        """Send with a cid, retrying the same cid while the log is unavailable."""
        frame = {**frame, "cid": frame.get("cid") or uuid.uuid4().hex}
        while True:
            rid = next(self.ids)
            future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
            self.waiting[rid] = future
            await self.ws.send(msgpack.packb({**frame, "id": rid}, use_bin_type=True))
            reply = await asyncio.wait_for(future, WAIT)
            if reply.get("code") != "unavailable":
                return reply
            self.retries += 1
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


async def poll_load(
    cluster: StartCluster, faults: int, *, restart: bool = False
) -> tuple[list[Strict], int, int]:
    """The load, with `faults` kills of every pub/sub connection while it runs (or, with
    `restart`, kills -9 of redis-server, started again with its AOF); the clients, the
    log's head and how many pub/sub connections were killed."""
    c = cluster(2, "--position-check", str(POSITION_CHECK))
    moderator = await Strict.join(c.servers[0].ws_url, "Moderator", c.moderator_key)
    clients = [moderator]
    try:
        created = await moderator.command(
            {"t": "poll.create", "title": "Which first?", "kind": "single",
             "options": ["A", "B", "C", "D"]}
        )  # fmt: skip
        assert created["t"] == "ok", created
        poll_id = created["poll_id"]
        opened = await moderator.command({"t": "poll.open", "poll_id": poll_id})
        assert opened["t"] == "ok", opened
        for s in c.servers:
            clients += await asyncio.gather(
                *(Strict.join(s.ws_url, f"V{s.port}-{i}") for i in range(VOTERS + ASKERS))
            )
        voters = [m for m in clients[1:] if int(m.name.rsplit("-", 1)[1]) < VOTERS]
        askers = [m for m in clients[1:] if m not in voters]

        async def vote(m: Strict, v: int) -> None:
            async def lane(w: int) -> None:
                for k in range(w, VOTES, WINDOW):
                    choice = (v + k) % 4
                    reply = await m.command(
                        {"t": "poll.vote", "poll_id": poll_id, "choice": choice}
                    )
                    assert reply["t"] == "ok", reply

            await asyncio.gather(*(lane(w) for w in range(WINDOW)))

        async def ask(m: Strict) -> None:
            for k in range(ASKS):
                reply = await m.command({"t": "ask", "text": f"{m.name} asks {k}", "lang": "en"})
                assert reply["t"] == "ok", reply
                up = await m.command({"t": "vote", "qid": reply["qid"], "up": True})
                assert up["t"] == "ok", up

        load = asyncio.gather(
            *(vote(m, v) for v, m in enumerate(voters)), *(ask(m) for m in askers)
        )

        def grown(seqs: int) -> Callable[[], bool]:
            return lambda: c.head() >= seqs

        killed = 0
        with c.redis.client() as admin:
            for k in range(1, faults + 1):
                # Each fault once the log has grown by a part of the load: so it lands
                # while the votes are still coming, however fast or slow they are.
                await eventually(grown(k * SEQS // (faults + 1)), "the load")
                if restart:
                    await asyncio.to_thread(c.redis.restart)
                    killed += 1
                else:
                    killed += await asyncio.to_thread(admin.client_kill_filter, _type="pubsub")
            await load
        head = c.head()
        await eventually(
            lambda: all(m.last == head for m in clients) or any(m.gaps for m in clients),
            f"everyone at the head {head}",
        )
        logs = c.logs()
        assert "went back" not in logs and "epoch changed" not in logs, logs[-3000:]
        return clients, head, killed
    finally:
        await asyncio.gather(*(m.close() for m in clients), return_exceptions=True)


def assert_strict(clients: list[Strict], head: int) -> None:
    assert head == SEQS + 2  # the poll's creation and opening, then each command once
    broken = {
        m.name: {"gaps": m.gaps[:5], "dupes": m.dupes[:5], "early": m.early, "last": m.last}
        for m in clients
        if m.gaps or m.dupes or m.early or m.last != head
    }
    assert not broken, f"head {head}: {broken}"


@ON_BOTH
async def test_poll_votes_are_delivered_live_without_a_gap(cluster: StartCluster) -> None:
    clients, head, _ = await poll_load(cluster, faults=0)
    assert_strict(clients, head)
    # Most seqs were someone else's vote: the check above counted their `hidden` frames.
    assert all(m.hidden > 0 for m in clients)


async def test_poll_votes_stay_gapless_while_pubsub_connections_are_killed(
    cluster: StartCluster,
) -> None:
    clients, head, killed = await poll_load(cluster, faults=3)
    assert killed >= 2
    assert_strict(clients, head)


async def test_poll_votes_stay_gapless_across_a_redis_restart(cluster: StartCluster) -> None:
    """redis-server killed -9 under the load, twice, and started again from its AOF
    (every acknowledged append is in it): the votes refused meanwhile are retried with
    their cid, and nobody's stream skips or repeats a seq."""
    clients, head, restarts = await poll_load(cluster, faults=2, restart=True)
    assert restarts == 2
    assert_strict(clients, head)
