"""Drives the real app for the AT-SPI test (run with the project's Python, under Xvfb).

Usage: driver.py DATA_DIR PASSPHRASE WRONG_PASSPHRASE RHI_ID CHECKLIST_ID

It opens the real ``AppWindow`` on the unlock screen, types with real key events, unlocks,
opens the return home interview and the checklist in real form windows and walks them with
Tab and arrow key presses.  After each step it prints one line ``STEP <json>`` and waits
(without blocking Qt, which must keep answering the screen reader) for a line on stdin before
going on, so the probe can look at the accessibility tree and the events in between.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QRadioButton, QWidget

from cse_desktop.services.casework import Casework
from cse_desktop.ui.app_identity import apply_identity
from cse_desktop.ui.app_window import AppOptions, AppWindow
from cse_desktop.ui.forms.form_window import FormWindow


class Driver:
    def __init__(self, argv: list[str]) -> None:
        self.data_dir = Path(argv[0])
        self.passphrase, self.wrong, self.rhi_id, self.checklist_id = argv[1:5]
        self.window = AppWindow(AppOptions(data_dir=self.data_dir))
        self.window.resize(1200, 860)
        self.window.show()
        self.steps: list[Callable[[], None]] = [
            self.shown, self.type_wrong, self.wait_wrong, self.type_right, self.wait_unlocked,
            lambda: self.open_form(self.rhi_id), self.walk,
            lambda: self.open_form(self.checklist_id), self.walk,
            lambda: self.open_form(self.rhi_id, autosave_ms=1000), self.save, self.finish]
        self.form: FormWindow | None = None
        self._notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._next)
        QTimer.singleShot(1500, self._run_next)

    # -- protocol ----------------------------------------------------------------------------

    def report(self, name: str, **data: Any) -> None:
        print("STEP " + json.dumps({"step": name, **data}), flush=True)

    def _next(self, *_: object) -> None:
        if not sys.stdin.readline():  # the probe went away
            QApplication.quit()
            return
        QTimer.singleShot(50, self._run_next)

    def _run_next(self) -> None:
        if self.steps:
            self.steps.pop(0)()

    def wait_until(self, done: Callable[[], bool], then: Callable[[], None],
                   left: int = 600) -> None:
        """Call ``then`` once ``done()`` is true (checking every 50 ms, 30 s at most)."""
        if done() or left <= 0:
            then()
        else:
            QTimer.singleShot(50, lambda: self.wait_until(done, then, left - 1))

    # -- steps -------------------------------------------------------------------------------

    def shown(self) -> None:
        self.window.activateWindow()
        self.window.unlock_page.passphrase.setFocus()
        self.report("unlock-shown")

    def _type(self, text: str) -> None:
        field = self.window.unlock_page.passphrase
        field.setFocus()
        for char in text:
            QTest.keyClick(field, char)
            QApplication.processEvents()

    def type_wrong(self) -> None:
        self._type(self.wrong)
        self.report("typed-wrong")

    def wait_wrong(self) -> None:
        page = self.window.unlock_page
        QTest.keyClick(page.passphrase, Qt.Key.Key_Return)

        def shown() -> bool:
            return "not right" in page.message.text()

        self.wait_until(shown, lambda: self.report("wrong-shown", message=page.message.text()))

    def type_right(self) -> None:
        page = self.window.unlock_page
        # Repeated wrong passphrases slow down; wait until the field takes input again.
        self.wait_until(lambda: page.passphrase.isEnabled(), self._type_right)

    def _type_right(self) -> None:
        self._type(self.passphrase)
        self.report("typed-right")

    def wait_unlocked(self) -> None:
        QTest.keyClick(self.window.unlock_page.passphrase, Qt.Key.Key_Return)
        self.wait_until(lambda: self.window.session is not None,
                        lambda: self.report("unlocked", ok=self.window.session is not None))

    def open_form(self, record_id: str, autosave_ms: int = 600_000) -> None:
        if self.form is not None:
            self.form.view.flush()
            self.form.close()
        assert self.window.session is not None
        casework = Casework(self.window.session)
        # The walk changes radio answers: saving is left to the end (the save step saves a
        # second after the change, as the practitioner's autosave does).
        self.form = FormWindow(casework, casework.open_record(record_id),
                               autosave_ms=autosave_ms)
        self.form.resize(1200, 860)
        self.form.show()
        self.form.activateWindow()
        buttons = self._option_buttons()
        self.wait_until(lambda: self.form is not None and self.form.isActiveWindow(),
                        lambda: self.report(
                            "form-open", title=self.form.windowTitle() if self.form else "",
                            buttons=[self._describe(b) for b in buttons]))

    def _option_buttons(self) -> list[QWidget]:
        assert self.form is not None
        return [b for b in self.form.view.findChildren(QCheckBox) +
                self.form.view.findChildren(QRadioButton)
                if b.isVisibleTo(self.form) and b.objectName() != "qt_scrollarea"
                and b.parentWidget() is not None
                and type(b.parentWidget()).__name__ == "_OptionButtons"]

    @staticmethod
    def _describe(button: QWidget) -> dict[str, str]:
        group = button.parentWidget()
        return {"name": button.text(), "kind": type(button).__name__,
                "question": group.accessibleName() if group else ""}

    def walk(self) -> None:
        """Tab through the whole form from its first question, going through each set of
        radio buttons with the Down arrow, and through tick boxes with Tab."""
        assert self.form is not None
        view = self.form.view
        first = next(iter(view.editors.values())).focus_target()
        first.setFocus(Qt.FocusReason.TabFocusReason)
        QApplication.processEvents()
        walked_groups: set[int] = set()
        presses = {"tab": 0, "arrow": 0}
        reached: list[dict[str, str]] = []
        form = self.form

        def focused() -> QWidget:
            # The window's own focus widget: without a window manager (Xvfb) the window
            # may not be the "active" one, but key presses still move its focus.
            return form.focusWidget() or first

        def settle(before: QWidget) -> None:
            """Wait for the key press to arrive.  With a screen reader listening, Qt hands
            every key press to the AT-SPI registry first (a screen reader may consume it) and
            delivers it when the answer comes back, so the focus moves a little later."""
            for _ in range(40):
                QTest.qWait(25)
                if focused() is not before:
                    return

        def note() -> None:
            widget = focused()
            if isinstance(widget, QCheckBox | QRadioButton):
                reached.append(self._describe(widget))

        stuck = 0
        stuck_on = ""
        wanted = len(self._option_buttons())
        lost = 0
        for _ in range(700):
            if not form.isActiveWindow():  # no window manager under Xvfb: take it back
                lost += 1
                form.activateWindow()
                QApplication.processEvents()
            widget = focused()
            note()
            group = widget.parentWidget()
            if isinstance(widget, QRadioButton) and id(group) not in walked_groups:
                walked_groups.add(id(group))
                radios = [b for b in group.findChildren(QRadioButton) if b.isVisibleTo(group)]
                for _ in range(len(radios) - 1):
                    now = focused()
                    QTest.keyClick(form.windowHandle(), Qt.Key.Key_Down)
                    presses["arrow"] += 1
                    settle(now)
                    note()
            if len({(b["name"], b["question"]) for b in reached}) >= wanted:
                break  # every option reached
            # Through the window, as the window system delivers a key press.
            QTest.keyClick(form.windowHandle(), Qt.Key.Key_Tab)
            presses["tab"] += 1
            settle(widget)
            stuck = stuck + 1 if focused() is widget else 0
            if stuck >= 12:  # Tab does not leave it (a date field takes a few): a trap
                stuck_on = f"{type(widget).__name__} {widget.accessibleName()!r}"
                break
        self.report("walked", reached=reached, stuck_on=stuck_on, lost_activation=lost,
                    **presses)

    def save(self) -> None:
        assert self.form is not None
        boxes = [b for b in self._option_buttons() if isinstance(b, QCheckBox)]
        boxes[0].setFocus()
        QTest.keyClick(boxes[0], Qt.Key.Key_Space)
        view = self.form.view
        self.wait_until(lambda: view.status_text().startswith("Saved "),
                        lambda: self.report("saved", status=view.status_text(),
                                            ticked=boxes[0].isChecked()))

    def finish(self) -> None:
        if self.form is not None:
            self.form.view.flush()
            self.form.close()
        self.report("done")
        QTimer.singleShot(200, QApplication.quit)


def main() -> int:
    app = QApplication(sys.argv[:1])
    apply_identity(app)  # as cse_desktop.app.main does
    driver = Driver(sys.argv[1:])  # noqa: F841  (kept alive by the event loop)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
