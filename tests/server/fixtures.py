"""Fixtures for tests that need a running central service (server, sync, measures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.harness import Service, backends, drop_stale_postgres_schemas, running_service


@pytest.fixture(scope="session", autouse=True)
def _clean_postgres() -> None:
    drop_stale_postgres_schemas()


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def service(tmp_path: Path, backend: str) -> Iterator[Service]:
    yield from running_service(tmp_path, backend)


@pytest.fixture(scope="module", params=backends())
def shared_service(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One server for a whole module (tests create their own users and children)."""
    yield from running_service(tmp_path_factory.mktemp("svc"), str(request.param))
