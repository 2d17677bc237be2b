"""The entry point and the DEMO store."""

from __future__ import annotations

import pytest

from cse_desktop import __version__
from cse_desktop.app import build_parser, demo_unlock_hint, main, prepare_demo_store
from cse_desktop.paths import data_dir
from cse_desktop.records import RecordState, RecordType
from cse_desktop.services.caseload import Caseload, RhiState
from cse_desktop.services.demo_data import DEMO_PASSPHRASE, load_demo_caseload
from cse_desktop.services.errors import ServiceError
from cse_desktop.services.session import store_exists, unlock
from cse_desktop.ui.app_window import AppOptions, AppWindow

from .conftest import unlock_through_ui, wait_for_caseload


def test_version_and_options(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert __version__ in capsys.readouterr().out
    args = build_parser().parse_args(["--demo", "--data-dir", "/tmp/x", "--idle-minutes", "2"])
    assert (args.demo, args.data_dir, args.idle_minutes) == (True, "/tmp/x", 2.0)


def test_verify_is_routed_to_the_pdf_checker(tmp_path, capsys):
    missing = tmp_path / "nothing.pdf"
    assert main(["verify", str(missing)]) != 0
    assert "nothing.pdf" in capsys.readouterr().out + capsys.readouterr().err


def test_demo_store_is_separate_and_full_of_made_up_children(qtbot, tmp_path):
    directory = data_dir(tmp_path, demo=True)
    assert directory == tmp_path / "demo"
    prepare_demo_store(directory)
    assert store_exists(directory) and not store_exists(tmp_path)

    session = unlock(directory, DEMO_PASSPHRASE)
    try:
        assert session.is_demo
        rows = Caseload(session).rows()
        assert len(rows) == 40
        assert {r.rhi_state for r in rows} >= {RhiState.DUE, RhiState.OVERDUE}
        assert any(r.has_draft for r in rows) and not all(r.has_draft for r in rows)
        assert sum(r.risk_level is not None for r in rows) >= 35
        notes = session.store.records(record_type=RecordType.CASE_NOTE)
        assert any(n.state is RecordState.SIGNED for n in notes)
    finally:
        session.lock()

    window = AppWindow(AppOptions(data_dir=directory, demo=True, unlock_hint=demo_unlock_hint()))
    qtbot.addWidget(window)
    window.show()
    assert window.demo_bar.isVisible()
    assert "DEMO" in window.windowTitle()
    assert DEMO_PASSPHRASE in window.unlock_page.demo_hint.text()
    unlock_through_ui(qtbot, window, DEMO_PASSPHRASE)
    wait_for_caseload(qtbot, window)
    assert window.counts.text().startswith("40 children")
    window.lock()


def test_team_lead_demo_has_its_own_store_and_the_team_screens(qtbot, tmp_path):
    """`make run DEMO=1 ROLE=team_lead`: a separate DEMO store whose practitioner is a team
    lead, so the measures and case summaries can be tried without real data."""
    args = build_parser().parse_args(["--demo-role", "team_lead"])
    assert args.demo_role == "team_lead"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--demo-role", "chief_executive"])
    directory = data_dir(tmp_path, demo=True, demo_role="team_lead")
    assert directory == tmp_path / "demo-team_lead" != data_dir(tmp_path, demo=True)
    prepare_demo_store(directory, "team_lead")
    session = unlock(directory, DEMO_PASSPHRASE)
    try:
        assert session.is_demo and session.actor.is_team_lead
        assert len(Caseload(session).rows()) == 40
    finally:
        session.lock()
    window = AppWindow(AppOptions(data_dir=directory, demo=True, unlock_hint=demo_unlock_hint()))
    qtbot.addWidget(window)
    window.show()
    unlock_through_ui(qtbot, window, DEMO_PASSPHRASE)
    wait_for_caseload(qtbot, window)
    assert window.demo_bar.isVisible()
    assert any(action.text().replace("&", "") == "Team"
               for action in window.menuBar().actions())
    window.lock()


def test_synthetic_children_never_go_into_a_real_store(existing_store):
    session = existing_store()
    with pytest.raises(ServiceError, match="DEMO"):
        load_demo_caseload(session, 2)
    session.lock()
