"""What a transcript export of a big room costs: time and peak Python memory per format.

    .venv/bin/python -m bench.export_cost [--events 100000] [--formats json,csv,md,html,docx]

Builds a synthetic room in a temporary embedded data dir (200 participants from four
organisations, 50 questions in Japanese, Mongolian and English, then votes, un-votes and
a moderator's answer every 100 events), appended through the backend in batches so the
group commit takes them. Then, per format, it exports the room twice: once for the wall
time, once under `tracemalloc` for the peak (tracemalloc slows Python down, so the two
are not measured together). `build_room` is also what the bounded-memory test uses.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server.backends.base import Backend, EventInfo, RoomInfo
from server.backends.embedded import EmbeddedBackend
from server.transcripts.export import room_chunks, session_record

ORGS = ("Sendai City", "Ulaanbaatar City", "UNDRR", "Tohoku University")
TEXTS = {
    "ja": "避難所の運営について質問 {n}: 冬の停電時はどうしますか？",
    "mn": "Асуулт {n}: өвлийн цахилгаан тасалдалд яах вэ?",
    "en": "Question {n}: how do shelters run through a winter power cut?",
}
MOD = {"pid": "m0d0000000000000", "name": "Mia", "org": "UNDRR", "roles": ["moderator"]}


def person(i: int) -> dict[str, Any]:
    return {"pid": f"{i:016x}", "name": f"P{i}", "org": ORGS[i % len(ORGS)], "roles": []}


def records(events: int, participants: int = 200, questions: int = 50, seed: int = 6) -> Any:
    """(type, data, actor) of a synthetic room's log, `events` long."""
    rnd = random.Random(seed)
    langs = list(TEXTS)
    for n in range(min(questions, events)):
        lang = langs[n % 3]
        data = {"text": TEXTS[lang].format(n=n), "lang": lang, "anon": n % 5 == 0}
        yield "ask", data, person(n % participants)
    for n in range(questions, events):
        qid = f"q{rnd.randrange(questions) + 1}"
        if n % 100 == 0:
            yield "answer", {"qid": qid, "text": f"回答 / хариулт / answer {n}"}, MOD
        else:
            up = rnd.random() < 0.7
            yield "vote", {"qid": qid, "up": up}, person(rnd.randrange(participants))


async def build_room(backend: Backend, room: str, events: int, batch: int = 2000) -> None:
    """A new event with one room holding a synthetic log of `events` records."""
    event_id = f"bench{room.lower()}"[:12]
    info = EventInfo(
        event_id, "Benchmark", ("Asia/Tokyo", "Asia/Ulaanbaatar"), ("en", "ja", "mn"),
        (RoomInfo(room, f"Synthetic room of {events} events", event_id),), time.time(),
    )  # fmt: skip
    await backend.create_event(info)
    pending = []
    for type_, data, actor in records(events):
        pending.append(backend.append(room, type_, data, actor, None))
        if len(pending) >= batch:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)


Sink = Callable[[bytes], None]


async def export_size(backend: Backend, room: str, fmt: str, sink: Sink | None = None) -> int:
    """Export the room, keeping nothing but the byte count (each chunk goes to `sink`)."""
    size = 0
    record = await session_record(backend, room)
    async for chunk in room_chunks(backend, record, fmt):
        size += len(chunk)
        if sink is not None:
            sink(chunk)
    return size


async def peak_of(
    backend: Backend, room: str, fmt: str, sink: Sink | None = None
) -> tuple[int, int]:
    """(bytes produced, peak bytes allocated by Python during the export)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        size = await export_size(backend, room, fmt, sink)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return size, peak


async def main(events: int, formats: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with EmbeddedBackend(Path(tmp), synchronous="NORMAL") as backend:
            started = time.perf_counter()
            await build_room(backend, "BIG", events)
            built = time.perf_counter() - started
            print(
                f"{events} events appended in {built:.1f} s (Python {platform.python_version()},"
                f" {os.cpu_count()} CPUs)"
            )
            print("| format | output | wall time | CPU time | peak Python memory |")
            print("|---|---:|---:|---:|---:|")
            for fmt in formats:
                started, cpu = time.perf_counter(), time.process_time()
                size = await export_size(backend, "BIG", fmt)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                _, peak = await peak_of(backend, "BIG", fmt)
                print(
                    f"| {fmt} | {_size(size)} | {seconds:.1f} s | {cpu:.1f} s"
                    f" | {peak / 2**20:.1f} MiB |"
                )


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--formats", default="json,csv,md,html,docx")
    args = parser.parse_args()
    asyncio.run(main(args.events, args.formats.split(",")))
