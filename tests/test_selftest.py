"""``cse-desktop --self-test``: every step passes, nothing is left behind, failures say so."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cse_desktop import selftest


def test_self_test_passes_and_cleans_up(monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    made: list[Path] = []
    real = selftest._temp_dir

    def tracked() -> Path:
        made.append(real())
        return made[-1]

    monkeypatch.setattr(selftest, "_temp_dir", tracked)
    out = io.StringIO()
    assert selftest.run_self_test(out) == 0
    text = out.getvalue()
    assert "Self-test passed" in text
    for step in ("Create an encrypted store", "Save and sign a record",
                 "Render and sign a PDF", "Verify the PDF signature",
                 "Remove the temporary store"):
        assert f"ok    {step}" in text
    assert made and not made[0].exists()


def test_a_failing_step_gives_1_and_still_cleans_up(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Path] = []
    real = selftest._temp_dir

    def tracked() -> Path:
        made.append(real())
        return made[-1]

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("no PDF today")

    monkeypatch.setattr(selftest, "_temp_dir", tracked)
    monkeypatch.setattr("cse_desktop.services.documents.render_record_pdf", broken)
    out = io.StringIO()
    assert selftest.run_self_test(out) == 1
    text = out.getvalue()
    assert "FAIL  Render and sign a PDF: RuntimeError: no PDF today" in text
    assert "Self-test FAILED" in text
    assert made and not made[0].exists()


def test_the_app_flag_runs_it() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "cse_desktop.app", "--self-test"],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Self-test passed" in result.stdout
