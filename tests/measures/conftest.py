from __future__ import annotations

from collections.abc import Iterator

import pytest

from cse_desktop.crypto import KdfParams
from cse_desktop.records import Role
from cse_desktop.services.session import Session, first_run
from tests.measures.dataset import Built, build

PASSPHRASE = "a synthetic test passphrase"


@pytest.fixture(scope="module")
def lead_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    session = first_run(tmp_path_factory.mktemp("measures") / "store", PASSPHRASE,
                        name="Tess Lead", role=Role.TEAM_LEAD, kdf=KdfParams.fast_for_tests())
    yield session
    if session.store.is_open:
        session.lock()


@pytest.fixture(scope="module")
def built(lead_session: Session) -> Built:
    return build(lead_session, PASSPHRASE)
