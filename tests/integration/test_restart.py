"""Restarts: a graceful one (SIGTERM, close 1012, resume) and a crash (kill -9, no ack lost)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from client.errors import Disconnected
from client.room_client import RoomClient
from tests.conftest import Workshop

from .helpers import Raw, assert_gapless, cid, ev_frames, events_through, joined, snapshot_state


async def all_rejoined(clients: list[RoomClient]) -> None:
    async with asyncio.timeout(60):
        while True:  # the client offers no event for "rejoined": poll its state
            if all(c.connected and c.reconnects >= 1 for c in clients):
                return
            await asyncio.sleep(0.05)


async def test_graceful_restart_closes_1012_and_clients_resume(lifted: Workshop) -> None:
    server = lifted.server
    url = server.ws_url
    clients = [RoomClient(url, "SUB-PLAN", name=f"C{i}", keep_raw=True) for i in range(3)]
    watch = await Raw.open(url)
    behind = await Raw.open(url)
    try:
        await asyncio.gather(*(c.connect() for c in clients))
        joined = await watch.join(name="Watch")
        epoch = joined["epoch"]
        token = (await behind.join(name="Behind"))["token"]
        asker = clients[0]

        for i in range(5):
            await asker.ask(f"before {i}")
        assert_gapless(await behind.events_until(5), 1, 5)
        behind.abort()  # gone before the restart: it will miss 6..
        for i in range(5, 10):
            await asker.ask(f"before {i}")

        # Commands in flight while the server stops are retried after the restart.
        in_flight = [asyncio.create_task(c.ask(f"in flight {c.name}")) for c in clients]
        await asyncio.sleep(0)
        server.stop()
        assert await watch.closed() == 1012
        server.start()
        await all_rejoined(clients)
        flown = await asyncio.gather(*in_flight)
        assert len({r["qid"] for r in flown}) == 3

        after = [await asker.ask(f"after {i}") for i in range(5)]
        last = after[-1]["seq"]
        assert last == 10 + 3 + 5

        for client in clients:
            frames = await events_through(client, last)
            assert [f["seq"] for f in frames if f.get("t") == "snapshot"] == [0]
            # Across both connections: each seq exactly once, in order, no gap.
            assert_gapless(ev_frames(frames), 1, last)
            assert client.epoch == epoch
        async with RoomClient(url, "SUB-PLAN", name="Fresh") as fresh:
            assert len((await snapshot_state(fresh))["questions"]) == last

        # A client that was already behind resumes across the restart from the log.
        again = await Raw.open(url)
        try:
            reply = await again.join(name="Behind", token=token, since=5, epoch=epoch)
            assert reply["t"] == "ok" and reply["epoch"] == epoch
            await again.sync()
            assert again.take("snapshot") == []
            assert_gapless(again.take("ev"), 6, last)
        finally:
            await again.close()
    finally:
        await asyncio.gather(*(c.close() for c in clients))
        await watch.close()
        await behind.close()


async def test_no_acknowledged_question_is_lost_to_kill_9(lifted: Workshop) -> None:
    server = lifted.server
    url = server.ws_url
    acked: list[tuple[str, dict[str, Any]]] = []  # (text sent, its ok reply)
    enough = asyncio.Event()

    async def keep_asking(client: RoomClient, who: int) -> None:
        n = 0
        with contextlib.suppress(Disconnected):
            while True:
                batch = [f"asker {who} question {n + i}" for i in range(4)]
                n += 4
                replies = await asyncio.gather(
                    *(client.ask(text) for text in batch), return_exceptions=True
                )
                for text, reply in zip(batch, replies, strict=True):
                    if isinstance(reply, dict):
                        acked.append((text, reply))
                    elif isinstance(reply, Disconnected):
                        raise reply
                    else:
                        raise AssertionError(f"unexpected failure: {reply!r}")
                if len(acked) >= 60:
                    enough.set()

    # One acknowledged command whose reply we pretend was lost: retried after the crash.
    retrier, retrier_join = await joined(url, name="Retrier")
    ask = {"t": "ask", "cid": cid(), "text": "asked once, retried after the crash"}
    try:
        first = await retrier.request(ask)
    finally:
        await retrier.close()
    clients = [
        RoomClient(url, "SUB-PLAN", name=f"A{i}", auto_reconnect=False, request_timeout=60)
        for i in range(4)
    ]
    await asyncio.gather(*(c.connect() for c in clients))
    epoch = clients[0].epoch
    tasks = [asyncio.create_task(keep_asking(c, i)) for i, c in enumerate(clients)]
    try:
        async with asyncio.timeout(60):
            await enough.wait()
        server.kill()  # mid-stream: asks are in flight on every connection
        async with asyncio.timeout(60):
            await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(c.close() for c in clients))

    server.start()  # the same data dir and port
    async with RoomClient(url, "SUB-PLAN", name="Auditor") as auditor:
        assert auditor.epoch == epoch, "the log survived: same epoch"
        state = await snapshot_state(auditor)
        questions = {q["qid"]: q for q in state["questions"]}
        head = auditor.seq
        assert head is not None
        # Every acknowledged question is there, with the text that was sent.
        for text, reply in acked:
            assert reply["qid"] == f"q{reply['seq']}"
            assert questions[reply["qid"]]["text"] == text
        # The log is contiguous: every seq up to the head is a question, none twice.
        assert sorted(int(qid[1:]) for qid in questions) == list(range(1, head + 1))
        assert len({q["text"] for q in questions.values()}) == head
        # The (pid, cid) dedupe survived too: the retry is not a second question.
        again, _ = await joined(url, name="Retrier", token=retrier_join["token"])
        try:
            retry = await again.request(ask)
            assert (retry["t"], retry["seq"], retry["qid"]) == ("ok", first["seq"], first["qid"])
        finally:
            await again.close()
        # And it goes on from there.
        assert (await auditor.ask("after the crash"))["seq"] == head + 1
