"""Check docs/operations.md's Redis backups for real: run by hand, not by `make test`.

    .venv/bin/python examples/check_redis_backup.py

A real redis-server (AOF on, as `workshop serve` wants it) and a server on it; 30 questions;
then both backups while the server runs: an RDB with `redis-cli --rdb`, and a copy of
`appendonlydir/` after `BGREWRITEAOF`; 5 more questions. Each backup is restored into a fresh
redis-server (the RDB the documented way: loaded with AOF off, then `CONFIG SET appendonly
yes`, then restarted with AOF on) and a new server on it must serve the room's 30 questions
in the same epoch. Prints one line per check and exits 1 if one fails.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from client.room_client import RoomClient  # noqa: E402
from tests.integration.helpers import snapshot_state  # noqa: E402
from tests.scaleout.support import SECRET, workshop_cli  # noqa: E402
from tests.support.redis import RedisProcess  # noqa: E402
from tests.support.server import EXAMPLE, LIFTED, ServerProcess  # noqa: E402

ENV = {"WORKSHOP_SECRET": SECRET}
failed: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'}  {name}{': ' + detail if detail and not ok else ''}")
    if not ok:
        failed.append(name)


def serving(folder: Path, redis: RedisProcess) -> ServerProcess:
    folder.mkdir(parents=True)
    server = ServerProcess(folder, args=("--redis-url", redis.url, *LIFTED), env=ENV)
    server.start()
    return server


def rewritten(redis: RedisProcess) -> None:
    """Wait until no AOF rewrite runs or waits."""
    with redis.client() as r:
        while True:
            info = r.info("persistence")
            if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
                return
            time.sleep(0.05)


async def questions_and_epoch(redis: RedisProcess, folder: Path) -> tuple[int, str | None]:
    server = serving(folder, redis)
    try:
        async with RoomClient(server.ws_url, "SUB-PLAN", name="Bat") as bat:
            return len((await snapshot_state(bat))["questions"]), bat.epoch
    finally:
        server.stop()


async def main(tmp: Path) -> None:
    live = RedisProcess(tmp / "live")
    live.start()
    made = workshop_cli("create-event", str(EXAMPLE), "--redis-url", live.url, env=ENV)
    check("create-event on Redis", made.returncode == 0, made.stderr)
    server = serving(tmp / "server", live)
    async with RoomClient(server.ws_url, "SUB-PLAN", name="Aya") as aya:
        for i in range(30):
            await aya.ask(f"question {i}")
        epoch = aya.epoch
        rdb = tmp / "backup.rdb"
        argv = ["redis-cli", "-p", str(live.port), "--rdb", str(rdb)]
        taken = await asyncio.to_thread(subprocess.run, argv, capture_output=True, text=True)
        check("redis-cli --rdb from a live Redis", taken.returncode == 0, taken.stderr)
        with live.client() as r:
            r.bgrewriteaof()
        await asyncio.to_thread(rewritten, live)
        shutil.copytree(live.folder / "appendonlydir", tmp / "aof" / "appendonlydir")
        for i in range(30, 35):
            await aya.ask(f"question {i}")
    server.stop()
    live.stop()

    from_rdb = RedisProcess(tmp / "rdb", appendonly=False)
    from_rdb.folder.mkdir()
    shutil.copy(rdb, from_rdb.folder / "dump.rdb")
    from_rdb.start()
    with from_rdb.client() as r:
        r.config_set("appendonly", "yes")  # writes the AOF from what the RDB loaded
    rewritten(from_rdb)
    from_rdb.stop()
    from_rdb.appendonly = True
    from_rdb.start()
    count, restored_epoch = await questions_and_epoch(from_rdb, tmp / "server-rdb")
    check("RDB restored, AOF on: the room's 30 questions", count == 30, str(count))
    check("RDB restored: the same epoch", restored_epoch == epoch)
    from_rdb.stop()

    from_aof = RedisProcess(tmp / "aof")
    from_aof.start()
    count, restored_epoch = await questions_and_epoch(from_aof, tmp / "server-aof")
    check("appendonlydir restored: the room's 30 questions", count == 30, str(count))
    check("appendonlydir restored: the same epoch", restored_epoch == epoch)
    from_aof.stop()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(main(Path(folder)))
    print("all checks passed" if not failed else f"{len(failed)} failed")
    sys.exit(1 if failed else 0)
