"""What the peak scenarios of issue 17 share: the backends to run, an event with many rooms,
and the loud failure when a run's own correctness check does not hold."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.context import Context, redis_available
from bench.procs import Server, create_event, redis_server, workshop_server


class Incorrect(AssertionError):
    """A scenario lost, duplicated or miscounted something: its numbers mean nothing."""


def check(scenario: str, wrong: list[str]) -> None:
    """Fail the scenario, naming every broken property, when `wrong` is not empty."""
    if wrong:
        raise Incorrect(f"{scenario}: correctness check failed:\n  " + "\n  ".join(wrong))


def gap_evidence(r: dict[str, Any]) -> str:
    """The first gaps the members saw ([last applied, seq received, when]), for a report;
    and the snapshots they got outside a join ([last applied, seq, epoch, when]: the
    server moved the room to a new log life, which skips seqs for every member)."""
    if not r.get("gaps") and not r.get("resnapshots"):
        return ""
    out = f"; {r.get('members_with_gaps')} members saw gaps, e.g. {r.get('gap_examples', [])[:3]}"
    if r.get("resnapshots"):
        out += (
            f"; {r['resnapshots']} snapshots outside a join (a new log epoch), e.g. "
            f"{r.get('resnapshot_examples', [])[:2]}"
        )
    return out


def backends(ctx: Context) -> list[str]:
    """`embedded`, and `redis` when it can run here (else a note says why not)."""
    why = redis_available()
    if why:
        ctx.notes.append(f"Redis skipped: {why}")
        return ["embedded"]
    return ["embedded", "redis"]


def room_codes(count: int) -> list[str]:
    return [f"R{i:03d}" for i in range(count)]


def rooms_event(folder: Path, count: int) -> Path:
    """An event file with `count` rooms, R000, R001, ..."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ['title = "Peak scenarios"', 'timezones = ["Asia/Tokyo"]', 'languages = ["en"]']
    for code in room_codes(count):
        lines += ["", "[[rooms]]", f'code = "{code}"', f'title = "Room {code}"']
    path = folder / "rooms.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@contextlib.contextmanager
def rooms_server(
    ctx: Context, folder_name: str, rooms: int, *extra: str, redis: bool = False
) -> Iterator[tuple[Server, str, str]]:
    """A started workshop server whose event has `rooms` rooms; yields the server, its
    moderator key and the Redis URL ('' on the embedded backend)."""
    folder = ctx.folder(folder_name)
    event = rooms_event(folder, rooms)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(redis_server(folder / "redis")) if redis else ""
        links = create_event(folder, redis_url=url, event_file=event)
        server = stack.enter_context(workshop_server(folder, ctx.pin, *extra, redis_url=url))
        yield server, links["moderator_key"], url
