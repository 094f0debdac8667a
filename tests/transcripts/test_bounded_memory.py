"""A 100,000-event room exports in bounded memory (issue 6): the exporters stream the log
through the fold a batch at a time, so their peak does not grow with the log.

The peak is Python's own (`tracemalloc`, which traces every thread, the backend's reader
included), measured for a 10,000-event room and a 100,000-event room with the same
people and questions: a log held whole would make the second peak ~10× the first and
larger than the JSON it becomes. No timing is asserted (bench/export_cost.py measures it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.export_cost import build_room, peak_of
from server.backends.embedded import EmbeddedBackend

MiB = 2**20


@pytest.mark.timeout(300)
async def test_json_and_csv_exports_of_a_100k_room_stay_small(tmp_path: Path) -> None:
    async with EmbeddedBackend(tmp_path / "data", synchronous="NORMAL") as backend:
        await build_room(backend, "SMALL", 10_000)
        await build_room(backend, "BIG", 100_000)
        assert (await backend.head("BIG")).seq == 100_000
        entries = Entries()
        for fmt in ("json", "csv"):
            _, small_peak = await peak_of(backend, "SMALL", fmt)
            sink = entries.see if fmt == "json" else None
            size, big_peak = await peak_of(backend, "BIG", fmt, sink)
            assert big_peak < 1.5 * small_peak + 1 * MiB, (fmt, small_peak, big_peak)
            assert big_peak < 16 * MiB, (fmt, big_peak)
            if fmt == "json":
                assert size > 10 * MiB  # the log is big...
                assert big_peak < size / 4  # ...and the exporter never held it
    # The export is the complete log, still: 100,000 entries, the last one seq 100,000.
    assert entries.count == 100_000 and entries.last == 100_000


class Entries:
    """Counts JSON entries as chunks pass (a chunk always ends at the end of an entry)."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0

    def see(self, chunk: bytes) -> None:
        self.count += chunk.count(b'\n{"seq":')
        at = chunk.rfind(b'\n{"seq":')
        if at >= 0:
            self.last = int(chunk[at + 8 : chunk.index(b",", at)])
