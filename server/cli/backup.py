"""`workshop backup PATH`: a consistent copy of a live embedded server's data, taken while it
serves (issue 16, "Safe start"; docs/operations.md, "Backups").

The room logs and the catalogue are copied with SQLite's online backup API
(`sqlite3.Connection.backup`) in one step, that is inside one read transaction: in WAL
mode the server keeps appending meanwhile, and the copy is the database as it was at one
commit, never half of a batch. The secret (and the retired secrets of a rotation) go
with it, mode 0600, because every invite link and participant token is signed with it: a
restore without it would serve the rooms but refuse every link.

Each room of the copy starts a new life (a new epoch): a client that saw events after the
copy was taken would otherwise resume by a replay of seqs the restored log reuses for
other events; with a new epoch every client comes back to a snapshot of the restored
state (PROTOCOL.md: epoch rules). The log, its seqs and every transcript are unchanged.

PATH is a new folder that is itself a data directory: to restore, stop the server and
start it with `--data-dir PATH` (or copy PATH's files into the data directory). On
Redis the copy is Redis's own (AOF or RDB; docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from server.backends.base import new_epoch
from server.cli.options import SHARED, add_settings, settings_from
from server.secret_rotation import RETIRED_FILE, SECRET_FILE

DATABASE = "workshop.db"


class BackupError(Exception):
    """No copy was made: nothing to copy, or the target exists."""


def backup(data_dir: Path, target: Path) -> int:
    """Copy `data_dir`'s database and secrets into the new folder `target`; return the
    number of database pages copied."""
    source = data_dir / DATABASE
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists; a backup goes into a new folder")
    target.mkdir(mode=0o700, parents=True)
    copy = target / DATABASE
    # Read-only on the live file: the backup never writes to it, never blocks its writer
    # for longer than one read (WAL), and waits for a checkpoint's lock at most 10 s.
    live = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    out = sqlite3.connect(copy)
    try:
        live.backup(out)  # pages=-1: every page in one step, one consistent snapshot
        with out:  # a restored log is a new life (see the module's doc)
            rooms = [code for (code,) in out.execute("SELECT code FROM rooms")]
            out.executemany(
                "UPDATE rooms SET epoch = ? WHERE code = ?", [(new_epoch(), c) for c in rooms]
            )
        pages = int(out.execute("PRAGMA page_count").fetchone()[0])
        if out.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"the copy at {copy} failed SQLite's integrity check")
    finally:
        out.close()
        live.close()
    for name in (SECRET_FILE, RETIRED_FILE):
        if (data_dir / name).exists():
            fd = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as kept, (data_dir / name).open("rb") as original:
                shutil.copyfileobj(original, kept)
                kept.flush()
                os.fsync(kept.fileno())
    return pages


def add_backup_command(sub: Any) -> None:
    """Register `backup PATH` on the `workshop` sub-command parser."""
    parser = sub.add_parser("backup", help="copy a live embedded server's data (SQLite online)")
    parser.add_argument("path", help="a new folder for the copy (itself a data directory)")
    add_settings(parser, SHARED)
    parser.set_defaults(func=cmd_backup)


def cmd_backup(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings.redis_url:
        print("error: on Redis, back up Redis's AOF or RDB files (docs/operations.md)")
        return 2
    try:
        pages = backup(settings.data_dir, Path(args.path))
    except (BackupError, sqlite3.Error, OSError) as exc:
        print(f"error: {exc}")
        return 1
    print(f"backed up {settings.data_dir} to {args.path} ({pages} pages)")
    return 0
