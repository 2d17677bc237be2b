from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cse_desktop.crypto import KdfParams
from cse_desktop.records import Role
from cse_desktop.services.caseload import Caseload
from cse_desktop.services.casework import Casework
from cse_desktop.services.session import Session, first_run

PASSPHRASE = "correct horse battery"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = first_run(tmp_path / "data", PASSPHRASE, name="Rhiannon Testwood",
                        role=Role.OUTREACH_WORKER, kdf=KdfParams.fast_for_tests())
    yield session
    session.lock()


@pytest.fixture
def work(session: Session) -> Casework:
    return Casework(session)


@pytest.fixture
def caseload(session: Session) -> Caseload:
    return Caseload(session)


@pytest.fixture
def child(work: Casework):  # type: ignore[no-untyped-def]
    return work.add_child({"first_name": "Zoë", "last_name": "Nowak",
                           "date_of_birth": "2011-04-03", "local_reference": "LA-10442"})
