"""Fixtures of the notes tests: the Node Yjs client's packages, installed when missing."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.notes.support import YJS_CLIENT, YjsClient


@pytest.fixture(scope="session")
def yjs_client_dir() -> Path:
    """tests/notes/yjs_client with its node_modules (`make test` runs `npm ci` there)."""
    assert shutil.which("node"), "the notes tests need Node.js 20+"
    if not (YJS_CLIENT / "node_modules" / "yjs").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=YJS_CLIENT,
            check=True,
        )
    return YJS_CLIENT


@pytest.fixture
async def yjs(yjs_client_dir: Path) -> AsyncIterator[Callable[[], Awaitable[YjsClient]]]:
    """Start Node Yjs clients at will; all are stopped at the end."""
    started: list[YjsClient] = []

    async def start() -> YjsClient:
        client = await YjsClient.start(yjs_client_dir)
        started.append(client)
        return client

    try:
        yield start
    finally:
        for client in started:
            await client.close()
