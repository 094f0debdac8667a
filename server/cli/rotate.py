"""`workshop rotate-secret`: a new signing secret, the old one accepted for an overlap
window (issue 15; server/secret_rotation.py; docs/protocol.md "Rotating the secret").

    workshop rotate-secret [--overlap-hours H] [--data-dir DIR | --redis-url URL]

Embedded: the data dir's secret is replaced and the old one listed as retired until the
window ends; restart the server, then hand out the new staff links it prints. Redis: the
secret is the processes' WORKSHOP_SECRET, which this command cannot change in them: it
prints the two values to set on every process before restarting them one by one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from server.backends.select import SECRET_ENV, make_backend, redis_secret
from server.cli.options import SHARED, add_settings, settings_from
from server.secret_rotation import (
    RETIRED_ENV,
    Retired,
    format_env,
    new_shared_secret,
    parse_env,
    rotate_files,
)
from server.staff.keys import StaffKeys


def add_rotate_command(sub: Any) -> None:
    rotate = sub.add_parser("rotate-secret", help="replace the signing secret (after a leak)")
    rotate.add_argument(
        "--overlap-hours",
        type=float,
        default=24.0,
        help="hours the old secret's links and sessions keep working (default 24; 0 ends them)",
    )
    rotate.add_argument("--base-url", help="base URL for the printed links")
    add_settings(rotate, SHARED)
    rotate.set_defaults(func=cmd_rotate)


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def cmd_rotate(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.overlap_hours < 0:
        print("error: --overlap-hours cannot be negative", file=sys.stderr)
        return 2
    overlap, now = args.overlap_hours * 3600.0, time.time()
    if settings.redis_url:
        old = redis_secret()
        kept = [r for r in parse_env(os.environ.get(RETIRED_ENV, "")) if r.until > now]
        listed = [*kept, Retired(old, now + overlap)]
        print("Set these on every server process, then restart them one by one:")
        print(f"  {SECRET_ENV}={new_shared_secret()}")
        print(f"  {RETIRED_ENV}={format_env(listed)}")
        print(f"The old secret is accepted until {_when(now + overlap)}.")
        print("Then print the new staff links with `workshop links` (with the new secret).")
        return 0
    secret_file = settings.data_dir / "secret"
    if not secret_file.exists():
        print(f"error: no secret in {settings.data_dir} (has a server run there?)", file=sys.stderr)
        return 2
    retired = rotate_files(settings.data_dir, overlap, now)
    print(f"New secret in {secret_file}; the old one is accepted until {_when(retired.until)}.")
    print("Restart the server. Participants stay who they are; staff need the new links:")
    from server.cli.main import _all_links, print_links

    async def links() -> list[dict[str, Any]]:
        backend = make_backend(settings)
        await backend.start()
        try:
            keys = StaffKeys(await backend.get_secret())
            return await _all_links(backend, keys, args.base_url or settings.base_url)
        finally:
            await backend.close()

    for shown in asyncio.run(links()):
        print_links(shown)
    return 0
