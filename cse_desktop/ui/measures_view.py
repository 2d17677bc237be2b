"""The "Performance measures" screen for team leads.

Choose a period (a month, a quarter, or any dates) and whose children (everyone on this
device, or one allocated worker's).  The measures are counted off the UI thread
(``MeasuresService``) and shown as a small table and three bar charts.  Every figure, row
or bar, opens the list of children it counts (and, for percentages, those it does not);
double-clicking a child opens them in the main window.  "Export CSV…" saves the figures for
analysts; "Board report (signed PDF)…" makes the quarterly report for the partnership board.

    install(window)          # adds Team > Performance measures… to the main window
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..clock import SYSTEM_CLOCK
from ..domain.palette import RISK_FILL
from ..forms import RiskLevel
from ..services.measures import (
    NOT_ASSESSED,
    Figure,
    Measures,
    MeasuresService,
    Period,
    to_csv,
)
from ..services.session import Session
from . import theme
from .a11y import named
from .bar_chart import Bar, BarChart, Group
from .sizing import fit_to_screen
from .workers import TaskRunner

EVERYONE = "Everyone on this device"
KINDS = ("Quarter", "Month", "Custom dates")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
CHILD_ID_ROLE = Qt.ItemDataRole.UserRole
FIGURE_ROLE = Qt.ItemDataRole.UserRole + 1
RHI_COLOURS = ("#1f4e79", "#2e7d32", "#8a4b00")
LEVEL_COLOURS = {**{level.value: RISK_FILL[level.value] for level in RiskLevel},
                 NOT_ASSESSED: RISK_FILL["not_assessed"]}
SHORT_LEVELS = {RiskLevel.HIGH.value: "High", RiskLevel.MEDIUM.value: "Medium",
                RiskLevel.LOW.value: "Low", RiskLevel.NO_APPARENT.value: "No apparent",
                NOT_ASSESSED: "Not assessed"}


@dataclass(frozen=True)
class Result:
    """What the background task hands back: the measures and the names to show."""

    measures: Measures
    names: dict[str, str]


def _compute(service: MeasuresService, period: Period, workers: list[str] | None) -> Result:
    measures = service.compute(period, workers)
    ids = {i for f in measures.all_figures() for i in (*f.child_ids, *f.base_child_ids)}
    return Result(measures, service.child_names(ids))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class PeriodPicker(QWidget):
    """Quarter / month / custom dates; ``changed`` fires when the choice changes."""

    changed = Signal()

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = named(QComboBox(), "Period type", "Count a quarter, a month or any dates")
        self.kind.addItems(KINDS)
        self.year = named(QSpinBox(), "Year")
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.quarter = named(QComboBox(), "Quarter")
        self.quarter.addItems([f"Q{n} ({MONTHS[3 * n - 3][:3]}–{MONTHS[3 * n - 1][:3]})"
                               for n in (1, 2, 3, 4)])
        self.quarter.setCurrentIndex((today.month - 1) // 3)
        self.month = named(QComboBox(), "Month")
        self.month.addItems(MONTHS)
        self.month.setCurrentIndex(today.month - 1)
        self.first = named(QDateEdit(_qdate(today.replace(day=1))), "From (first day)")
        self.last = named(QDateEdit(_qdate(today)), "To (last day, included)")
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
        self.to_label = QLabel("to")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind, self.year, self.quarter, self.month, self.first,
                       self.to_label, self.last):
            layout.addWidget(widget)
        self.kind.currentIndexChanged.connect(self._show_parts)
        for combo in (self.kind, self.quarter, self.month):
            combo.currentIndexChanged.connect(self.changed)
        self.year.valueChanged.connect(self.changed)
        self.first.dateChanged.connect(self.changed)
        self.last.dateChanged.connect(self.changed)
        self._show_parts()

    def _show_parts(self) -> None:
        kind = self.kind.currentText()
        self.year.setVisible(kind != "Custom dates")
        self.quarter.setVisible(kind == "Quarter")
        self.month.setVisible(kind == "Month")
        for widget in (self.first, self.to_label, self.last):
            widget.setVisible(kind == "Custom dates")

    def period(self) -> Period:
        kind = self.kind.currentText()
        if kind == "Quarter":
            return Period.quarter(self.year.value(), self.quarter.currentIndex() + 1)
        if kind == "Month":
            return Period.month(self.year.value(), self.month.currentIndex() + 1)
        first, last = _pydate(self.first.date()), _pydate(self.last.date())
        if last < first:
            first, last = last, first
        return Period.days(first, last)

    def is_quarter(self) -> bool:
        return self.kind.currentText() == "Quarter"


class MeasuresView(QWidget):
    """The screen itself; ``set_session(None)`` clears everything (used when locking)."""

    child_activated = Signal(str)

    def __init__(self, runner: TaskRunner | None = None, parent: QWidget | None = None,
                 *, today: date | None = None) -> None:
        super().__init__(parent)
        self.runner = runner or TaskRunner(self)
        self.session: Session | None = None
        self.service: MeasuresService | None = None
        self.result: Result | None = None
        self.error: str | None = None

        self.picker = PeriodPicker(today or SYSTEM_CLOCK.today())
        self.team = named(QComboBox(), "Whose children", "Everyone on this device, or the "
                          "children allocated to one worker")
        self.team.addItem(EVERYONE)
        self.status = QLabel("")
        self.status.setAccessibleName("Measures status")
        self.status.setWordWrap(True)
        self.export_button = QPushButton("Export &CSV…")
        self.export_button.setToolTip("Save the figures as a spreadsheet file for analysts")
        self.report_button = QPushButton("&Board report (signed PDF)…")
        self.report_button.setToolTip("The quarterly report for the partnership board, "
                                      "digitally signed")

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Period:"))
        filters.addWidget(self.picker)
        filters.addSpacing(12)
        filters.addWidget(QLabel("Children of:"))
        filters.addWidget(self.team)
        filters.addStretch(1)
        filters.addWidget(self.export_button)
        filters.addWidget(self.report_button)

        self.table = named(QTableWidget(0, 3), "Headline measures",
                           "Select a row to see the children it counts")
        self.table.setHorizontalHeaderLabels(["Measure", "Figure", "Per cent"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

        self.rhi_chart = BarChart("Return home interviews (per cent)", unit="%")
        self.risk_chart = BarChart("Children at each risk level at the end of each month")
        self.referral_chart = BarChart("Referrals by agency", horizontal=True)

        self.drill_title = QLabel("Choose a figure to see the children it counts.")
        self.drill_title.setWordWrap(True)
        self.counted = named(QListWidget(), "Children counted",
                             "Double-click a child, or press Enter, to open them")
        self.others_title = QLabel("")
        self.others = named(QListWidget(), "Children not counted",
                            "In the total but not counted: double-click to open")
        drill = QGroupBox("Children behind the figure")
        drill_layout = QVBoxLayout(drill)
        drill_layout.addWidget(self.drill_title)
        drill_layout.addWidget(self.counted, 2)
        drill_layout.addWidget(self.others_title)
        drill_layout.addWidget(self.others, 1)

        charts = QWidget()
        grid = QGridLayout(charts)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.table, 0, 0)
        grid.addWidget(self.rhi_chart, 0, 1)
        grid.addWidget(self.risk_chart, 1, 0, 1, 2)
        grid.addWidget(self.referral_chart, 2, 0, 1, 2)
        # The table gets the larger share: its measures and "10 of 20 missing episodes" are
        # read whole, not cut to "RHIs offered…".
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(charts)
        splitter.addWidget(drill)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1050, 280])

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)

        self.picker.changed.connect(self.refresh)
        self.team.currentIndexChanged.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._row_chosen)
        for chart in (self.rhi_chart, self.risk_chart, self.referral_chart):
            chart.bar_activated.connect(self.show_figure)
        for listing in (self.counted, self.others):
            listing.itemActivated.connect(self._child_chosen)
        self.export_button.clicked.connect(self.export_csv)
        self.report_button.clicked.connect(self.board_report)
        self._update_buttons()

    # -- session and computing -----------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        self.session = session
        self.service = MeasuresService(session) if session is not None else None
        self.result = None
        self._clear()
        if session is None:
            self.runner.cancel_all()
            return
        self.team.blockSignals(True)
        self.team.clear()
        self.team.addItem(EVERYONE)
        self.team.addItems(self.service.workers() if self.service else [])
        self.team.blockSignals(False)
        self.refresh()

    def workers(self) -> list[str] | None:
        chosen = self.team.currentText()
        return None if chosen in ("", EVERYONE) else [chosen]

    def refresh(self) -> None:
        if self.service is None:
            return
        try:
            period = self.picker.period()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(f"Counting the measures for {period.label}…")
        self.runner.run(_compute, self.service, period, self.workers(),
                        on_result=self.show_result, on_error=self._failed, key="measures")

    def _failed(self, exc: BaseException) -> None:
        self.error = str(exc) or type(exc).__name__
        self.status.setText(f"The measures could not be counted: {self.error}")

    def _clear(self) -> None:
        self.table.setRowCount(0)
        for chart in (self.rhi_chart, self.risk_chart, self.referral_chart):
            chart.set_groups([])
        self.counted.clear()
        self.others.clear()
        self.others_title.setText("")
        self.drill_title.setText("Choose a figure to see the children it counts.")
        self.status.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self.result is not None
        self.export_button.setEnabled(ready)
        lead = self.session is not None and self.session.actor.is_team_lead
        self.report_button.setEnabled(ready and lead and self.picker.is_quarter())
        if not lead:
            self.report_button.setToolTip("Only team leads can print the board report")
        elif not self.picker.is_quarter():
            self.report_button.setToolTip("Choose a quarter for the board report")
        else:
            self.report_button.setToolTip("The quarterly report for the partnership board, "
                                          "digitally signed")

    # -- showing -------------------------------------------------------------------------------

    def show_result(self, result: Result) -> None:
        self.result = result
        self.error = None
        m = result.measures
        self.status.setText(f"{m.period.label} · {m.scope} · {m.children_in_scope} children. "
                            f"Overdue means due before {m.today:%d %b %Y}.")
        figures = [m.offered_in_time, m.completed_in_time, m.declined, m.declined_by_child,
                   m.declined_by_parent, m.repeat_missing, m.overdue_actions]
        self.table.setRowCount(len(figures))
        for row, figure in enumerate(figures):
            percent = figure.percent
            cells = (figure.label, figure.amount(),
                     "" if figure.base is None else ("–" if percent is None else
                                                     f"{percent:.1f}%"))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(FIGURE_ROLE, figure.key)
                item.setToolTip(f"{figure.label}: {figure.text()}. Select to see the children.")
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.rhi_chart.set_groups([Group("", tuple(
            Bar(label, f.percent or 0.0, colour, f.key,
                "–" if f.percent is None else f"{f.percent:.0f}%")
            for label, f, colour in zip(("Offered in 72 h", "Completed in 72 h", "Declined"),
                                        (m.offered_in_time, m.completed_in_time, m.declined),
                                        RHI_COLOURS, strict=True)))])
        self.risk_chart.set_groups([
            Group(f"{month.month:%b %Y}", tuple(
                Bar(SHORT_LEVELS[f.key.removeprefix("risk_")], f.count,
                    LEVEL_COLOURS[f.key.removeprefix("risk_")], (index, f.key))
                for f in month.levels))
            for index, month in enumerate(m.risk_by_month)])
        self.referral_chart.set_groups([Group("", tuple(
            Bar(f.label, f.count, theme.DRAFT.text, f.key) for f in m.referrals))])
        self._update_buttons()

    def figure(self, key: Any) -> Figure | None:
        if self.result is None:
            return None
        m = self.result.measures
        if isinstance(key, tuple):
            index, level_key = key
            return next((f for f in m.risk_by_month[index].levels if f.key == level_key), None)
        return next((f for f in [*m.headline(), *m.referrals] if f.key == key), None)

    def show_figure(self, key: Any) -> None:
        """Fill the drill-down lists with the children behind a figure."""
        figure = self.figure(key)
        if figure is None or self.result is None:
            return
        names = self.result.names
        title = figure.label
        if isinstance(key, tuple):
            month = self.result.measures.risk_by_month[key[0]].month
            title = f"{figure.label} at the end of {month:%B %Y}"
        self.drill_title.setText(f"<b>{title}</b>: {len(figure.child_ids)} "
                                 f"child{'ren' if len(figure.child_ids) != 1 else ''}")
        self.counted.setAccessibleName(f"Children counted in {title}")
        self._fill(self.counted, figure.child_ids, names)
        others = [i for i in figure.base_child_ids if i not in set(figure.child_ids)]
        if figure.base is not None:
            self.others_title.setText(f"In the total but not counted: {len(others)}")
            self._fill(self.others, others, names)
        else:
            self.others_title.setText("")
            self.others.clear()

    @staticmethod
    def _fill(listing: QListWidget, child_ids: Any, names: dict[str, str]) -> None:
        listing.clear()
        rows = sorted(((names.get(i, "A child not held on this device"), i) for i in child_ids),
                      key=lambda pair: pair[0].casefold())
        for name, child_id in rows:
            item = QListWidgetItem(name)
            item.setData(CHILD_ID_ROLE, child_id)
            listing.addItem(item)

    def _row_chosen(self) -> None:
        items = self.table.selectedItems()
        if items:
            self.show_figure(items[0].data(FIGURE_ROLE))

    def _child_chosen(self, item: QListWidgetItem) -> None:
        child_id = item.data(CHILD_ID_ROLE)
        if child_id and self.result and child_id in self.result.names:
            self.child_activated.emit(str(child_id))

    # -- exports -------------------------------------------------------------------------------

    def suggested_name(self, extension: str) -> str:
        if self.result is None:
            return f"measures.{extension}"
        period = self.result.measures.period
        last = period.end - timedelta(days=1)
        return f"measures-{period.start:%Y-%m-%d}-to-{last:%Y-%m-%d}.{extension}"

    def export_csv(self) -> Path | None:
        if self.result is None or self.service is None:
            return None
        chosen, _ = QFileDialog.getSaveFileName(self, "Export the measures as CSV",
                                                self.suggested_name("csv"),
                                                "CSV files (*.csv)")
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".csv":
            path = path.with_suffix(path.suffix + ".csv")
        try:
            path.write_text(to_csv(self.result.measures), encoding="utf-8", newline="")
        except OSError as exc:
            QMessageBox.warning(self, "Not saved",
                                f"The CSV file could not be saved to {path}: {exc.strerror}.")
            return None
        self.service.audit_export(path, self.result.measures)
        self.status.setText(f"Saved the figures to {path}. The file holds counts only, no "
                            "names.")
        return path

    def board_report(self) -> QDialog | None:
        if self.result is None or self.service is None or self.session is None:
            return None
        from .pdf_dialogs import DocumentDialog

        service, period, workers = self.service, self.result.measures.period, self.workers()

        def work(progress: Any) -> bytes:
            return service.board_report(period, workers, progress=progress)

        dialog = DocumentDialog(self.session, work, title="Board report",
                                suggested_name=self.suggested_name("pdf").replace(
                                    "measures-", "board-report-"), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


class MeasuresDialog(QDialog):
    """The screen in its own window.  Closed (and emptied) when the app locks."""

    child_activated = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Performance measures")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        fit_to_screen(self, 1340, 800)
        self.view = MeasuresView(parent=self)
        layout = QVBoxLayout(self)
        self.demo_banner: QLabel | None = None
        if session.is_demo:  # every window of a demo store says DEMO
            self.setWindowTitle("Performance measures — DEMO (synthetic data)")
            self.demo_banner = theme.demo_banner()
            layout.addWidget(self.demo_banner)
        layout.addWidget(self.view)
        self.view.child_activated.connect(self.child_activated)
        self.finished.connect(lambda _result: self.view.set_session(None))
        self.view.set_session(session)


def install(window: Any) -> QAction:
    """Add Team > Performance measures… to the main window (team leads only)."""
    action = QAction("Performance &measures…", window)
    action.setStatusTip("RHI timeliness, risk levels, repeat missing, referrals and overdue "
                        "actions for your team")
    menu = window.menuBar().addMenu("&Team")
    menu.addAction(action)

    def allowed() -> bool:
        session = getattr(window, "session", None)
        return session is not None and session.actor.is_team_lead

    def open_measures() -> None:
        if not allowed():
            return
        dialog = MeasuresDialog(window.session, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def open_child(child_id: str) -> None:
            window.open_child(child_id)
            window.raise_()
            window.activateWindow()

        dialog.child_activated.connect(open_child)
        dialog.show()

    menu.aboutToShow.connect(lambda: action.setEnabled(allowed()))
    action.triggered.connect(open_measures)
    window.measures_action = action
    return action
