"""The central service installs without Qt, and the app without the server libraries.

Each program is imported in a fresh Python process in which the other extra's libraries (read
from pyproject.toml) cannot be imported, the way a ``pip install ".[server]"`` or
``".[desktop]"`` would leave them.  packaging/check_split_installs.sh does the same with real
virtual environments in CI; this test catches a stray import in ``make test``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Distribution names whose import name is not the name in lower case with "_" for "-".
IMPORT_NAMES = {"pyside6-essentials": ("PySide6", "shiboken6")}

# Run first in the child process: any import of a blocked top-level package fails, whoever asks.
BLOCKER = textwrap.dedent("""
    import sys

    class Blocked:
        def __init__(self, names):
            self.names = frozenset(names)

        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in self.names:
                raise ImportError(f"{name} is not installed with this extra (blocked)")
            return None

    sys.meta_path.insert(0, Blocked(sys.argv.pop(1).split(",")))
""")


def _import_names(requirement: str) -> tuple[str, ...]:
    name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()
    return IMPORT_NAMES.get(name, (name.replace("-", "_"),))


def _extras() -> dict[str, set[str]]:
    """What each extra adds to the base, as import names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = {n for r in project["dependencies"] for n in _import_names(r)}
    extras = project["optional-dependencies"]
    return {extra: {n for r in extras[extra] for n in _import_names(r)} - base
            for extra in ("desktop", "server")}


def _missing_with(extra: str) -> set[str]:
    """The libraries an install of only ``extra`` does not have (the other extra's own)."""
    extras = _extras()
    other = "server" if extra == "desktop" else "desktop"
    return extras[other] - extras[extra]


def _run(blocked: set[str], code: str, *args: str) -> subprocess.CompletedProcess[str]:
    script = BLOCKER + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script, ",".join(sorted(blocked)), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def test_each_extra_leaves_out_the_other_programs_libraries() -> None:
    assert {"PySide6", "sqlcipher3", "reportlab", "pyhanko", "httpx"} <= _missing_with("server")
    assert {"fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg"} <= _missing_with("desktop")


def test_the_central_service_imports_without_the_desktop_libraries() -> None:
    result = _run(_missing_with("server"), """
        import contextlib, io, pkgutil, importlib
        import cse_desktop.server as server
        names = [m.name for m in pkgutil.walk_packages(server.__path__, "cse_desktop.server.")
                 if ".migrations" not in m.name and not m.name.endswith("__main__")]
        for name in names:
            importlib.import_module(name)
        from cse_desktop.server.api import create_app
        from cse_desktop.server.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                main(["--help"])
            except SystemExit as stop:
                assert stop.code == 0, stop.code
        assert "serve" in out.getvalue()
        loaded = sorted({m.split(".")[1] for m in sys.modules
                         if m.startswith("cse_desktop.") and m.count(".") >= 1})
        print(len(names), "modules;", "cse_desktop packages loaded:", " ".join(loaded))
    """)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split(":")[-1].split())
    assert "server" in loaded
    # The shared floor only: nothing of the app's own layers.
    assert not loaded & {"ui", "services", "store", "sync", "crypto", "pdf"}, result.stdout


def test_a_blocked_library_really_cannot_be_imported() -> None:
    """The blocker works (else the other tests would prove nothing)."""
    result = _run({"PySide6"}, "import PySide6.QtCore")
    assert result.returncode != 0
    assert "blocked" in result.stderr


def test_the_app_imports_and_starts_without_the_server_libraries() -> None:
    result = _run(_missing_with("desktop"), """
        import importlib, pkgutil, subprocess
        import cse_desktop
        names = [m.name for m in pkgutil.walk_packages(cse_desktop.__path__, "cse_desktop.")
                 if not m.name.startswith("cse_desktop.server")
                 and not m.name.endswith("__main__")]
        for name in names:
            importlib.import_module(name)
        from cse_desktop.app import main
        from cse_desktop.sync.client import SyncClient
        try:
            main(["--version"])
        except SystemExit as stop:
            assert stop.code == 0, stop.code
        print(len(names), "modules")
    """)
    assert result.returncode == 0, result.stderr
    assert "cse-desktop " in result.stdout


def test_the_app_self_test_passes_without_the_server_libraries() -> None:
    """The app's own check (encrypted store, signed PDF, a Qt window) needs no server library."""
    result = _run(_missing_with("desktop"), """
        from cse_desktop.app import main
        sys.exit(main(["--self-test"]))
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Self-test passed" in result.stdout
