"""client.replies: the table of requests waiting for their reply (no I/O, no sockets)."""

from __future__ import annotations

import asyncio

import pytest

from client.errors import CommandError
from client.replies import Reply, Waiting
from protocol.codes import ErrorCode, ProtocolError
from protocol.frames import Err, Ok, Pong


async def test_a_reply_runs_its_hook_then_wakes_its_caller() -> None:
    waiting = Waiting()
    future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
    seen: list[object] = []
    waiting.add(3, future, lambda frame: seen.append((frame, future.done())))
    reply = Reply(Ok(3, 7, {"qid": "q1"}), {"t": "ok", "re": 3, "qid": "q1", "seq": 7})
    assert waiting.answer(reply)
    assert seen == [(reply.frame, False)]
    assert await future == reply
    assert 3 not in waiting
    assert not waiting.answer(reply)  # answered once
    assert not waiting.answer(Reply(Pong(None), {"t": "pong", "re": None}))


async def test_a_hook_may_refuse_the_reply() -> None:
    waiting = Waiting()
    future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()

    def refuse(frame: object) -> None:
        raise ProtocolError(ErrorCode.BAD_FRAME, "not a welcome")

    waiting.add(1, future, refuse)
    assert waiting.answer(Reply(Ok(1, 0), {"t": "ok", "re": 1, "seq": 0}))
    with pytest.raises(ProtocolError, match="not a welcome"):
        await future


async def test_a_malformed_reply_gives_the_hook_none_and_the_caller_the_error() -> None:
    waiting = Waiting()
    future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
    hooked: list[object] = []
    waiting.add(2, future, hooked.append)
    error = ProtocolError(ErrorCode.BAD_FRAME, "malformed ok frame")
    assert not waiting.refuse("2", error) and not waiting.refuse(9, error)
    assert waiting.refuse(2, error)
    assert hooked == [None]
    with pytest.raises(ProtocolError) as info:
        await future
    assert info.value is error


async def test_fail_all_and_requests_nobody_awaits() -> None:
    waiting = Waiting()
    loop = asyncio.get_running_loop()
    futures: list[asyncio.Future[Reply]] = [loop.create_future() for _ in range(2)]
    for rid, future in enumerate(futures):
        waiting.add(rid, future)
    hooked: list[object] = []
    waiting.add(5, None, hooked.append)  # a resync's join: a hook, no caller
    assert waiting.answer(Reply(Err(5, "internal", "x"), {}))
    assert hooked == [Err(5, "internal", "x")]
    waiting.fail_all(lambda: ConnectionError("lost"))
    for future in futures:
        with pytest.raises(ConnectionError):
            await future
    assert 0 not in waiting and 1 not in waiting


def test_command_error_reads_the_registry() -> None:
    err = Err(4, "unavailable", "backend down")
    error = CommandError.of(err, err.to_wire())
    assert (error.code, error.msg, error.retryable) == ("unavailable", "backend down", True)
    for code in ErrorCode:
        assert CommandError(str(code), "", {}).retryable is code.retryable
    assert not CommandError("a_later_code", "", {}).retryable
