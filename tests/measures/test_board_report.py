"""The signed quarterly board report: figures only, signed, audited, team leads only."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from cse_desktop.crypto import KdfParams
from cse_desktop.records import Role
from cse_desktop.services.documents import verify_pdf
from cse_desktop.services.errors import PermissionDenied
from cse_desktop.services.measures import MeasuresService, Period
from cse_desktop.services.session import Session, first_run
from tests.measures.dataset import TODAY, Built

Q1 = Period.quarter(2026, 1)


@pytest.fixture(scope="module")
def report(lead_session: Session, built: Built) -> bytes:
    return MeasuresService(lead_session).board_report(Q1, today=TODAY)


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def test_report_is_signed_and_unaltered(report: bytes) -> None:
    result = verify_pdf(report)
    assert result.intact and result.is_unaltered, result.message
    assert result.signer_name == "Tess Lead"


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="needs pdfsig (poppler-utils)")
def test_pdfsig_says_valid(report: bytes, tmp_path: Path) -> None:
    path = tmp_path / "board.pdf"
    path.write_bytes(report)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    assert "Signature is Valid" in out.stdout


def test_report_shows_the_figures_and_no_names(report: bytes) -> None:
    text = _text(report)
    assert "Performance report for the partnership board" in text
    assert "Q1 2026" in text
    assert "RHIs offered within 72 hours 4 12 missing episodes 33.3%" in text
    assert "RHIs declined 2 5 interviews 40.0%" in text
    assert "January 2026" in text and "March 2026" in text
    assert "How each measure is counted" in text
    assert "ChildA" not in text and "Synthetic" not in text  # no child is named


def test_printing_is_audited(lead_session: Session, report: bytes) -> None:
    entries = lead_session.store.audit_entries()
    assert any(e.action == "print" and "board report" in e.detail for e in entries)


def test_only_team_leads_print_it(tmp_path: Path) -> None:
    worker = first_run(tmp_path / "w", "a synthetic test passphrase", name="Wyn Worker",
                       role=Role.OUTREACH_WORKER, kdf=KdfParams.fast_for_tests())
    try:
        with pytest.raises(PermissionDenied):
            MeasuresService(worker).board_report(Q1, today=TODAY)
    finally:
        worker.lock()
