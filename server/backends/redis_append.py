"""Pipelined appends: the EVALSHAs of concurrent `append` calls share round trips.

One at a time, an append costs a full round trip to Redis (about 4-5k appends/s from
one process); pipelined 100 at a time, the same process does several times more (issue
3, perf notes; docs/scaling.md has this machine's numbers). Each call still gets its own
result: the script's reply, or the error of that call alone.

A batch is sent when the previous one has been answered, so a lone append pays one
round trip and a burst is sent in as few pipelines as it needs. A NOSCRIPT reply (Redis
restarted, or SCRIPT FLUSH) means the script did not run: it is loaded again and the
same calls are sent again, once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from dataclasses import dataclass
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
        self._queue: deque[Call] = deque()
        self._wake = asyncio.Event()
        self._closing = False
        self._runners = [
            asyncio.get_running_loop().create_task(self._run(), name=f"workshop-redis-append-{i}")
            for i in range(pipelines)
        ]

    def alive(self) -> bool:
        return all(not task.done() for task in self._runners)

    async def call(self, keys: list[str], args: list[Any]) -> Any:
        """Run the script once with these keys and args; its reply, or BackendUnavailable."""
        if self._closing:
            raise BackendUnavailable("the Redis backend is closed")
        if len(self._queue) >= self._max_pending:
            raise BackendUnavailable("too many appends queued for Redis")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(Call(keys, args, future))
        self._wake.set()
        return await future

    async def close(self) -> None:
        """Send everything queued, then stop."""
        self._closing = True
        self._wake.set()
        await asyncio.gather(*self._runners, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            if not self._queue:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            calls = [self._queue.popleft() for _ in range(min(self._batch, len(self._queue)))]
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
