"""The layers of cse_desktop, checked from the source (docs/architecture.md).

An AST scan of every module in ``cse_desktop/``: each ``import`` and ``from … import`` is
found wherever it is written (top of the file, inside a function, under TYPE_CHECKING), and so
is a module named as a string (``optional_module("cse_desktop.ui.pdf_dialogs")``).  The rules:

1. Only ``cse_desktop/ui`` imports PySide6 or ``cse_desktop.ui``; the entry points
   (``app.py``, the program, and ``selftest.py``, which ``cse-desktop --self-test`` runs and
   which starts Qt to prove it loads) may too.
2. ``pdf`` and ``server`` do not import ``services`` or ``ui``.
3. ``domain`` imports nothing of cse_desktop but ``forms``, ``records`` and ``clock``.
4. ``server`` does not import ``store``, ``sync``, ``crypto``, ``ui``, ``services`` or
   ``pdf``: it stands on ``domain``, ``forms``, ``records`` and ``clock``.
5. ``ui`` does not import ``store``, ``crypto`` or ``sync``, nor sqlite3, sqlcipher3,
   SQLAlchemy, httpx or FastAPI: it goes through ``services``.  The shortcuts it takes today
   are listed in KNOWN_UI_SHORTCUTS; the list may only shrink.
6. No cycles between the top-level packages of cse_desktop.

``make lint`` runs this file.  The checker is tried on small made-up trees below, so each rule
is known to be able to fail.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "cse_desktop"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE

# The programs' entry points: they put the application together, so they may import the UI.
ENTRY_POINTS = frozenset({"app", "selftest"})
DOMAIN_MAY_IMPORT = frozenset({"domain", "forms", "records", "clock"})
SERVER_MUST_NOT_IMPORT = frozenset({"store", "sync", "crypto", "ui", "services", "pdf"})
BELOW_SERVICES_MUST_NOT_IMPORT = frozenset({"services", "ui"})  # for pdf and server
UI_MUST_NOT_IMPORT = frozenset({"store", "crypto", "sync"})
UI_MUST_NOT_IMPORT_LIBRARIES = frozenset({"sqlite3", "sqlcipher3", "sqlalchemy", "httpx",
                                          "fastapi"})

# Where the UI reaches past services into the core today: (module, what it imports).
# Issue 16 item 1 ("one door") routes each of these through services and removes it here; the
# test fails when a new one appears and when a listed one is gone, so the list only shrinks.
KNOWN_UI_SHORTCUTS = frozenset({
    ("cse_desktop.ui.app_window", "cse_desktop.crypto.keyfile"),
    ("cse_desktop.ui.app_window", "cse_desktop.store"),
    ("cse_desktop.ui.forms.sign_dialog", "cse_desktop.crypto.keyfile"),
    ("cse_desktop.ui.sync_controller", "cse_desktop.store"),
    ("cse_desktop.ui.sync_controller", "cse_desktop.sync.client"),
    ("cse_desktop.ui.sync_controller", "cse_desktop.sync.conflicts"),
    ("cse_desktop.ui.sync_controller", "cse_desktop.sync.enrolment"),
    ("cse_desktop.ui.sync_controller", "cse_desktop.sync.errors"),
    ("cse_desktop.ui.sync_controller", "cse_desktop.sync.tls"),
    ("cse_desktop.ui.sync_widgets", "cse_desktop.sync.conflicts"),
    ("cse_desktop.ui.sync_widgets", "cse_desktop.sync.merge"),
    ("cse_desktop.ui.unlock", "cse_desktop.crypto.keyfile"),
})

_MODULE_NAME = re.compile(rf"^{PACKAGE}(\.[A-Za-z_][A-Za-z0-9_]*)+$")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. cse_desktop.ui.unlock
    target: str  # what it imports, e.g. cse_desktop.crypto.keyfile or PySide6.QtCore
    line: int

    @property
    def where(self) -> str:
        return f"{self.module} (line {self.line}) imports {self.target}"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """The absolute names a ``from … import`` brings in (``from . import x`` names x)."""
    if node.level == 0:
        name = node.module or ""
    else:
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[:len(base) - (node.level - 1)]
        name = ".".join([*base, node.module] if node.module else base)
    if name == PACKAGE or not node.module:  # from cse_desktop import ui; from .. import x
        return [f"{name}.{alias.name}" for alias in node.names]
    return [name]


def imports_of(root: Path) -> Iterator[Import]:
    """Every import in the package at ``root``, with its line."""
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(module, alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                for target in _resolve(module, is_package, node):
                    yield Import(module, target, node.lineno)
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and _MODULE_NAME.match(node.value)):
                # A module named by a string, for importlib (ui/optional.py); logger names
                # like "cse_desktop.server" are names of the importer's own package, harmless.
                yield Import(module, node.value, node.lineno)


def _layer(name: str) -> str | None:
    """The top-level package (or module) of cse_desktop a name belongs to."""
    parts = name.split(".")
    return parts[1] if parts[0] == PACKAGE and len(parts) > 1 else None


def _library(name: str) -> str:
    return name.split(".")[0]


@dataclass
class Report:
    violations: list[str]
    ui_shortcuts: set[tuple[str, str]]


def check(root: Path, known_ui_shortcuts: frozenset[tuple[str, str]] = frozenset()) -> Report:
    """The rules' violations in the package at ``root``, and the UI's shortcuts found."""
    violations: list[str] = []
    shortcuts: set[tuple[str, str]] = set()
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in imports_of(root):
        source, target = _layer(imp.module), _layer(imp.target)
        if source is None:
            continue
        library = _library(imp.target)
        below_ui = source != "ui" and source not in ENTRY_POINTS
        if below_ui and (library == "PySide6" or target == "ui"):
            violations.append(f"only the UI may use Qt or the UI: {imp.where}")
        if source in ("pdf", "server") and target in BELOW_SERVICES_MUST_NOT_IMPORT:
            violations.append(f"{source} must not import {target}: {imp.where}")
        if source == "domain" and target is not None and target not in DOMAIN_MAY_IMPORT:
            violations.append(f"domain imports only forms, records and clock: {imp.where}")
        if source == "server" and target in SERVER_MUST_NOT_IMPORT:
            violations.append(f"the server must not import {target}: {imp.where}")
        if source == "ui":
            if library in UI_MUST_NOT_IMPORT_LIBRARIES:
                violations.append(f"the UI must not use {library} (go through services): "
                                  f"{imp.where}")
            if target in UI_MUST_NOT_IMPORT:
                shortcut = (imp.module, imp.target)
                shortcuts.add(shortcut)
                if shortcut not in known_ui_shortcuts:
                    violations.append(f"the UI must go through services, not {target}: "
                                      f"{imp.where}")
        if target is not None and target != source:
            graph[source].add(target)
    violations.extend(f"packages import each other: {' -> '.join(cycle)}"
                      for cycle in cycles(graph))
    return Report(violations, shortcuts)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append([*sorted(group), sorted(group)[0]])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# -- the real package ----------------------------------------------------------------------


def test_cse_desktop_keeps_its_layers() -> None:
    report = check(ROOT, KNOWN_UI_SHORTCUTS)
    assert report.violations == []


def test_the_list_of_ui_shortcuts_only_shrinks() -> None:
    found = check(ROOT, KNOWN_UI_SHORTCUTS).ui_shortcuts
    gone = sorted(KNOWN_UI_SHORTCUTS - found)
    assert not gone, f"Shortcuts no longer taken: remove them from KNOWN_UI_SHORTCUTS: {gone}"
    assert found == KNOWN_UI_SHORTCUTS


def test_the_scan_sees_the_package() -> None:
    """A guard against a scan that passes because it read nothing."""
    targets = {(i.module, i.target) for i in imports_of(ROOT)}
    assert ("cse_desktop.ui.sync_hookup", "cse_desktop.ui.sync_controller") in targets
    assert ("cse_desktop.server.api", "fastapi") in targets
    assert ("cse_desktop.services.documents", "cse_desktop.pdf") in {
        (m, t.rsplit(".", 1)[0] if t.count(".") > 1 else t) for m, t in targets}


def test_sync_has_no_qt() -> None:
    assert not [i.where for i in imports_of(ROOT)
                if _layer(i.module) == "sync" and _library(i.target) == "PySide6"]


# -- each rule can fail: the checker on small made-up packages ------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / PACKAGE
    for name, source in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            (root / parent / "__init__.py").touch()
        path.write_text(source, encoding="utf-8")
    return root


def _violations(tmp_path: Path, files: dict[str, str],
                known: frozenset[tuple[str, str]] = frozenset()) -> list[str]:
    return check(_tree(tmp_path, files), known).violations


@pytest.mark.parametrize("files", [
    {"sync/controller.py": "from PySide6.QtCore import QObject\n"},
    {"services/documents.py": "def f():\n    import PySide6.QtWidgets\n"},
    {"store/store.py": "from ..ui import theme\n"},
    {"services/session.py": "from cse_desktop.ui.unlock import UnlockPage\n"},
    {"pdf/cli.py": "import importlib\nimportlib.import_module('cse_desktop.ui.pdf_dialogs')\n"},
])
def test_below_the_ui_no_qt_and_no_ui(tmp_path: Path, files: dict[str, str]) -> None:
    assert any("only the UI" in v for v in _violations(tmp_path, files))


def test_the_entry_points_and_the_ui_may_use_qt(tmp_path: Path) -> None:
    assert _violations(tmp_path, {
        "app.py": "from PySide6.QtWidgets import QApplication\nfrom .ui import app_window\n",
        "selftest.py": "def f():\n    from PySide6.QtWidgets import QLabel\n",
        "ui/app_window.py": "from PySide6.QtWidgets import QMainWindow\n"
                            "from ..services import session\n",
        "services/session.py": "",
    }) == []


@pytest.mark.parametrize(("files", "message"), [
    ({"pdf/record_pdf.py": "from ..services.documents import x\n"}, "pdf must not import"),
    ({"pdf/record_pdf.py": "from cse_desktop import services\n"}, "pdf must not import"),
    ({"server/api.py": "from ..services import measures\n"}, "server must not import"),
    ({"server/api.py": "from ..store import Store\n"}, "the server must not import store"),
    ({"server/api.py": "from ..sync.merge import x\n"}, "the server must not import sync"),
    ({"server/api.py": "from ..crypto import keyfile\n"}, "the server must not import crypto"),
    ({"server/api.py": "from ..pdf import verify\n"}, "the server must not import pdf"),
    ({"domain/measures.py": "from ..store import Store\n"}, "domain imports only"),
    ({"domain/measures.py": "from ..pdf import styles\n"}, "domain imports only"),
    ({"ui/unlock.py": "from ..crypto.keyfile import KdfParams\n"}, "not crypto"),
    ({"ui/caseload_view.py": "from cse_desktop.store import Store\n"}, "not store"),
    ({"ui/sync_widgets.py": "from ..sync import conflicts\n"}, "not sync"),
    ({"ui/caseload_view.py": "import sqlite3\n"}, "must not use sqlite3"),
    ({"ui/x.py": "import sqlcipher3\n"}, "must not use sqlcipher3"),
    ({"ui/x.py": "from sqlalchemy import select\n"}, "must not use sqlalchemy"),
    ({"ui/x.py": "def f():\n    import httpx\n"}, "must not use httpx"),
    ({"ui/x.py": "from fastapi import FastAPI\n"}, "must not use fastapi"),
])
def test_each_rule_fails_when_broken(tmp_path: Path, files: dict[str, str],
                                     message: str) -> None:
    violations = _violations(tmp_path, files)
    assert any(message in v for v in violations), violations


def test_what_the_layers_allow_passes(tmp_path: Path) -> None:
    assert _violations(tmp_path, {
        "clock.py": "", "records.py": "from .clock import now\n",
        "forms/model.py": "from ..records import Record\n",
        "domain/measures.py": "from ..forms import model\nfrom ..records import Record\n"
                              "from ..clock import now\nfrom .periods import Period\n",
        "domain/periods.py": "",
        "pdf/record_pdf.py": "from ..domain import measures\nfrom ..forms import model\n",
        "server/api.py": "from ..domain import measures\nfrom ..records import Record\n"
                         "import fastapi\n",
        "store/store.py": "import sqlite3\nfrom ..records import Record\n",
        "sync/client.py": "import httpx\nfrom ..store import store\n",
        "services/documents.py": "from ..pdf import record_pdf\nfrom ..store import store\n"
                                 "from ..sync import client\n",
        "ui/view.py": "from ..services import documents\nfrom ..domain import measures\n",
    }) == []


def test_a_cycle_between_packages_fails(tmp_path: Path) -> None:
    violations = _violations(tmp_path, {
        "services/documents.py": "from ..pdf import record_pdf\n",
        "pdf/record_pdf.py": "from ..store import Store\n",
        "store/__init__.py": "from ..services import documents\n",
    })
    assert any("packages import each other: pdf -> services -> store -> pdf" in v
               for v in violations), violations


def test_a_new_ui_shortcut_fails_and_a_listed_one_passes(tmp_path: Path) -> None:
    files = {"ui/unlock.py": "from ..crypto.keyfile import KdfParams\n",
             "ui/app_window.py": "from ..store import StoreError\n"}
    known = frozenset({("cse_desktop.ui.unlock", "cse_desktop.crypto.keyfile")})
    report = check(_tree(tmp_path, files), known)
    assert report.violations == [
        "the UI must go through services, not store: cse_desktop.ui.app_window (line 1) "
        "imports cse_desktop.store"]
    assert report.ui_shortcuts == {("cse_desktop.ui.unlock", "cse_desktop.crypto.keyfile"),
                                   ("cse_desktop.ui.app_window", "cse_desktop.store")}


def test_a_shortcut_that_is_gone_is_noticed(tmp_path: Path) -> None:
    known = frozenset({("cse_desktop.ui.unlock", "cse_desktop.crypto.keyfile")})
    report = check(_tree(tmp_path, {"ui/unlock.py": "from ..services import session\n",
                                    "services/session.py": ""}), known)
    assert report.violations == []
    assert known - report.ui_shortcuts == known  # what the shrink test reports
