"""Entry point: ``cse-desktop [--data-dir DIR] [--demo] [--idle-minutes N]``.

``cse-desktop verify FILE.pdf`` checks a signed PDF without opening the app.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, paths

DESCRIPTION = ("Casework for protecting children from exploitation: return home interviews, "
               "warning-signs checklists and case notes, kept encrypted on this computer.")


DEMO_ROLES = ("outreach_worker", "nurse_practitioner", "team_lead")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cse-desktop", description=DESCRIPTION,
        epilog="To check a signed PDF (every signature, and whether its time is proven): "
               "cse-desktop verify FILE.pdf --trust PARTNERSHIP-CA.pem. To reset a forgotten "
               "passphrase with the organisation's recovery key: cse-desktop recover --help")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder for the encrypted records (default: your user data "
                             "folder, or CSE_DATA_DIR)")
    parser.add_argument("--demo", action="store_true",
                        help="open a separate DEMO store filled with made-up children")
    parser.add_argument("--demo-role", choices=DEMO_ROLES, default=None,
                        help="with --demo: try the app as this role (team_lead shows the "
                             "team's measures and case summaries); each role has its own "
                             "DEMO store")
    parser.add_argument("--idle-minutes", type=float, default=None, metavar="N",
                        help="lock after N minutes without activity (default 5)")
    parser.add_argument("--version", action="version", version=f"cse-desktop {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation (temporary encrypted store, signed PDF) "
                             "and exit 0 if it works")
    return parser


def verify(argv: Sequence[str]) -> int:
    try:
        cli = importlib.import_module("cse_desktop.pdf.cli")
    except ImportError:
        print("Checking signed PDFs is not available in this version.", file=sys.stderr)
        return 2
    return int(cli.verify_main(list(argv)) or 0)


def prepare_demo_store(directory: Path, role: str = "outreach_worker") -> None:
    """Create the DEMO store and fill it with a synthetic caseload (first demo start only),
    for a practitioner in ``role``."""
    from .records import Role
    from .services.demo_data import (
        DEMO_KDF,
        DEMO_NAME,
        DEMO_PASSPHRASE,
        load_demo_caseload,
    )
    from .services.organisation import DEMO_ORGANISATION
    from .services.session import first_run

    chosen = Role(role)
    name = DEMO_NAME if chosen is Role.OUTREACH_WORKER else f"Demo {chosen.label}"
    session = first_run(directory, DEMO_PASSPHRASE, name=name, role=chosen,
                        organisation=DEMO_ORGANISATION, kdf=DEMO_KDF, demo=True)
    try:
        load_demo_caseload(session)
    finally:
        session.lock()


def demo_unlock_hint() -> str:
    from .services.demo_data import DEMO_PASSPHRASE

    return f"DEMO store: the passphrase is “{DEMO_PASSPHRASE}”."


def _prepare_demo_with_message(directory: Path, role: str) -> None:
    """Make the demo store off the UI thread while a short message is shown."""
    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QLabel

    from .ui.workers import TaskRunner

    note = QLabel("Preparing the DEMO records (made-up children)… this takes a few seconds, "
                  "once.")
    note.setWindowTitle("cse-desktop DEMO")
    note.setAlignment(Qt.AlignmentFlag.AlignCenter)
    note.setMargin(32)
    note.show()
    loop = QEventLoop()
    failure: list[BaseException] = []
    runner = TaskRunner()

    def failed(exc: BaseException) -> None:
        failure.append(exc)
        loop.quit()

    runner.run(prepare_demo_store, directory, role, on_result=lambda _r: loop.quit(),
               on_error=failed)
    loop.exec()
    note.close()
    if failure:
        raise failure[0]


def main(argv: Sequence[str] | None = None) -> int:
    # First of all: no core dumps, no debugger attach (keys and casework live in memory).
    from .crypto.hardening import harden_process

    harden_process()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["verify"]:
        return verify(argv[1:])
    if argv[:1] == ["recover"]:
        from .recover_cli import recover_main

        return recover_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.self_test:
        from .selftest import run_self_test

        return run_self_test()

    from PySide6.QtWidgets import QApplication

    from .services.session import store_exists
    from .ui.app_window import AppOptions, AppWindow
    from .ui.locking import DEFAULT_IDLE_MINUTES
    from .ui.theme import apply_theme, prepare_high_dpi

    prepare_high_dpi()
    app = QApplication(sys.argv[:1])
    from .ui.app_identity import apply_identity

    apply_identity(app)
    apply_theme(app)
    demo = args.demo or args.demo_role is not None
    role = args.demo_role or "outreach_worker"
    directory = paths.data_dir(args.data_dir, demo=demo, demo_role=role)
    hint = ""
    if demo:
        if not store_exists(directory):
            _prepare_demo_with_message(directory, role)
        hint = demo_unlock_hint()
    idle = args.idle_minutes if args.idle_minutes is not None else DEFAULT_IDLE_MINUTES
    window = AppWindow(AppOptions(data_dir=directory, demo=demo, idle_minutes=idle,
                                  idle_from_command_line=args.idle_minutes is not None,
                                  unlock_hint=hint))
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
