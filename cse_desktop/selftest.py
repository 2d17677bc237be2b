"""``cse-desktop --self-test``: prove that this copy of the app works on this machine.

It opens a temporary encrypted store (in a memory-backed folder where there is one), saves and
signs a synthetic record, renders it as a signed PDF, checks the signature, and removes
everything again.  One plain line is printed per step; the result is 0 (all good) or 1.
No real records are touched: the store lives in its own temporary folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, cast

from . import __version__

PASSPHRASE = "self-test passphrase, not secret"
SHARED_MEMORY = Path("/dev/shm")


def _temp_dir() -> Path:
    """A private folder, in memory (/dev/shm) when the machine has it."""
    base = SHARED_MEMORY if SHARED_MEMORY.is_dir() and os.access(SHARED_MEMORY, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="cse-self-test-", dir=base))


def _qt_check() -> str:
    """Start Qt (offscreen when there is no display) and draw a widget into an image: proves
    the Qt libraries and platform plugins are present."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or sys.platform in ("win32", "darwin")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel

    app = cast(QApplication, QApplication.instance()
               or QApplication([sys.argv[0] if sys.argv else "cse-desktop"]))
    label = QLabel("cse-desktop self-test")
    image = label.grab().toImage()
    label.deleteLater()
    if image.isNull() or image.width() == 0:
        raise RuntimeError("Qt could not draw a window")
    return app.platformName()


class _Steps:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failed = False

    def run(self, title: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            value = action()
        except Exception as exc:
            self.failed = True
            print(f"FAIL  {title}: {type(exc).__name__}: {exc}", file=self.out, flush=True)
            raise
        took = time.perf_counter() - started
        print(f"ok    {title} ({took:.2f} s)", file=self.out, flush=True)
        return value


def run_self_test(out: TextIO | None = None) -> int:
    """Run every step; 0 when all passed, 1 otherwise.  Never leaves files behind."""
    out = out or sys.stdout
    steps = _Steps(out)
    print(f"cse-desktop {__version__} self-test", file=out, flush=True)
    folder: Path | None = None
    session = None
    try:
        from .crypto.keyfile import KdfParams
        from .forms import default_library
        from .records import Role
        from .services.casework import Casework
        from .services.documents import render_record_pdf, verify_pdf
        from .services.session import first_run, unlock

        library = steps.run("Load the form definitions", default_library)
        folder = steps.run("Make a temporary folder", _temp_dir)
        store_dir = folder / "store"
        # A light key stretch: the passphrase is printed above, so strength is not the point.
        kdf = KdfParams.fast_for_tests()
        session = steps.run("Create an encrypted store", lambda: first_run(
            store_dir, PASSPHRASE, name="Self Test", role=Role.TEAM_LEAD,
            organisation="Self-test (synthetic)", kdf=kdf, library=library))
        work = Casework(session)

        def save_and_sign() -> str:
            child = work.add_child({"first_name": "Test", "last_name": "Child",
                                    "date_of_birth": "2012-01-01"})
            note = work.quick_note(child.id, {
                "occurred_at": "2026-01-05T10:00:00+00:00", "contact_type": "phone",
                "summary": "Synthetic self-test note."})
            work.sign(note.id, note.data, PASSPHRASE, None)
            return note.id

        note_id = steps.run("Save and sign a record", save_and_sign)
        session.lock()
        session = None

        def reopen() -> Any:
            reopened = unlock(store_dir, PASSPHRASE, library=library)
            if not reopened.store.get(note_id).is_signed:
                raise RuntimeError("the signed record did not come back signed")
            return reopened

        session = steps.run("Lock, unlock and read it back", reopen)
        assert session is not None
        opened = session
        pdf = steps.run("Render and sign a PDF", lambda: render_record_pdf(
            opened.store, opened.library, note_id, opened.actor, opened.signing_identity()))

        def check() -> None:
            result = verify_pdf(pdf)
            if not result.is_unaltered or not result.intact:
                raise RuntimeError(result.message)

        steps.run("Verify the PDF signature", check)

        def check_audit() -> None:
            verdict = opened.store.verify_audit()
            if not verdict.ok:
                raise RuntimeError(verdict.problem or "the audit trail did not verify")

        steps.run("Check the audit trail", check_audit)
        steps.run("Start Qt and draw a window", _qt_check)
    except Exception as exc:
        if not steps.failed:  # a failure outside a step (an import, say): say what it was
            print(f"FAIL  {type(exc).__name__}: {exc}", file=out, flush=True)
        steps.failed = True
    finally:
        if session is not None:
            try:
                session.lock()
            except Exception:
                steps.failed = True
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
            if folder.exists():
                steps.failed = True
                print(f"FAIL  could not remove {folder}", file=out, flush=True)
            else:
                print("ok    Remove the temporary store", file=out, flush=True)
    print("Self-test FAILED" if steps.failed else "Self-test passed", file=out, flush=True)
    return 1 if steps.failed else 0


if __name__ == "__main__":
    sys.exit(run_self_test())
