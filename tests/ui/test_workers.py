"""Background calls: answers arrive on the UI thread; stale answers are dropped."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from cse_desktop.ui.workers import TaskRunner


def test_result_is_delivered_on_the_ui_thread(qtbot):
    runner = TaskRunner()
    seen: dict[str, object] = {}

    def work() -> str:
        seen["worker"] = threading.current_thread()
        return "done"

    def got(value: str) -> None:
        seen["value"] = value
        seen["ui"] = QThread.currentThread() is qtbot_app_thread()

    runner.run(work, on_result=got)
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == "done"
    assert seen["ui"] is True
    assert seen["worker"] is not threading.main_thread()


def qtbot_app_thread():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance().thread()


def test_errors_come_back_as_values(qtbot):
    runner = TaskRunner()
    errors: list[BaseException] = []

    def boom() -> None:
        raise ValueError("no")

    runner.run(boom, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ValueError)


def test_only_the_latest_answer_for_a_key_is_shown(qtbot):
    runner = TaskRunner()
    shown: list[str] = []

    def slow(text: str, delay: float) -> str:
        time.sleep(delay)
        return text

    runner.run(slow, "old", 0.3, on_result=shown.append, key="search")
    runner.run(slow, "new", 0.0, on_result=shown.append, key="search")
    runner.wait()
    qtbot.waitUntil(lambda: not runner.busy)
    assert shown == ["new"]


def test_cancel_all_drops_answers_still_to_come(qtbot):
    runner = TaskRunner()
    shown: list[str] = []
    runner.run(lambda: (time.sleep(0.2), "secret")[1], on_result=shown.append)
    runner.cancel_all()
    runner.wait()
    qtbot.waitUntil(lambda: not runner.busy)
    assert shown == []
