"""Fixtures of the integration tests (the `workshop` fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Workshop, running, start_workshop


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    """One default server for a whole module, for tests that change no room state."""
    yield from running(start_workshop(tmp_path_factory.mktemp("shared")))
