"""`workshop export` and `workshop import` on the Redis backend (issue 6: "for the
embedded and the Redis backend"), through `make_backend` like every other command.

An import there keeps each record's seq and time too (`RoomLog.import_log`), so the room
is rebuilt with every field, times included."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.backends.select import make_backend
from server.settings import Settings
from tests.support.server import workshop

from .conftest import export
from .support import NOTES_TEXT, ROOM, fold, populate, staff_view, write
from .test_round_trip import _without_pseudonyms

pytest.importorskip("server.backends.redis")
if shutil.which("redis-server") is None and not Path("/usr/bin/redis-server").exists():
    pytest.skip("redis-server is not installed", allow_module_level=True)

SECRET = "transcripts-test-secret-0123456789abcdef"


@pytest.fixture
def redis_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from tests.support.redis import RedisProcess  # lands with the Redis backend (issue 3)

    monkeypatch.setenv("WORKSHOP_SECRET", SECRET)
    server = RedisProcess(tmp_path / "redis", appendfsync="no")
    server.folder.mkdir()
    server.start()
    try:
        yield server.url
    finally:
        server.kill()


def cli(*args: str) -> Any:
    return workshop(*args, env={**os.environ, "WORKSHOP_SECRET": SECRET})


async def test_export_and_import_on_redis(redis_url: str, tmp_path: Path) -> None:
    async with make_backend(Settings(redis_url=redis_url)) as backend:
        session = await populate(backend)
        expected = await export(backend, "json")
    done = cli(
        "export",
        ROOM,
        "--format",
        "json",
        "--redis-url",
        redis_url,
        "--out",
        str(tmp_path / "t.json"),
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "t.json").read_bytes() == expected  # same secret, same pseudonyms
    md = cli("export", ROOM, "--format", "md", "--redis-url", redis_url)
    assert md.returncode == 0 and "## Answered questions" in md.stdout

    other = redis_url.removesuffix("/0") + "/1"  # an empty database of the same server
    file = write(tmp_path / f"{ROOM}-transcript.json", expected)
    done = cli("import", str(file), "--redis-url", other)
    assert done.returncode == 0, done.stderr
    assert "times kept" in done.stdout
    async with make_backend(Settings(redis_url=other)) as rebuilt:
        view = staff_view(await fold(rebuilt))
        again = json.loads(await export(rebuilt, "json"))
    assert view == staff_view(session.state)
    assert view["notes"] == NOTES_TEXT
    # The same transcript, times included; pseudonyms are made again from the imported ones.
    assert _without_pseudonyms(again) == _without_pseudonyms(json.loads(expected))
