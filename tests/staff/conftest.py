"""The staff desk's tests run on every backend: the contract suite's fixtures."""

from tests.backends.conftest import backend, kit, redis_cluster, redis_server

__all__ = ["backend", "kit", "redis_cluster", "redis_server"]
