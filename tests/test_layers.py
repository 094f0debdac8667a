"""The dependency rules of the architecture, checked by walking every import (STYLE.md, 9).

- `protocol/` is pure: the standard library, msgpack and `protocol.*`, nothing else.
- `server/rooms/` (the fold) does no I/O: no event loop, web framework, database or socket.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROTOCOL_ALLOWED = {"msgpack", "protocol"}
ROOMS_FORBIDDEN = {"asyncio", "starlette", "redis", "sqlite3", "websockets", "uvicorn"}


def python_files(folder: str) -> list[Path]:
    """Every .py file under `folder` (none when it does not exist yet)."""
    return sorted((ROOT / folder).rglob("*.py"))


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, at any depth."""
    package = ".".join(path.relative_to(ROOT).parent.parts)
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in `source`, a module of `package`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            else:
                yield node.lineno, node.module or ""


def top(module: str) -> str:
    return module.split(".")[0]


def test_protocol_files_exist() -> None:
    names = {path.name for path in python_files("protocol")}
    assert {"__init__.py", "codes.py", "codec.py", "messages.py"} <= names


@pytest.mark.parametrize("path", python_files("protocol"), ids=lambda p: p.name)
def test_protocol_imports_only_stdlib_and_msgpack(path: Path) -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in imports(path)
        if top(module) not in sys.stdlib_module_names | PROTOCOL_ALLOWED
    ]
    assert not bad, "\n".join(bad)


def test_protocol_does_no_io() -> None:
    """Pure also means no event loop or socket, although they are in the stdlib."""
    io = {"asyncio", "socket", "ssl", "selectors", "threading", "subprocess", "sqlite3"}
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in python_files("protocol")
        for line, module in imports(path)
        if top(module) in io
    ]
    assert not bad, "\n".join(bad)


def test_rooms_import_no_io() -> None:
    """The fold runs the same live, on replay and on rebuild: no I/O in server/rooms/.

    The folder may not exist yet; the check then covers zero files and still passes.
    """
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in python_files("server/rooms")
        for line, module in imports(path)
        if top(module) in ROOMS_FORBIDDEN
    ]
    assert not bad, "\n".join(bad)


def test_the_walk_sees_every_kind_of_import() -> None:
    """Guard the guard: plain, from, nested and relative imports are all seen."""
    source = (
        "import os, json as j\n"
        "from msgpack import packb\n"
        "def f():\n    import asyncio\n"
        "from .codes import ErrorCode\n"
        "from . import codec\n"
        "from ..server import app\n"
        "if True:\n    from redis import Redis\n"
    )
    found = {module for _, module in imports_in(source, "protocol")}
    expected = {"os", "json", "msgpack", "asyncio", "protocol.codes", "protocol", "server", "redis"}
    assert found == expected
