"""Every passphrase field is a PassphraseField: no text reaches accessibility.

Qt's QLineEdit in password mode sends each typed character (and the whole text when it is
cleared) in its accessibility events; a PassphraseField's accessibility interface has no text
interface, which is what every platform bridge needs before it forwards a text event.  The
AT-SPI test (test_atspi.py) listens to the real events; these check the wiring offscreen.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path
from typing import Any

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLineEdit, QWidget

from cse_desktop.ui.passphrase_field import PassphraseField, has_safe_accessibility
from cse_desktop.ui.unlock import FirstRunPage, UnlockPage
from cse_desktop.ui.workers import TaskRunner


def _password_edits(root: QWidget) -> list[QLineEdit]:
    return [e for e in root.findChildren(QLineEdit)
            if e.echoMode() != QLineEdit.EchoMode.Normal or isinstance(e, PassphraseField)]


def test_the_field_gives_no_text_to_accessibility(qtbot: Any) -> None:
    field = PassphraseField("Passphrase")
    qtbot.addWidget(field)
    qtbot.keyClicks(field, "correct horse")
    iface = QAccessible.queryAccessibleInterface(field)
    assert has_safe_accessibility(field)
    assert iface.textInterface() is None and iface.editableTextInterface() is None
    assert iface.role() == QAccessible.Role.EditableText and iface.state().passwordEdit
    assert iface.text(QAccessible.Text.Name) == "Passphrase"
    assert iface.text(QAccessible.Text.Value) == "•" * len("correct horse")
    # Showing the passphrase on screen does not open it up to accessibility.
    field.set_shown(True)
    assert field.is_shown() and field.text() == "correct horse"
    assert has_safe_accessibility(field)
    assert "correct" not in iface.text(QAccessible.Text.Value)


def test_a_plain_password_line_edit_would_give_its_text_away(qtbot: Any) -> None:
    """What the field guards against (so the check above means something)."""
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    qtbot.addWidget(edit)
    edit.setText("correct horse")
    iface = QAccessible.queryAccessibleInterface(edit)
    assert iface.textInterface() is not None  # text events of this object are forwarded
    assert not has_safe_accessibility(edit)


def test_every_passphrase_field_of_first_run_and_unlock_is_safe(qtbot: Any,
                                                                tmp_path: Path) -> None:
    runner = TaskRunner()
    for page in (FirstRunPage(tmp_path, runner), UnlockPage(tmp_path, runner)):
        qtbot.addWidget(page)
        edits = _password_edits(page)
        assert edits, page
        for edit in edits:
            assert isinstance(edit, PassphraseField) and has_safe_accessibility(edit), edit
    # The message line is named by its own text (no fixed name such as "Message").
    unlock = UnlockPage(tmp_path, runner)
    qtbot.addWidget(unlock)
    assert unlock.message.accessibleName() == ""
