"""Start-up stays light: the unlock screen is shown before the PDF, signing and sync
libraries are imported (they cost most of a second on an old laptop; issue 15's cold start).
They are imported when a document is made or a sync starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("reportlab", "pyhanko", "pyhanko_certvalidator", "aiohttp", "httpx", "pypdf",
         "pypdfium2", "cse_desktop.pdf.signing", "cse_desktop.pdf.record_pdf")

SCRIPT = """
import json, sys
from cse_desktop.ui.app_window import AppOptions, AppWindow  # what the app starts with
from cse_desktop.services import session
print(json.dumps(sorted(name for name in sys.modules)))
"""


def test_the_unlock_screen_does_not_import_pdf_signing_or_sync_libraries() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         env=env, cwd=ROOT, check=True, timeout=120).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    assert not {name for name in HEAVY if name in loaded}
