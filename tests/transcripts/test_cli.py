"""`workshop export ROOM --format F [--out FILE]` on a data dir, for every format, and the
same bytes as the HTTP route gives (pseudonyms included: both use the server secret)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import docx

from server.backends.embedded import EmbeddedBackend
from tests.support.server import ROOT, workshop

from .conftest import export
from .support import EVENT, Q_JA, Q_MN, ROOM, Session


def workshop_bytes(*args: str) -> subprocess.CompletedProcess[bytes]:
    """The CLI with its standard output as bytes."""
    return subprocess.run(
        [sys.executable, "-m", "server.cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_export_every_format_to_a_file(
    backend: EmbeddedBackend, session: Session, tmp_path: Path
) -> None:
    data_dir = str(backend.data_dir)
    for fmt in ("json", "csv", "md", "html", "docx"):
        out = tmp_path / f"out.{fmt}"
        done = workshop(
            "export", "sub-plan", "--format", fmt, "--out", str(out), "--data-dir", data_dir
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""
        data = out.read_bytes()
        if fmt == "json":
            assert data == await export(backend, "json")
            assert len(json.loads(data)) == session.records
        elif fmt == "csv":
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert rows[1][0] == Q_JA and len(rows) == 9
        elif fmt == "docx":
            text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
            assert "Answered questions" in text
        else:
            assert Q_MN in data.decode("utf-8") and "ULAT" in data.decode("utf-8")
    assert not [name for name in names(tmp_path) if name.startswith(".out")]  # no temp left


async def test_export_to_stdout_in_japanese_and_the_event_zip(
    backend: EmbeddedBackend, session: Session, tmp_path: Path
) -> None:
    data_dir = str(backend.data_dir)
    done = workshop_bytes("export", ROOM, "--format", "md", "--lang", "ja", "--data-dir", data_dir)
    assert done.returncode == 0, done.stderr
    assert "## 回答済みの質問" in done.stdout.decode("utf-8")
    for target in (EVENT.event_id, ROOM):
        out = tmp_path / "event.zip"
        done = workshop(
            "export", target, "--format", "zip", "--out", str(out), "--data-dir", data_dir
        )
        assert done.returncode == 0, done.stderr
        with zipfile.ZipFile(out) as archive:
            names = set(archive.namelist())
        assert f"{ROOM}/{ROOM}-transcript.docx" in names and "event.json" in names
        assert len(names) == 1 + 5 * len(EVENT.rooms)


async def test_export_of_an_unknown_room_fails_cleanly(
    backend: EmbeddedBackend, session: Session, tmp_path: Path
) -> None:
    out = tmp_path / "nope.md"
    done = workshop(
        "export", "NOPE", "--format", "md", "--out", str(out), "--data-dir", str(backend.data_dir)
    )
    assert done.returncode == 2 and "no room 'NOPE'" in done.stderr
    assert names(tmp_path) == [backend.data_dir.name]  # no file, no temp file
