"""bench/command_split.py charges each py-spy stack to one step of a command's path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.command_split import split, step_of

ROOT = "_run_module_as_main (<frozen runpy>:198);main (server/cli/main.py:300)"


@pytest.mark.parametrize(
    ("leaf", "step"),
    [
        ("decode (protocol/codec.py:40)", "decode"),
        ("fold (server/rooms/questions.py:99)", "fold"),
        ("_append (server/backends/sqlite_writer.py:245)", "append"),
        ("dump (server/live/outcomes.py:76)", "reply"),
        ("send (server/live/fanout.py:57)", "fan-out"),
        ("data_received (uvicorn/protocols/websockets/websockets_sansio_impl.py:199)",
         "WebSocket transport"),
        ("select (selectors.py:468)", "event loop, other"),
    ],
)  # fmt: skip
def test_the_innermost_frame_of_ours_decides(leaf: str, step: str) -> None:
    assert step_of(f"{ROOT};{leaf}".split(";")) == step


def test_a_library_under_our_code_is_charged_to_our_step() -> None:
    stack = f"{ROOT};encode_for_audiences (server/live/fanout.py:57);packb (msgpack/__init__.py:30)"
    assert step_of(stack.split(";")) == "fan-out"


def test_shares_add_up(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks.txt"
    stacks.write_text(
        f"{ROOT};decode (protocol/codec.py:40) 3\n{ROOT};fold (server/rooms/polls.py:1) 1\n"
    )
    assert split(stacks) == {"decode": 0.75, "fold": 0.25}
