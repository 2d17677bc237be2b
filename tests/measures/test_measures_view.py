"""The Measures screen: figures shown, every figure clickable down to its children,
keyboard-driven charts, CSV export, counted off the UI thread."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from cse_desktop.services.session import Session
from cse_desktop.ui.a11y import unnamed_controls
from cse_desktop.ui.measures_view import MeasuresView
from tests.measures.dataset import OLA, TODAY, Built


@pytest.fixture
def view(qtbot, lead_session: Session, built: Built) -> MeasuresView:
    widget = MeasuresView(today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    widget.picker.year.setValue(2026)
    widget.picker.kind.setCurrentText("Quarter")
    widget.picker.quarter.setCurrentIndex(0)
    widget.set_session(lead_session)
    qtbot.waitUntil(lambda: widget.result is not None
                    and widget.result.measures.period.label.startswith("Q1 2026"),
                    timeout=10_000)
    yield widget
    widget.set_session(None)
    widget.runner.wait()


def _names(listing) -> list[str]:  # type: ignore[no-untyped-def]
    return [listing.item(i).text() for i in range(listing.count())]


def test_table_shows_the_headline_figures(view: MeasuresView) -> None:
    assert view.table.item(0, 0).text() == "RHIs offered within 72 hours"
    assert view.table.item(0, 1).text() == "4 of 12 missing episodes"
    assert view.table.item(0, 2).text() == "33.3%"
    assert view.table.item(2, 1).text() == "2 of 5 interviews"


def test_a_table_row_drills_down_to_its_children(view: MeasuresView) -> None:
    view.table.selectRow(0)
    assert _names(view.counted) == ["ChildA Synthetic", "ChildB Synthetic",
                                    "ChildC Synthetic", "ChildD Synthetic"]
    assert _names(view.others) == ["ChildE Synthetic", "ChildF Synthetic"]


def test_chart_bars_work_from_the_keyboard(qtbot, view: MeasuresView) -> None:
    chart = view.risk_chart
    chart.setFocus()
    # Bars are grouped by month: January's five levels come first, then February's.
    qtbot.keyClick(chart, Qt.Key.Key_End)
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    qtbot.keyClick(chart, Qt.Key.Key_Left)  # March, high risk
    assert "Mar 2026" in chart.accessibleName() and "High" in chart.accessibleName()
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert "High risk at the end of March 2026" in view.drill_title.text()
    assert _names(view.counted) == ["ChildD Synthetic"]
    assert "Mar 2026: High 1" in chart.accessibleDescription()


def test_clicking_a_referral_bar(qtbot, view: MeasuresView) -> None:
    chart = view.referral_chart
    chart.repaint()
    rect, index = chart._rects[0]  # MASH
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert index == 0
    assert _names(view.counted) == ["ChildA Synthetic", "ChildB Synthetic"]


def test_double_click_opens_the_child(qtbot, view: MeasuresView, built: Built) -> None:
    view.table.selectRow(5)  # repeat missing
    opened: list[str] = []
    view.child_activated.connect(opened.append)
    view.counted.itemActivated.emit(view.counted.item(0))
    assert opened == [built.children["E"]]


def test_team_filter_recounts(qtbot, view: MeasuresView) -> None:
    view.team.setCurrentText(OLA)
    qtbot.waitUntil(lambda: view.result is not None
                    and "Ola Ade" in view.result.measures.scope, timeout=10_000)
    assert view.table.item(0, 1).text() == "1 of 7 missing episodes"


def test_month_and_custom_periods(qtbot, view: MeasuresView) -> None:
    view.picker.kind.setCurrentText("Month")
    view.picker.month.setCurrentIndex(3)  # April
    qtbot.waitUntil(lambda: view.result is not None
                    and view.result.measures.period.label == "April 2026", timeout=10_000)
    assert view.table.item(0, 1).text() == "1 of 2 missing episodes"
    assert not view.report_button.isEnabled()  # the board report is quarterly
    view.picker.kind.setCurrentText("Custom dates")
    view.picker.first.setDate(QDate(2026, 1, 1))
    view.picker.last.setDate(QDate(2026, 1, 31))
    qtbot.waitUntil(lambda: view.result is not None
                    and view.result.measures.period.label.startswith("01 Jan 2026"),
                    timeout=10_000)
    assert view.table.item(0, 1).text() == "2 of 4 missing episodes"


def test_export_csv(monkeypatch: pytest.MonkeyPatch, view: MeasuresView,
                    lead_session: Session, tmp_path: Path) -> None:
    target = tmp_path / "q1"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "CSV files (*.csv)"))
    path = view.export_csv()
    assert path == tmp_path / "q1.csv"
    text = path.read_text(encoding="utf-8")
    assert "RHIs offered within 72 hours" in text and "Synthetic" not in text
    assert any(e.action == "export" and "measures CSV" in e.detail
               for e in lead_session.store.audit_entries())


def _inside_combo(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True  # a combo box's pop-up list, announced through the combo box
        parent = parent.parentWidget()
    return False


def test_every_control_has_a_name(view: MeasuresView) -> None:
    assert [w for w in unnamed_controls(view) if not _inside_combo(w)] == []


def test_locking_clears_the_screen(view: MeasuresView) -> None:
    view.set_session(None)
    assert view.table.rowCount() == 0 and view.counted.count() == 0
    assert not view.export_button.isEnabled()


def test_board_report_is_made_off_the_ui_thread(qtbot, view: MeasuresView) -> None:
    assert view.report_button.isEnabled()
    dialog = view.board_report()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.pdf is not None or dialog.error is not None, timeout=20_000)
    assert dialog.error is None
    assert dialog.pdf.startswith(b"%PDF")
    assert dialog.save_button.isEnabled()
    dialog.close()
