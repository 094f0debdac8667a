"""`workshop backup PATH` (server/cli/backup.py; docs/operations.md, "Backups"): a copy of
a live server's SQLite file taken while a participant keeps asking, restored into a second
server that serves the same room: every question the copy holds, in order and without a
gap, the event's invite keys still valid (the secret went with it), and a new epoch."""

from __future__ import annotations

import asyncio
import contextlib
import stat
from pathlib import Path

from client.room_client import RoomClient
from tests.backends.support import eventually
from tests.conftest import start_workshop
from tests.integration.helpers import Raw, snapshot_state
from tests.support.server import LIFTED, ServerProcess
from tests.support.server import workshop as workshop_cli


async def test_a_backup_of_a_live_server_restores_into_one_that_serves_the_room(
    tmp_path: Path,
) -> None:
    w = start_workshop(tmp_path / "live", *LIFTED)
    asked: list[int] = []
    epoch = ""
    copy = tmp_path / "backup"
    try:
        async with RoomClient(w.server.ws_url, "SUB-PLAN", name="Aya", org="Sendai") as aya:

            async def keep_asking() -> None:
                while True:
                    await aya.ask(f"question {len(asked) + 1}")
                    asked.append(len(asked) + 1)

            epoch = str(aya.epoch)
            writer = asyncio.create_task(keep_asking())
            await eventually(lambda: len(asked) >= 50, 60)
            before = len(asked)
            done = await asyncio.to_thread(
                workshop_cli, "backup", str(copy), "--data-dir", str(w.server.data_dir)
            )
            after = len(asked)
            await eventually(lambda: len(asked) >= after + 20, 60)  # it kept serving
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
    finally:
        w.server.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "backed up" in done.stdout
    assert stat.S_IMODE((copy / "secret").stat().st_mode) == 0o600
    again = workshop_cli("backup", str(copy), "--data-dir", str(w.server.data_dir))
    assert again.returncode == 1 and "exists" in again.stdout  # never over an older copy

    restored = ServerProcess(copy)
    restored.start()
    try:
        async with RoomClient(restored.ws_url, "SUB-PLAN", name="Bat", org="Ulaanbaatar") as bat:
            state = await snapshot_state(bat)
        texts = [q["text"] for q in state["questions"]]
        # Every question acknowledged before the backup began, then a gapless run up to
        # the moment of the copy: one commit of the live file, never half of one.
        assert before <= len(texts) <= after + 1
        assert texts == [f"question {i}" for i in range(1, len(texts) + 1)]
        chair = await Raw.open(restored.ws_url)
        try:
            # The copy's log is a new life: a client that saw later events resumes with a
            # snapshot of the restored room, never a replay of seqs reused for others.
            joined = await chair.join(
                "SUB-PLAN", name="Chair", key=w.moderator_key, since=after, epoch=epoch
            )
            assert joined["t"] == "ok" and "moderator" in joined["me"]["roles"]
            assert joined["epoch"] != epoch
            await chair.sync()
            assert [f["seq"] for f in chair.take("snapshot")] == [len(texts)]
        finally:
            await chair.close()
    finally:
        restored.stop()
