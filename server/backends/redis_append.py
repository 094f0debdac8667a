"""Pipelined appends: the EVALSHAs of concurrent `append` calls share round trips.

One at a time, an append costs a full round trip to Redis (about 4-5k appends/s from
one process); pipelined 100 at a time, the same process does several times more (issue
3, perf notes; docs/scaling.md has this machine's numbers). Each call still gets its own
result: the script's reply, or the error of that call alone.

A batch is sent when the previous one has been answered, so a lone append pays one
round trip and a burst is sent in as few pipelines as it needs. The pipelines run side by
side on separate connections, so Redis may run a later batch before an earlier one: each
call names its *lane* (its participant), and one lane's calls always go through the same
pipeline, one batch after the other. A connection's commands are thus applied in the
order it sent them (issue 12: about 6 of 2,000 pipelined edits landed out of order when
any pipeline could take any call). A NOSCRIPT reply (Redis
restarted, or SCRIPT FLUSH) means the script did not run: it is loaded again and the
same calls are sent again, once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError, ResponseError

from .base import BackendUnavailable
from .redis_keys import Script

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Call:
    """One EVALSHA waiting for its pipeline."""

    keys: list[str]
    args: list[Any]
    future: asyncio.Future[Any]


@dataclass(slots=True)
class _Lane:
    """The calls one pipeline sends, in order."""

    calls: deque[Call] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class Appender:
    """Queues script calls and sends them in pipelines of up to `batch`, `pipelines` at once."""

    def __init__(
        self,
        client: Redis,
        script: Script,
        stats: Counter[str],
        *,
        batch: int = 100,
        pipelines: int = 2,
        max_pending: int = 10_000,
    ) -> None:
        self._client = client
        self._script = script
        self._stats = stats
        self._batch = batch
        self._max_pending = max_pending
        self._lanes = [_Lane() for _ in range(max(1, pipelines))]
        self._pending = 0
        self._closing = False
        self._runners = [
            asyncio.get_running_loop().create_task(
                self._run(lane), name=f"workshop-redis-append-{i}"
            )
            for i, lane in enumerate(self._lanes)
        ]

    def alive(self) -> bool:
        return all(not task.done() for task in self._runners)

    async def call(self, keys: list[str], args: list[Any], lane: str | None = None) -> Any:
        """Run the script once with these keys and args; its reply, or BackendUnavailable.

        Calls of one `lane` run in the order they were made."""
        if self._closing:
            raise BackendUnavailable("the Redis backend is closed")
        if self._pending >= self._max_pending:
            raise BackendUnavailable("too many appends queued for Redis")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        queue = self._lanes[hash(lane) % len(self._lanes) if lane is not None else 0]
        queue.calls.append(Call(keys, args, future))
        queue.wake.set()
        self._pending += 1
        try:
            return await future
        finally:
            self._pending -= 1

    async def close(self) -> None:
        """Send everything queued, then stop."""
        self._closing = True
        for lane in self._lanes:
            lane.wake.set()
        await asyncio.gather(*self._runners, return_exceptions=True)

    async def _run(self, lane: _Lane) -> None:
        queue = lane.calls
        while True:
            if not queue:
                if self._closing:
                    return
                lane.wake.clear()
                await lane.wake.wait()
                continue
            calls = [queue.popleft() for _ in range(min(self._batch, len(queue)))]
            try:
                results = await self._send(calls, retry_noscript=True)
            except Exception as exc:  # never lose the runner: fail this batch only
                log.exception("append pipeline failed")
                results = [BackendUnavailable(f"append not confirmed: {exc}")] * len(calls)
            for call, result in zip(calls, results, strict=True):
                if call.future.done():  # the caller was cancelled; the record may stand
                    continue
                if isinstance(result, BaseException):
                    call.future.set_exception(result)
                else:
                    call.future.set_result(result)

    async def _send(self, calls: list[Call], *, retry_noscript: bool) -> list[Any]:
        """One reply (or error) per call, in order."""
        self._stats["append_pipelines"] += 1
        self._stats["append_calls"] += len(calls)
        try:
            replies = await self._execute(calls)
        except (RedisError, OSError) as exc:
            # Some of these may have run before the connection failed: the caller cannot
            # know, so it is told "unavailable" (never a false ok) and retries with the
            # same (pid, cid), which dedupe turns into the first seq.
            return [_unavailable(exc)] * len(calls)
        missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if missing and retry_noscript:
            self._stats["script_reloads"] += 1
            try:
                await self._client.script_load(self._script.source)
            except (RedisError, OSError) as exc:
                for i in missing:
                    replies[i] = _unavailable(exc)
            else:
                again = await self._send([calls[i] for i in missing], retry_noscript=False)
                for i, reply in zip(missing, again, strict=True):
                    replies[i] = reply
        return [_unavailable(r) if isinstance(r, RedisError) else r for r in replies]

    async def _execute(self, calls: list[Call]) -> list[Any]:
        """EVALSHA each call: alone as a plain command (cheaper), else in one pipeline.
        A reply that is an error comes back as that exception; a failed connection raises."""
        command = ("EVALSHA", self._script.sha)
        if len(calls) == 1:
            call = calls[0]
            try:
                return [
                    await self._client.execute_command(
                        *command, len(call.keys), *call.keys, *call.args
                    )
                ]
            except ResponseError as exc:
                return [exc]
        pipe = self._client.pipeline(transaction=False)
        for call in calls:
            pipe.execute_command(*command, len(call.keys), *call.keys, *call.args)
        return list(await pipe.execute(raise_on_error=False))


def _unavailable(exc: BaseException) -> BackendUnavailable:
    error = BackendUnavailable(f"Redis did not confirm the append: {exc}")
    error.__cause__ = exc
    return error
