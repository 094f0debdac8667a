"""The lean queue and event (server/live/lean.py) behave as the asyncio ones do for uvicorn.
On real uvicorn, trimmed by the adapter: tests/live/test_wire.py."""

from __future__ import annotations

import asyncio

import pytest

from server.live.lean import Gate, Inbox

WAIT = 20.0


async def test_an_inbox_keeps_order_and_holds_nothing_when_empty() -> None:
    inbox = Inbox()
    assert inbox.empty() and inbox._items is None
    for n in range(3):
        inbox.put_nowait(n)
    assert inbox.qsize() == 3
    assert [await inbox.get() for _ in range(3)] == [0, 1, 2]
    assert inbox.empty() and inbox._items is None


async def test_an_inbox_wakes_its_reader() -> None:
    inbox = Inbox()
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    assert not reader.done()
    inbox.put_nowait("a")
    inbox.put_nowait("b")
    assert await asyncio.wait_for(reader, WAIT) == "a"
    assert await inbox.get() == "b"
    assert inbox._waiter is None


async def test_a_cancelled_read_loses_nothing() -> None:
    inbox = Inbox()
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("kept")  # the reader is woken, then cancelled before it runs
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    assert await inbox.get() == "kept"


async def test_an_inbox_has_one_reader() -> None:
    inbox = Inbox()
    first = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        await inbox.get()
    inbox.put_nowait(1)
    assert await asyncio.wait_for(first, WAIT) == 1


async def test_a_gate_lets_waiters_through_when_set() -> None:
    gate = Gate(is_open=True)
    assert gate.is_set() and await gate.wait()
    gate.clear()
    waiters = [asyncio.create_task(gate.wait()) for _ in range(2)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    gate.set()
    gate.clear()  # like asyncio.Event: a waiter woken by `set` returns all the same
    assert await asyncio.wait_for(asyncio.gather(*waiters), WAIT) == [True, True]
    assert gate._waiters is None


async def test_a_cancelled_wait_leaves_the_gate() -> None:
    gate = Gate()
    waiter = asyncio.create_task(gate.wait())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert gate._waiters == []
    gate.set()
    assert gate.is_set()
