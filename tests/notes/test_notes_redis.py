"""Notes across processes (issue 5 with the Redis backend of issue 3): editors on two
`workshop serve` processes sharing one Redis converge; a third process started later
loads the document (its snapshot, then the log's tail) before it serves it."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.room_client import RoomClient
from tests.notes.support import PyNotes, YjsClient, eventually
from tests.notes.test_notes_live import each_once, py_word_index
from tests.scaleout.support import ROOM, Cluster, start_cluster
from tests.support.redis import REDIS_SERVER

pytestmark = pytest.mark.skipif(
    not Path(REDIS_SERVER).exists(), reason="needs redis-server (make system-deps)"
)


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[Cluster]:
    cluster = start_cluster(tmp_path / "cluster", 2, "--snapshot-every", "20")
    try:
        yield cluster
    finally:
        cluster.kill_all()
        cluster.redis.kill()


async def synced_text(url: str) -> str:
    async with RoomClient(url, ROOM, name="Newcomer") as client:
        notes = PyNotes(client)
        await notes.sync()
        await notes.close()
        return notes.value()


async def test_editors_on_two_processes_converge(
    two_processes: Cluster, yjs_client_dir: Path
) -> None:
    cluster = two_processes
    url0, url1 = (server.ws_url for server in cluster.servers)
    node = await YjsClient.start(yjs_client_dir)
    try:
        await node.connect(url0, ROOM, "Aiko", "Sendai City")
        async with (
            RoomClient(url1, ROOM, name="Bat", org="Ulaanbaatar City") as bat_client,
            RoomClient(url0, ROOM, name="Ren", org="Tohoku University") as ren_client,
        ):
            bat, ren = PyNotes(bat_client), PyNotes(ren_client)
            await bat.sync()
            await ren.sync()
            words = {
                "aiko": [f"aiko{i}:避難{i} " for i in range(30)],
                "bat": [f"bat{i}:Улс{i} " for i in range(30)],
                "ren": [f"ren{i}:warning{i} " for i in range(30)],
            }

            async def node_types() -> None:
                rng = random.Random(1)
                for word in words["aiko"]:
                    await node.call("insert_word", text=word, r=rng.random())
                    await asyncio.sleep(rng.random() / 100)

            async def py_types(notes: PyNotes, mine: list[str], seed: int) -> None:
                rng = random.Random(seed)
                for word in mine:
                    await notes.insert(py_word_index(notes, rng.random()), word)
                    await asyncio.sleep(rng.random() / 100)

            await asyncio.gather(
                node_types(), py_types(bat, words["bat"], 2), py_types(ren, words["ren"], 3)
            )
            await node.flush()
            texts: list[str] = []

            async def same() -> bool:
                texts[:] = [await node.text(), bat.value(), ren.value()]
                return len(set(texts)) == 1

            await eventually(same, wait=30)
            text = texts[0]
            each_once(text, [w for ws in words.values() for w in ws])
            assert await synced_text(url0) == text
            assert await synced_text(url1) == text
            await bat.close()
            await ren.close()
        cluster.start(1)  # a third process: loads the room before it serves the notes
        assert await synced_text(cluster.servers[2].ws_url) == text
    finally:
        await node.close()
