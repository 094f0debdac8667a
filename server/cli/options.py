"""The command line's options: every field of `Settings` as a flag, and back.

Shared by `workshop serve` and the other sub-commands (`server.cli.main`,
`server.cli.transcripts`), so that each flag is spelled in one place.
"""

from __future__ import annotations

import argparse
from dataclasses import fields

from server.settings import Settings, env_name, from_sources

SHARED = ("data_dir", "redis_url", "public_url")
"""The settings every sub-command that opens a backend takes."""


def add_settings(parser: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """Add a flag per setting (all of them, or only `names`), each naming its env variable."""
    defaults = Settings()
    for f in fields(Settings):
        if f.name == "extra" or (names is not None and f.name not in names):
            continue
        default = getattr(defaults, f.name)
        flag = "--" + f.name.replace("_", "-")
        shown = ",".join(default) if isinstance(default, tuple) else default
        parser.add_argument(
            flag,
            dest=f.name,
            default=None,
            help=f"(env {env_name(f.name)}; default {shown!s})",
        )


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings from parsed flags, over the environment and the defaults."""
    flags = {k: v for k, v in vars(args).items() if v is not None}
    if getattr(args, "base_url", None):
        flags["public_url"] = args.base_url
    return from_sources(flags)
