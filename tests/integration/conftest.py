"""Fixtures of the integration tests (the `workshop` fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Workshop, start_workshop

from .helpers import LIFTED


@pytest.fixture
def lifted(tmp_path: Path) -> Iterator[Workshop]:
    """A fresh server whose rate limits do not get in the way of many commands."""
    w = start_workshop(tmp_path, *LIFTED)
    try:
        yield w
    finally:
        w.server.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    """One default server for a whole module, for tests that change no room state."""
    w = start_workshop(tmp_path_factory.mktemp("shared"))
    try:
        yield w
    finally:
        w.server.stop()
