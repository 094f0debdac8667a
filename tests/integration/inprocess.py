"""A real uvicorn server with `workshop serve`'s app and options, in the test's own loop.

For the tests that must look at a connection's server side (`Connection`, its outbound)
while real clients talk to it over real sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from server.cli.main import uvicorn_options
from server.http.app import WorkshopApp, create_app
from server.live.connection import Connection
from server.settings import Settings
from tests.backends.support import eventually
from tests.support.server import create_event, free_port


@dataclass
class InProcess:
    app: WorkshopApp
    port: int
    links: dict[str, Any]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def sessions(self) -> set[Connection]:
        endpoint = self.app.socket.endpoint
        assert endpoint is not None
        return endpoint.connections

    def session_of(self, name: str) -> Connection:
        (found,) = [s for s in self.sessions() if s.actor.name == name]
        return found


async def serve(
    tmp_path: Path, changes: dict[str, Any] | None = None, **overrides: Any
) -> AsyncIterator[InProcess]:
    """`workshop serve`'s app and uvicorn options (with `overrides`), in this loop, with
    lifted rate limits and the settings in `changes` over them."""
    port = free_port()
    links = create_event(tmp_path, f"http://127.0.0.1:{port}")
    settings = Settings(**{
        "port": port, "data_dir": tmp_path, "ask_rate": 100_000, "ask_burst": 100_000,
        "command_rate": 100_000, "command_burst": 100_000, "sqlite_sync": "NORMAL",
        "ip_ask_rate": 0,
        **(changes or {}),
    })  # fmt: skip
    app = create_app(settings)
    options = uvicorn_options(settings) | {"log_level": "warning"} | overrides
    server = uvicorn.Server(uvicorn.Config(app, **options))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, within=20)
    try:
        yield InProcess(app, port, links)
    finally:
        server.should_exit = True
        await task
