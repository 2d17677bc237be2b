"""Helpers for the PDF tests: read text back, compare wrapped text, run pdfsig."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest


def page_texts(pdf: bytes) -> list[str]:
    """Text of each page, in drawing order (a table cell's lines stay together)."""
    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Whitespace collapsed, so wrapped lines compare equal to the answer typed."""
    return " ".join(text.split())


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdfsig")
    if tool is None:
        pytest.skip("pdfsig (Debian poppler-utils) is not installed; .ci/run installs it")
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    run = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60)
    return run.stdout + run.stderr
