"""Notes clients for the tests: a real Yjs client (Node, `yjs_client/client.mjs`) and a
pycrdt client on top of `RoomClient`, both speaking the real protocol to a real server."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from pathlib import Path
from typing import Any

from pycrdt import Doc, Text

from client.room_client import RoomClient

YJS_CLIENT = Path(__file__).resolve().parent / "yjs_client"
WAIT = 20.0  # seconds for any one step


class YjsClient:
    """One Node process running a Yjs document, driven line by line over stdin/stdout."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self._ids = itertools.count(1)

    @classmethod
    async def start(cls, directory: Path = YJS_CLIENT) -> YjsClient:
        proc = await asyncio.create_subprocess_exec(
            "node",
            str(directory / "client.mjs"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=directory,
            limit=16 * 2**20,
        )
        return cls(proc)

    async def call(self, cmd: str, wait: float = WAIT, **fields: Any) -> dict[str, Any]:
        """Run one command; return its reply (raises when the client says it failed)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        rid = next(self._ids)
        self.proc.stdin.write((json.dumps({"id": rid, "cmd": cmd, **fields}) + "\n").encode())
        await self.proc.stdin.drain()
        async with asyncio.timeout(wait):
            while True:
                line = await self.proc.stdout.readline()
                if not line:
                    raise RuntimeError(f"the Yjs client exited (code {self.proc.returncode})")
                reply: dict[str, Any] = json.loads(line)
                if reply.get("id") == rid:
                    break
        if not reply.get("ok"):
            raise RuntimeError(f"yjs client: {cmd}: {reply.get('error')}")
        return reply

    async def connect(self, url: str, room: str, name: str, org: str = "", **kw: Any) -> bool:
        reply = await self.call("connect", url=url, room=room, name=name, org=org, **kw)
        return bool(reply["sent"])

    async def insert(self, index: int, s: str) -> str:
        return str((await self.call("insert", index=index, text=s))["text"])

    async def delete(self, index: int, length: int) -> str:
        return str((await self.call("delete", index=index, length=length))["text"])

    async def text(self) -> str:
        return str((await self.call("text"))["text"])

    async def flush(self) -> dict[str, Any]:
        return await self.call("flush")

    async def close(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(Exception):
                await self.call("quit", wait=5)
            try:
                async with asyncio.timeout(5):
                    await self.proc.wait()
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


class PyNotes:
    """A pycrdt document kept in step with a room through a `RoomClient`: every
    `notes.update` event is applied in log order; local edits are sent as updates."""

    def __init__(self, client: RoomClient, client_id: int | None = None) -> None:
        self.client = client
        self.doc: Doc = Doc(client_id=client_id) if client_id is not None else Doc()
        self.text = self.doc.get("notes", type=Text)
        self.errors: list[str] = []
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        with contextlib.suppress(Exception):
            async for frame in self.client.events():
                if frame.get("t") == "ev" and frame.get("type") == "notes.update":
                    self.doc.apply_update(frame["data"]["u"])

    def value(self) -> str:
        return str(self.text)

    async def sync(self) -> bool:
        """Sync by state vector; send what the server lacks. True when something was sent."""
        reply = await self.client.notes_sync(bytes(self.doc.get_state()))
        self.doc.apply_update(reply["u"])
        lacks = bytes(self.doc.get_update(reply["sv"]))
        if lacks == b"\x00\x00":
            return False
        await self.client.notes_update(lacks)
        return True

    async def _send(self, change: Any) -> dict[str, Any]:
        before = self.doc.get_state()
        change()
        return await self.client.notes_update(bytes(self.doc.get_update(before)))

    def _offset(self, chars: int) -> int:
        return len(self.value()[:chars].encode())

    async def insert(self, index: int, s: str) -> dict[str, Any]:
        """Insert `s` before character `index` (a code point index)."""
        return await self._send(lambda: self.text.insert(self._offset(index), s))

    async def append(self, s: str) -> dict[str, Any]:
        return await self.insert(len(self.value()), s)

    async def delete(self, index: int, length: int) -> dict[str, Any]:
        start, end = self._offset(index), self._offset(index + length)

        def change() -> None:
            del self.text[start:end]

        return await self._send(change)

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def eventually(check: Any, wait: float = WAIT, every: float = 0.05) -> None:
    """Poll the (async or plain) `check` until it returns true, or fail after `wait`."""
    async with asyncio.timeout(wait):
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(every)
