"""Central-service fixtures, shared with the sync tests (see tests/server/fixtures.py)."""

from tests.server.fixtures import _clean_postgres, backend, service, shared_service

__all__ = ["_clean_postgres", "backend", "service", "shared_service"]
