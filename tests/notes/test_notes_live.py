"""Shared notes end to end (issue 5): a real Yjs client (Node, `yjs` from npm) and pycrdt
clients edit one room's notes through a real server process.

Every test ends by comparing three texts: the Yjs client's, a pycrdt client's that
followed the room's events, and a fresh joiner's after one `notes.sync`. Words are
inserted at word boundaries, so "everyone's words, each exactly once" is checkable.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from client.errors import CommandError
from client.room_client import RoomClient
from protocol.messages import NOTES_UPDATE_LIMIT
from server.rooms.notes_document import TEXT_LIMIT
from tests.conftest import Workshop, start_workshop
from tests.notes.support import PyNotes, YjsClient, eventually
from tests.rooms.support import Editor
from tests.support.server import LIFTED

ROOM = "SUB-PLAN"
StartYjs = Callable[[], Awaitable[YjsClient]]


async def fresh_text(url: str) -> str:
    """What a newcomer gets from one `notes.sync` with an empty state vector."""
    async with RoomClient(url, ROOM, name="Newcomer", org="Tohoku University") as client:
        notes = PyNotes(client)
        await notes.sync()
        await notes.close()
        return notes.value()


async def converged(node: YjsClient, *others: PyNotes, url: str) -> str:
    """Wait until the Yjs client and every pycrdt client show one text; check that a
    newcomer syncs to it too; return it."""
    await node.flush()
    texts: list[str] = []

    async def same() -> bool:
        texts[:] = [await node.text(), *(p.value() for p in others)]
        return len(set(texts)) == 1

    try:
        await eventually(same)
    except TimeoutError:
        raise AssertionError(f"no convergence: {texts!r}") from None
    assert await fresh_text(url) == texts[0]
    return texts[0]


def py_word_index(notes: PyNotes, r: float) -> int:
    """The code point index of a word boundary (start, after a space or newline, end)."""
    text = notes.value()
    bounds = [0, *(i + 1 for i, ch in enumerate(text) if ch in " \n")]
    return bounds[int(r * len(bounds))]


def each_once(text: str, words: list[str]) -> None:
    for word in words:
        assert text.count(word) == 1, (word, text)


async def test_yjs_and_pycrdt_clients_edit_at_once_and_converge(
    lifted: Workshop, yjs: StartYjs
) -> None:
    url = lifted.server.ws_url
    node = await yjs()
    await node.connect(url, ROOM, "Aiko", "Sendai City")
    async with RoomClient(url, ROOM, name="Bat", org="Ulaanbaatar City") as client:
        py = PyNotes(client)
        await py.sync()
        await node.insert(0, "Agenda\n")
        await node.flush()
        await eventually(lambda: py.value() == "Agenda\n")
        node_words = [f"aiko{i}:避難所{i} " for i in range(40)]
        py_words = [f"bat{i}:Нүүлгэлт{i} " for i in range(40)]

        async def node_types() -> None:
            rng = random.Random(1)
            for word in node_words:
                await node.call("insert_word", text=word, r=rng.random())
                await asyncio.sleep(rng.random() / 100)

        async def py_types() -> None:
            rng = random.Random(2)
            for word in py_words:
                await py.insert(py_word_index(py, rng.random()), word)
                await asyncio.sleep(rng.random() / 100)

        await asyncio.gather(node_types(), py_types())
        text = await converged(node, py, url=url)
        each_once(text, [*node_words, *py_words, "Agenda\n"])
        assert len(text) == len("Agenda\n") + sum(map(len, node_words + py_words))
        await py.close()


async def test_reordered_and_duplicated_delivery_converges(lifted: Workshop, yjs: StartYjs) -> None:
    """The Yjs client sends its updates out of the order it made them, some twice: the
    server keeps the early ones pending until their predecessors come, in its log order,
    and every client ends on the same text."""
    url = lifted.server.ws_url
    node = await yjs()
    await node.connect(url, ROOM, "Aiko", "Sendai City")
    async with RoomClient(url, ROOM, name="Bat", org="Ulaanbaatar City") as client:
        py = PyNotes(client)
        await py.sync()
        await node.call("capture", on=True)
        pieces = ["Shelters: ", "Sendai ", "避難所 ", "Улаанбаатар ", "siren test "]
        for piece in pieces:
            await node.insert(10**6, piece)
        await node.delete(0, 3)  # "Shelters" loses "She": a deletion-only update
        await node.call("capture", on=False)
        reply = await node.call("send_captured", order=[3, 0, 5, 1, 0, 4, 2, 3, 5])
        assert reply["codes"] == ["ok"] * 9
        expected = "lters: Sendai 避難所 Улаанбаатар siren test "
        assert await node.text() == expected
        # The pycrdt client applied the events in log order (out of causal order), as the
        # server did; a resync by state vector is its safety net.
        await py.sync()
        assert await converged(node, py, url=url) == expected
        await py.close()


async def test_fifty_offline_edits_merge_on_reconnect(lifted: Workshop, yjs: StartYjs) -> None:
    url = lifted.server.ws_url
    node = await yjs()
    await node.connect(url, ROOM, "Aiko", "Sendai City")
    async with RoomClient(url, ROOM, name="Bat", org="Ulaanbaatar City") as client:
        py = PyNotes(client)
        await py.sync()
        for i in range(10):
            await py.append(f"shared{i} ")
        await node.flush()
        await eventually(lambda: node.text())
        await converged(node, py, url=url)
        await node.call("disconnect")
        rng = random.Random(5)
        offline = [f"offline{i}:停電{i} " for i in range(50)]
        for i, word in enumerate(offline):
            await node.call("insert_word", text=word, r=rng.random())
            if i % 10 == 9:  # deletions too: an extra "~~" typed and deleted again
                text = await node.insert(0, "~~")
                assert text.startswith("~~")
                await node.delete(0, 2)
        online = [f"online{i}:Өвөл{i} " for i in range(20)]
        for word in online:
            await py.insert(py_word_index(py, rng.random()), word)
        assert (await node.call("text"))["queued"] > 0
        assert await node.connect(url, ROOM, "Aiko", "Sendai City")  # it sent what we lacked
        text = await converged(node, py, url=url)
        each_once(text, [*offline, *online, *(f"shared{i} " for i in range(10))])
        assert "~" not in text
        await py.close()


def snapshot_seq(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "workshop.db") as db:
        row = db.execute("SELECT seq FROM snapshots WHERE room = ?", (ROOM,)).fetchone()
    return int(row[0]) if row else 0


async def test_a_client_reconnecting_after_a_compaction_duplicates_nothing(
    tmp_path: Path, yjs: StartYjs
) -> None:
    """jupyterlab #13550: a server that rebuilt its document from storage gave returning
    clients a document with new identities, and their sync doubled the text. Here the
    snapshot is the same Yjs document (compacted), so the returning client's sync adds
    only its offline edits."""
    w = start_workshop(tmp_path, *LIFTED, "--snapshot-every", "20")
    try:
        url = w.server.ws_url
        node = await yjs()
        await node.connect(url, ROOM, "Aiko", "Sendai City")
        async with RoomClient(url, ROOM, name="Bat", org="Ulaanbaatar City") as client:
            py = PyNotes(client)
            await py.sync()
            for i in range(15):
                await node.insert(10**6, f"aiko{i} ")
                await py.append(f"bat{i} ")
            await converged(node, py, url=url)
            await py.close()
            notes_head = client.seq
        assert notes_head is not None
        await node.call("disconnect")
        for i in range(5):
            await node.insert(0, f"away{i} ")
        # Force a compaction: 20 more events (settings toggles) take a snapshot past every
        # notes edit; then restart: the new process loads the snapshot, then the tail.
        async with RoomClient(url, ROOM, name="Chair", key=w.moderator_key) as chair:
            for i in range(20):
                await chair.settings(premoderation=i % 2 == 0)
        await eventually(lambda: snapshot_seq(tmp_path) > notes_head)
        w.server.restart()
        assert await node.connect(url, ROOM, "Aiko", "Sendai City")
        async with RoomClient(url, ROOM, name="Bat", org="Ulaanbaatar City") as client:
            py = PyNotes(client)
            await py.sync()
            text = await converged(node, py, url=url)
            await py.close()
        each_once(text, [*(f"aiko{i} " for i in range(15)), *(f"bat{i} " for i in range(15))])
        each_once(text, [f"away{i} " for i in range(5)])
        assert len(text) == sum(len(f"aiko{i} bat{i} ") for i in range(15)) + 5 * len("away0 ")
    finally:
        w.server.stop()


@pytest.mark.parametrize("how", ["sigterm", "kill -9"])
async def test_a_restart_keeps_every_acknowledged_edit(tmp_path: Path, how: str) -> None:
    w = start_workshop(tmp_path, *LIFTED, "--snapshot-every", "20")
    try:
        url = w.server.ws_url
        lines = [f"{i}: 津波警報 / цунами / tsunami warning\n" for i in range(45)]
        async with RoomClient(url, ROOM, name="Bat", org="Ulaanbaatar City") as client:
            py = PyNotes(client)
            for line in lines:
                assert (await py.append(line))["t"] == "ok"  # acknowledged
            await py.close()
        if how == "sigterm":
            w.server.stop()
        else:
            w.server.kill()
        w.server.start()
        assert await fresh_text(url) == "".join(lines)
    finally:
        w.server.stop()


async def test_locked_notes_refuse_participants_and_take_moderators(
    lifted: Workshop, yjs: StartYjs
) -> None:
    url = lifted.server.ws_url
    node = await yjs()
    await node.connect(url, ROOM, "Aiko", "Sendai City")
    async with RoomClient(url, ROOM, name="Chair", org="UNDRR", key=lifted.moderator_key) as chair:
        mod = PyNotes(chair)
        await mod.sync()
        await mod.append("Summary: ")
        await chair.settings(notes_locked=True)
        await node.flush()
        await node.call("capture", on=True)
        await node.insert(10**6, "participant text")
        await node.call("capture", on=False)
        reply = await node.call("send_captured", order=[0])
        assert reply["codes"] == ["forbidden"]
        assert (await node.call("ping"))["t"] == "pong"  # the connection stays open
        await mod.append("written by the chair while locked")
        await chair.settings(notes_locked=False)
        await node.call("send_captured", order=[0])  # unlocked: the same update lands
        await eventually(lambda: "participant text" in mod.value())
        await mod.close()
        assert await fresh_text(url) == mod.value()
        assert "written by the chair while locked" in mod.value()


async def test_size_limits(lifted: Workshop, yjs: StartYjs) -> None:
    url = lifted.server.ws_url
    node = await yjs()
    await node.connect(url, ROOM, "Aiko", "Sendai City")
    big = Editor(77).append("x" * (NOTES_UPDATE_LIMIT + 1))
    assert len(big) > NOTES_UPDATE_LIMIT
    reply = await node.call("send_raw", hex=big.hex())
    assert reply["code"] == "too_large"
    assert (await node.call("ping"))["t"] == "pong"  # the connection stays open
    async with RoomClient(url, ROOM, name="Bat", org="Ulaanbaatar City") as client:
        py = PyNotes(client)
        head = (await client.notes_sync(b"\x00"))["seq"]
        for empty in (b"", b"\x00\x00"):  # acknowledged, not appended
            assert (await client.notes_update(empty))["seq"] is None
        assert (await client.notes_sync(b"\x00"))["seq"] == head
        with pytest.raises(CommandError) as bad_sv:
            await client.notes_sync(b"\xff\xff")
        assert bad_sv.value.code == "bad_request"
        chunk = "y" * 30_000
        while len(py.value().encode()) + len(chunk) <= TEXT_LIMIT:
            await py.append(chunk)
        with pytest.raises(CommandError) as refused:
            await py.append(chunk)
        assert refused.value.code == "too_large"
        assert str(TEXT_LIMIT) in refused.value.msg
        assert (await client.ping())["t"] == "pong"
        # The refused edit is in this client's document only; the room has the rest.
        assert len((await fresh_text(url)).encode()) == len(py.value().encode()) - len(chunk)
        await py.close()
