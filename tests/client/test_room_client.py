"""client.room_client against a small stand-in server speaking PROTOCOL.md over a real socket.

The stand-in keeps one room log, dedupes (pid, cid), replays since+1..N on a resume
and can misbehave on demand (drop a connection before replying, skip a seq, close
with a code), which the real server does not do on purpose.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from client import room_client
from client.errors import CommandError, Disconnected
from client.resume import RESUME_CODES, Feed, Sequencer, Verdict, backoff
from client.room_client import RoomClient
from protocol.codec import decode_frame, encode_frame
from protocol.codes import ErrorCode, ProtocolError
from protocol.frames import Err, Ev, Ok, Pong, Snapshot, Welcome
from protocol.messages import MUTATING, parse_command


class StandIn:
    """One room, one log, every connection a subscriber."""

    def __init__(self) -> None:
        self.log: list[Ev] = []  # seq = index + 1
        self.epoch = "e1"
        self.subscribers: set[ServerConnection] = set()
        self.outcomes: dict[tuple[str, str], int] = {}  # (pid, cid) -> seq
        self.joins: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.drop_before_reply: set[str] = set()  # command types: close 1012 once, unreplied
        self.close_after_join: int | None = None
        self.skip_next_seq = False  # send the next event to others with a seq missing
        self.bad_join_reply = False  # answer join with an ok that is not a Welcome
        self.pids = itertools.count(1)

    async def handler(self, ws: ServerConnection) -> None:
        pid = ""
        try:
            async for message in ws:
                frame = decode_frame(message)  # type: ignore[arg-type]
                self.received.append(frame)
                if frame["t"] == "join":
                    pid = await self.join(ws, frame)
                    if self.close_after_join is not None:
                        await ws.close(self.close_after_join)
                elif frame["t"] == "ping":
                    await ws.send(Pong(frame["id"]).encode())
                elif frame["t"] == "ask" and frame["text"] == "refuse me":
                    await ws.send(Err(frame["id"], "forbidden", "no").encode())
                elif frame["t"] == "ask" and frame["text"] == "slow down":
                    await ws.send(Err(frame["id"], "rate_limited", "wait", 2.5).encode())
                elif frame["t"] == "ask" and frame["text"] == "garble the reply":
                    await ws.send(encode_frame({"t": "ok", "re": frame["id"], "seq": "one"}))
                elif frame["t"] == "ask" and frame["text"] == "send oddities":
                    for odd in ODDITIES:
                        await ws.send(encode_frame(odd))
                    await ws.send(Ok(frame["id"], None).encode())
                elif frame["t"] in MUTATING:
                    await self.command(ws, pid, frame)
        except ConnectionClosed:
            pass
        finally:
            self.subscribers.discard(ws)

    async def join(self, ws: ServerConnection, frame: dict[str, Any]) -> str:
        command = parse_command(frame)
        self.joins.append(frame)
        pid = frame["token"] or f"pid{next(self.pids)}"
        seq = len(self.log)
        if self.bad_join_reply:
            await ws.send(encode_frame({"t": "ok", "re": frame["id"], "seq": seq, "epoch": "e1"}))
            return pid
        me = {"pid": pid, "name": frame["name"], "org": frame["org"], "roles": ["participant"]}
        room = {"code": command.room, "title": "T", "event": {}, "state": "open", "settings": {}}  # type: ignore[attr-defined]
        await ws.send(Welcome(frame["id"], me, pid, room, seq, self.epoch).encode())
        since = frame.get("since")
        if since is not None and frame.get("epoch") == self.epoch:
            for event in self.log[since:]:
                await ws.send(event.encode())
        else:
            # PROTOCOL.md's snapshot has no epoch (the real server adds one): both must read.
            await ws.send(Snapshot(seq, None, {"questions": []}).encode())
        self.subscribers.add(ws)
        return pid

    async def command(self, ws: ServerConnection, pid: str, frame: dict[str, Any]) -> None:
        key = (pid, frame["cid"])
        if key not in self.outcomes:
            event = Ev(len(self.log) + 1, 0.0, frame["t"], parse_command(frame).data())
            self.log.append(event)
            self.outcomes[key] = event.seq
            await self.publish(event)
            if frame["t"] in self.drop_before_reply:
                self.drop_before_reply.discard(frame["t"])
                await ws.close(1012)
                return
        await ws.send(Ok(frame["id"], self.outcomes[key]).encode())

    async def publish(self, event: Ev) -> None:
        skip, self.skip_next_seq = self.skip_next_seq, False
        for subscriber in list(self.subscribers):
            if not skip:
                await subscriber.send(event.encode())

    def commands(self, t: str) -> list[dict[str, Any]]:
        return [frame for frame in self.received if frame["t"] == t]


# Frames a later server might send, and broken ones: none may stop the client.
ODDITIES: list[dict[str, Any]] = [
    {"t": "later.kind", "x": 1},  # an unknown type: handed to frames() as it is
    {"t": "ev", "seq": "two", "ts": 0.0, "type": "hidden", "data": {}},  # malformed: dropped
    {"t": "presence", "count": 2, "by_org": {"UNDRR": 2}},
]


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[StandIn, str]]:
    room = StandIn()
    async with serve(room.handler, "127.0.0.1", 0, subprotocols=["workshop.v1"]) as server:  # type: ignore[list-item]
        port = next(iter(server.sockets)).getsockname()[1]
        yield room, f"ws://127.0.0.1:{port}/ws"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(room_client, "backoff", lambda: itertools.repeat(0.01))


async def next_of(feed: Feed[dict[str, Any]], t: str = "ev") -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            frame = await feed.get()
            if frame["t"] == t:
                return frame


# -- pure parts ---------------------------------------------------------------------------


def test_backoff_doubles_to_20_seconds_with_full_jitter() -> None:
    ceilings = list(itertools.islice(backoff(rng=lambda: 1.0), 9))
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0]
    assert set(itertools.islice(backoff(rng=lambda: 0.0), 20)) == {0.0}
    for n, delay in enumerate(itertools.islice(backoff(), 200)):
        assert 0.0 <= delay <= min(20.0, 0.5 * 2**n)


def test_resume_codes() -> None:
    assert {1001, 1005, 1006, 1011, 1012, 4008, 4029} == RESUME_CODES
    assert 1008 not in RESUME_CODES


@pytest.mark.parametrize(
    ("last", "seq", "verdict", "after"),
    [
        (None, 1, Verdict.UNSYNCED, None),
        (0, 1, Verdict.APPLY, 1),
        (4, 5, Verdict.APPLY, 5),
        (4, 4, Verdict.DUPLICATE, 4),
        (4, 1, Verdict.DUPLICATE, 4),
        (4, 6, Verdict.GAP, 4),
        (4, 100, Verdict.GAP, 4),
    ],
)
def test_gapless_rule(last: int | None, seq: int, verdict: Verdict, after: int | None) -> None:
    sequencer = Sequencer()
    sequencer.last = last
    assert sequencer.offer(seq) is verdict
    assert sequencer.last == after


def test_a_new_epoch_forgets_the_seq() -> None:
    sequencer = Sequencer()
    sequencer.joined("e1")
    sequencer.snapshot(10)
    sequencer.joined("e1")
    assert sequencer.last == 10
    sequencer.joined("e2")
    assert (sequencer.last, sequencer.epoch) == (None, "e2")
    assert sequencer.offer(11) is Verdict.UNSYNCED


async def test_feed_drops_the_oldest_and_ends() -> None:
    feed: Feed[int] = Feed(2)
    for n in range(5):
        feed.put(n)
    assert (len(feed), feed.dropped) == (2, 3)
    feed.end(None)
    assert [n async for n in feed] == [3, 4]
    with pytest.raises(Disconnected):
        await feed.get()


# -- against the stand-in -----------------------------------------------------------------


async def test_join_ask_and_events(stand_in: tuple[StandIn, str]) -> None:
    room, url = stand_in
    async with RoomClient(url, "sub-plan", name="Aiko", org="Sendai City") as client:
        assert client.me is not None and client.me["name"] == "Aiko"
        assert client.token == "pid1"
        assert (client.seq, client.epoch) == (0, "e1")
        assert room.joins[0]["room"] == "SUB-PLAN"
        assert (await next_of(client.events(), "snapshot"))["seq"] == 0
        reply = await client.ask("Where are the shelters?", lang="ja")
        assert reply["seq"] == 1
        event = await next_of(client.events())
        assert (event["seq"], event["data"]["text"]) == (1, "Where are the shelters?")
        assert (await client.ping())["t"] == "pong"
        assert client.seq == 1
        assert len({frame["cid"] for frame in room.received if "cid" in frame}) == 1


async def test_err_raises_command_error(stand_in: tuple[StandIn, str]) -> None:
    _, url = stand_in
    async with RoomClient(url, "SUB-PLAN", name="A") as client:
        with pytest.raises(CommandError) as info:
            await client.ask("refuse me")
        assert info.value.code == "forbidden"
        assert info.value.reply["re"] is not None


async def test_a_dropped_reply_is_resent_with_the_same_cid(stand_in: tuple[StandIn, str]) -> None:
    room, url = stand_in
    async with RoomClient(url, "SUB-PLAN", name="A") as client:
        await next_of(client.events(), "snapshot")
        room.drop_before_reply.add("vote")
        reply = await client.vote("q1")
        assert reply["seq"] == 1
        votes = room.commands("vote")
        assert len(votes) == 2
        assert votes[0]["cid"] == votes[1]["cid"]
        assert votes[0]["id"] != votes[1]["id"]
        assert len(room.log) == 1  # applied once
        rejoin = room.joins[1]
        # The stand-in published seq 1 before it dropped the connection, so since=1.
        assert (rejoin["token"], rejoin["since"], rejoin["epoch"]) == ("pid1", 1, "e1")
        assert client.reconnects == 1
        event = await next_of(client.events())
        assert event["seq"] == 1  # the event arrives once, live or replayed
        await client.ask("next")
        assert (await next_of(client.events()))["seq"] == 2


async def test_a_gap_rejoins_on_the_same_connection(stand_in: tuple[StandIn, str]) -> None:
    room, url = stand_in
    async with (
        RoomClient(url, "SUB-PLAN", name="Watcher") as watcher,
        RoomClient(url, "SUB-PLAN", name="Asker") as asker,
    ):
        await asker.ask("one")
        assert (await next_of(watcher.events()))["seq"] == 1
        room.skip_next_seq = True
        await asker.ask("two")  # nobody receives seq 2
        await asker.ask("three")  # watcher sees 3 after 1: a gap
        assert (await next_of(watcher.events()))["seq"] == 2
        assert (await next_of(watcher.events()))["seq"] == 3
        resumes = [join for join in room.joins if join["name"] == "Watcher"]
        assert [join["since"] for join in resumes] == [None, 1]
        assert watcher.reconnects == 0


async def test_a_new_epoch_gets_a_snapshot(stand_in: tuple[StandIn, str]) -> None:
    room, url = stand_in
    async with RoomClient(url, "SUB-PLAN", name="A") as client:
        await client.ask("one")
        room.epoch = "e2"
        room.drop_before_reply.add("ask")
        await client.ask("two")
        snapshot = await next_of(client.events(), "snapshot")
        while snapshot["seq"] == 0:
            snapshot = await next_of(client.events(), "snapshot")
        assert (client.epoch, client.seq, snapshot["seq"]) == ("e2", 2, 2)


async def test_policy_close_stops(stand_in: tuple[StandIn, str]) -> None:
    room, url = stand_in
    client = RoomClient(url, "SUB-PLAN", name="A")
    room.close_after_join = 1008
    await client.connect()
    events = client.events()
    with pytest.raises(Disconnected) as info:
        async with asyncio.timeout(5):
            async for _ in events:
                pass
    assert info.value.code == 1008
    with pytest.raises(Disconnected):
        await client.ping()
    assert len(room.joins) == 1  # no reconnect
    await client.close()


async def test_without_auto_reconnect_a_drop_stops(stand_in: tuple[StandIn, str]) -> None:
    room, url = stand_in
    async with RoomClient(url, "SUB-PLAN", name="A", auto_reconnect=False) as client:
        room.drop_before_reply.add("ask")
        with pytest.raises(Disconnected) as info:
            await client.ask("lost")
        assert info.value.code == 1012


async def test_raw_frames(stand_in: tuple[StandIn, str]) -> None:
    room, url = stand_in
    async with RoomClient(url, "SUB-PLAN", name="A", keep_raw=True) as client:
        first = await client.recv_raw()
        assert isinstance(first, bytes)
        assert decode_frame(first)["t"] == "ok"
        await client.send_raw(encode_frame({"t": "ping", "id": 99}))
        while decode_frame(await client.recv_raw()) != {"t": "pong", "re": 99}:  # type: ignore[arg-type]
            pass
        assert room.received[-1] == {"t": "ping", "id": 99}


async def test_close_ends_iterators_and_calls(stand_in: tuple[StandIn, str]) -> None:
    _, url = stand_in
    client = RoomClient(url, "SUB-PLAN", name="A")
    await client.connect()

    async def close_soon() -> None:
        await asyncio.sleep(0.1)
        await client.close()

    closing = asyncio.create_task(close_soon())
    seen = [frame async for frame in client.events()]  # ends, without an error
    await closing
    assert [frame["t"] for frame in seen] == ["snapshot"]
    with pytest.raises(Disconnected):
        await client.ping()
    with pytest.raises(RuntimeError):
        await client.connect()


async def test_a_server_without_the_subprotocol_is_refused() -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        with pytest.raises(Disconnected, match=r"workshop\.v1"):
            await RoomClient(f"ws://127.0.0.1:{port}/ws", "SUB-PLAN", name="A").connect()


async def test_an_err_carries_its_code_semantics(stand_in: tuple[StandIn, str]) -> None:
    _, url = stand_in
    async with RoomClient(url, "SUB-PLAN", name="A") as client:
        with pytest.raises(CommandError) as info:
            await client.ask("slow down")
        assert (info.value.code, info.value.retry_after, info.value.retryable) == (
            "rate_limited", 2.5, True,
        )  # fmt: skip
        assert info.value.reply["retry_after"] == 2.5
        with pytest.raises(CommandError) as refused:
            await client.ask("refuse me")
        assert not refused.value.retryable and refused.value.retry_after is None


async def test_a_malformed_reply_fails_its_call(stand_in: tuple[StandIn, str]) -> None:
    _, url = stand_in
    async with RoomClient(url, "SUB-PLAN", name="A") as client:
        with pytest.raises(ProtocolError) as info:
            await client.ask("garble the reply")
        assert info.value.code is ErrorCode.BAD_FRAME
        assert (await client.ping())["t"] == "pong"  # the connection goes on


async def test_unknown_and_malformed_frames_do_not_stop_the_client(
    stand_in: tuple[StandIn, str],
) -> None:
    _, url = stand_in
    async with RoomClient(url, "SUB-PLAN", name="A") as client:
        await next_of(client.events(), "snapshot")
        assert (await client.ask("send oddities"))["seq"] is None
        assert await next_of(client.frames(), "later.kind") == {"t": "later.kind", "x": 1}
        assert (await next_of(client.frames(), "presence"))["count"] == 2
        assert client.seq == 0  # the malformed ev was not taken for one
        assert (await client.ask("after"))["seq"] == 1
        assert (await next_of(client.events()))["seq"] == 1


async def test_a_join_reply_that_is_not_a_welcome_is_refused(
    stand_in: tuple[StandIn, str],
) -> None:
    room, url = stand_in
    room.bad_join_reply = True  # no me, token, room
    with pytest.raises(ProtocolError, match="a join's ok needs"):
        await RoomClient(url, "SUB-PLAN", name="A").connect()
