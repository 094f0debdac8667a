"""The dependency rules of the architecture, checked by walking every import (STYLE.md, 9).

- `protocol/` is pure: the standard library, msgpack and `protocol.*`, nothing else, and
  no event loop or socket although those are in the standard library.
- `server/rooms/` (the fold) is an allow-list: `ROOMS_STDLIB`, `protocol`, `pycrdt` and
  `server.rooms` itself. The fold runs the same live, on replay and on snapshot rebuild
  (DESIGN.md §1), so it may use only standard-library modules that compute: no I/O
  (asyncio, selectors, socket, ssl, os, sys, io, pathlib, shutil, tempfile, sqlite3,
  logging, subprocess), no threads (threading, queue, concurrent, multiprocessing), and no
  clock or chance (time, datetime, random, secrets, uuid): a record's time is its `ts`,
  and two processes folding the same log must hold the same state. A new module joins
  the list by a reviewed edit here, with its reason.
- Only the Redis backend (`server/backends/redis*.py`) imports `redis` (STYLE.md, 3).
- Only the HTTP edge (`server/http/`) imports `starlette` (STYLE.md, 4).
- No import circles: none in `protocol/`, none in `server/rooms/`, none among the modules
  of `server/` (issue 11). The graph has one node per module and an edge for every import
  that runs when the module is loaded: at module level, in `if`/`try` blocks and under
  `TYPE_CHECKING` (a type-only circle is still a circle in the design, and it becomes a
  runtime one the day a name is used), but not inside a function, where an import is
  deferred until the call.
"""

from __future__ import annotations

import ast
import fnmatch
import sys
from collections.abc import Iterable, Iterator, Mapping
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("protocol", "server", "client")  # what ships: tests/ and bench/ may use anything

PROTOCOL_ALLOWED = {"msgpack", "protocol"}
IO_STDLIB = {"asyncio", "socket", "ssl", "selectors", "threading", "subprocess", "sqlite3"}

# Standard-library modules that compute and do nothing else (see the module docstring).
ROOMS_STDLIB = frozenset(
    {
        "__future__",
        "abc",
        "bisect",
        "collections",
        "copy",
        "dataclasses",
        "decimal",
        "enum",
        "fractions",
        "functools",
        "hashlib",
        "heapq",
        "itertools",
        "json",
        "math",
        "numbers",
        "operator",
        "re",
        "statistics",
        "string",
        "textwrap",
        "types",
        "typing",
        "unicodedata",
    }
)
ROOMS_THIRD_PARTY = {"protocol", "pycrdt"}

# Which files may import a package that only one layer may touch.
ONLY_IN = {
    "redis": "server/backends/redis*.py",
    "starlette": "server/http/*",
}

Graph = Mapping[str, Iterable[str]]


def python_files(*folders: str) -> list[Path]:
    """Every .py file under the folders (none for a folder that does not exist yet)."""
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    """`server/rooms/fold.py` -> `server.rooms.fold`; a package's `__init__.py` -> the package."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).parent.parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, at any depth."""
    return imports_in(path.read_text(encoding="utf-8"), package_of(path))


def imports_in(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in `source`, a module of `package`."""
    for node in ast.walk(ast.parse(source)):
        for line, module, _ in _targets(node, package):
            yield line, module


def load_time_imports_in(source: str, package: str) -> Iterator[tuple[int, str, str | None]]:
    """(line, module, imported name or None) for the imports that run when `source` loads.

    Everything but the bodies of functions: module level, class bodies, `if` (so also
    `if TYPE_CHECKING:`), `try` and `with` blocks.
    """
    pending: list[ast.AST] = [ast.parse(source)]
    while pending:
        node = pending.pop()
        yield from _targets(node, package)
        pending.extend(
            child
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        )


def _targets(node: ast.AST, package: str) -> Iterator[tuple[int, str, str | None]]:
    """(line, absolute module, name imported from it or None) for one import statement."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield node.lineno, alias.name, None
    elif isinstance(node, ast.ImportFrom):
        if node.level:  # relative: resolve against the module's own package
            parts = package.split(".")
            base = parts[: len(parts) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
        else:
            module = node.module or ""
        for alias in node.names:
            yield node.lineno, module, alias.name


def top(module: str) -> str:
    return module.split(".")[0]


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# -- protocol/ ------------------------------------------------------------------------


def test_protocol_files_exist() -> None:
    names = {path.name for path in python_files("protocol")}
    assert {"__init__.py", "codes.py", "codec.py", "messages.py"} <= names


@pytest.mark.parametrize("path", python_files("protocol"), ids=lambda p: p.name)
def test_protocol_imports_only_stdlib_and_msgpack(path: Path) -> None:
    bad = [
        f"{rel(path)}:{line} imports {module}"
        for line, module in imports(path)
        if top(module) not in sys.stdlib_module_names | PROTOCOL_ALLOWED
    ]
    assert not bad, "\n".join(bad)


def test_protocol_does_no_io() -> None:
    """Pure also means no event loop or socket, although they are in the stdlib."""
    bad = [
        f"{rel(path)}:{line} imports {module}"
        for path in python_files("protocol")
        for line, module in imports(path)
        if top(module) in IO_STDLIB
    ]
    assert not bad, "\n".join(bad)


# -- server/rooms/ --------------------------------------------------------------------


def rooms_may_import(module: str) -> bool:
    """The fold's allow-list: pure stdlib, protocol, pycrdt and the fold itself."""
    return (
        top(module) in ROOMS_STDLIB
        or top(module) in ROOMS_THIRD_PARTY
        or within(module, "server.rooms")
    )


def test_rooms_import_only_the_allow_list() -> None:
    """The fold runs the same live, on replay and on rebuild: no I/O in server/rooms/."""
    bad = [
        f"{rel(path)}:{line} imports {module}"
        for path in python_files("server/rooms")
        for line, module in imports(path)
        if not rooms_may_import(module)
    ]
    assert not bad, "\n".join(bad)


def test_the_rooms_allow_list_is_pure_stdlib() -> None:
    """Guard the guard: every name is a real stdlib module, and none of them does I/O."""
    assert sys.stdlib_module_names >= ROOMS_STDLIB
    assert not ROOMS_STDLIB & (IO_STDLIB | {"os", "sys", "io", "time", "random", "logging"})
    for module in ("asyncio", "os", "time", "server.backends.base", "server.live.room", "redis"):
        assert not rooms_may_import(module), module
    for module in ("collections.abc", "protocol.codes", "pycrdt", "server.rooms.state"):
        assert rooms_may_import(module), module


# -- one layer per third-party package --------------------------------------------------


@pytest.mark.parametrize("package", sorted(ONLY_IN))
def test_only_one_layer_imports(package: str) -> None:
    """`redis` only in the Redis backend, `starlette` only at the HTTP edge."""
    allowed = ONLY_IN[package]
    bad = [
        f"{rel(path)}:{line} imports {module} (only {allowed} may)"
        for path in python_files(*PACKAGES)
        for line, module in imports(path)
        if top(module) == package and not fnmatch.fnmatch(rel(path), allowed)
    ]
    assert not bad, "\n".join(bad)


def test_a_connection_reaches_its_room_only_through_the_live_room() -> None:
    """Issue 11: the path of a command is Connection -> LiveRoom -> backend -> LiveRoom ->
    members, with no step back; the connection imports neither a backend nor the fold."""
    path = ROOT / "server" / "live" / "connection.py"
    bad = [
        f"{rel(path)}:{line} imports {module}"
        for line, module in imports(path)
        if module.startswith(("server.backends", "server.rooms", "redis", "sqlite3"))
    ]
    assert not bad, "\n".join(bad)


# -- import circles -------------------------------------------------------------------


def import_graph(paths: Iterable[Path]) -> dict[str, dict[str, str]]:
    """module -> {imported module of ours -> "file:line"} for the load-time imports.

    `from a.b import c` is an edge to `a.b.c` when that is a module of ours, else to `a.b`;
    an import of `a.b.c` is an edge to `a.b.c` only, not to the packages above it (every
    package would otherwise be in a circle with the submodules its `__init__` re-exports).
    """
    sources = {module_name(path): path for path in paths}
    graph: dict[str, dict[str, str]] = {module: {} for module in sources}
    for module, path in sources.items():
        found = load_time_imports_in(path.read_text(encoding="utf-8"), package_of(path))
        for line, target, name in found:
            if name is not None and f"{target}.{name}" in sources:
                target = f"{target}.{name}"
            if target in sources and target != module:
                graph[module].setdefault(target, f"{rel(path)}:{line}")
    return graph


def find_cycles(graph: Graph, limit: int = 200) -> list[list[str]]:
    """Every elementary cycle of `graph` (at most `limit`), each starting at its least node.

    For each start node in order, a depth-first search for simple paths back to it through
    greater nodes only, so each cycle is found once, from its least node.
    """
    nodes = sorted(set(graph) | {n for targets in graph.values() for n in targets})
    cycles: list[list[str]] = []
    for start in nodes:
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack and len(cycles) < limit:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ()), reverse=True):
                if nxt == start:
                    cycles.append(path)
                elif nxt > start and nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    return cycles


def describe(cycle: list[str], graph: Mapping[str, Mapping[str, str]]) -> str:
    """`a -> b -> a`, then where each edge of it is imported."""
    ring = [*cycle, cycle[0]]
    edges = [f"    {a} -> {b} at {graph[a][b]}" for a, b in pairwise(ring)]
    return "\n".join([" -> ".join(ring), *edges])


@pytest.mark.parametrize(
    "scope",
    ["protocol", "server.rooms", "server"],
)
def test_no_import_circles(scope: str) -> None:
    """No module of `scope` is in a circle of imports with other modules of it."""
    graph = import_graph(python_files("protocol", "server"))
    cycles = [c for c in find_cycles(graph) if all(within(m, scope) for m in c)]
    assert not cycles, f"{len(cycles)} import circle(s):\n" + "\n".join(
        describe(c, graph) for c in cycles
    )


# -- guarding the guards --------------------------------------------------------------


def test_the_walk_sees_every_kind_of_import() -> None:
    """Plain, from, nested and relative imports are all seen."""
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


def test_load_time_imports_skip_function_bodies_only() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from server.rooms.state import RoomState\n"
        "try:\n    import server.a\nexcept ImportError:\n    pass\n"
        "class C:\n    from . import b\n"
        "def f():\n    import server.late\n"
        "async def g():\n    from server import later\n"
    )
    found = {(m, n) for _, m, n in load_time_imports_in(source, "server.rooms")}
    assert found == {
        ("typing", "TYPE_CHECKING"),
        ("server.rooms.state", "RoomState"),
        ("server.a", None),
        ("server.rooms", "b"),
    }


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    # Two circles through one node are two circles.
    assert find_cycles({"a": {"b", "c"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"], ["a", "c"]]


def test_the_cycle_finder_finds_none_in_an_acyclic_graph() -> None:
    graph = {"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set(), "e": {"a", "d"}}
    assert find_cycles(graph) == []


def test_the_graph_resolves_submodules_and_reports_where() -> None:
    """`from pkg import sub` is an edge to the submodule; the report names file and line."""
    graph = import_graph(python_files("server/rooms"))
    assert "server.rooms.fold" in graph["server.rooms"]  # from server.rooms.fold import apply
    targets = {target for edges in graph.values() for target in edges}
    assert targets <= set(graph)  # only modules of ours: no stdlib, pycrdt or protocol here
    ring = {"x": {"y": "x.py:3"}, "y": {"x": "y.py:7"}}
    assert describe(["x", "y"], ring) == "x -> y -> x\n    x -> y at x.py:3\n    y -> x at y.py:7"
