"""Fixtures for the form widget tests: a real encrypted store with a child and an episode."""

from __future__ import annotations

import os

# Offscreen, on a screen the size of a council laptop's (1366x768), so windows that would
# not fit one are caught here.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = ("offscreen:configfile="
                                     + os.path.join(os.path.dirname(__file__), "..", "ui",
                                                    "laptop_screen.json"))

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.records import Record, Role
from cse_desktop.services.casework import Casework
from cse_desktop.services.session import Session, first_run
from cse_desktop.ui.forms.timefmt import utc_iso

PASSPHRASE = "passphrase-123"
PRACTITIONER = "Sam Okafor"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = first_run(tmp_path / "store", PASSPHRASE, name=PRACTITIONER,
                        role=Role.OUTREACH_WORKER, kdf=KdfParams.fast_for_tests())
    yield session
    session.lock()


@pytest.fixture
def casework(session: Session) -> Casework:
    return Casework(session)


@pytest.fixture
def child(casework: Casework) -> Record:
    return casework.add_child({"first_name": "Zoë", "last_name": "Nowak",
                               "date_of_birth": "2011-05-14"})


@pytest.fixture
def episode(casework: Casework, child: Record) -> Record:
    now = SYSTEM_CLOCK.now().replace(microsecond=0)
    return casework.record_episode(child.id, {
        "missing_or_absent": "missing",
        "went_missing_at": utc_iso(now - timedelta(hours=60)),
        "returned_at": utc_iso(now - timedelta(hours=41)),
        "reported_by": "police",
        "where_found": "Bus station",
    })


@pytest.fixture
def rhi(casework: Casework, episode: Record) -> Record:
    return casework.start_return_interview(episode.id)


@pytest.fixture
def checklist(casework: Casework, child: Record) -> Record:
    return casework.start_draft("warning_signs", child.id)


@pytest.fixture
def make_view(qtbot: Any, casework: Casework) -> Iterator[Callable[..., Any]]:
    """Build FormViews that are shut down (saves finished) before the store is locked."""
    from cse_desktop.ui.forms import FormView

    views: list[Any] = []

    def make(record: Record, **kwargs: Any) -> FormView:
        view = FormView(casework, record, **kwargs)
        qtbot.addWidget(view)
        view.resize(1200, 800)
        view.show()
        views.append(view)
        return view

    yield make
    for view in views:
        view.shutdown()
