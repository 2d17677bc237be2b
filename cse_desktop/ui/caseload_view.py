"""The caseload: every child on this device, searchable, filterable and sortable."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..clock import SYSTEM_CLOCK, Clock, uk_date
from ..forms import RiskLevel
from ..services.caseload import (
    Caseload,
    CaseloadCounts,
    CaseloadFilter,
    CaseloadResult,
    ChildRow,
    RhiState,
)
from ..services.session import Session
from . import theme, wording
from .a11y import named
from .workers import TaskRunner

SEARCH_DELAY_MS = 150
CHILD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
# Children loaded at a time: the first page when the caseload opens or a search finishes, the
# next as the table is scrolled towards the end.  Counts always cover every match.
PAGE_SIZE = 200

RISK_CHOICES: tuple[tuple[str, set[RiskLevel] | None], ...] = (
    ("Any risk level", None),
    ("High risk", {RiskLevel.HIGH}),
    ("Medium or high risk", {RiskLevel.MEDIUM, RiskLevel.HIGH}),
    ("Medium risk", {RiskLevel.MEDIUM}),
    ("Low risk", {RiskLevel.LOW}),
    ("No apparent risk", {RiskLevel.NO_APPARENT}),
)


class Column(IntEnum):
    NAME = 0
    AGE = 1
    REFERENCE = 2
    RISK = 3
    RHI = 4
    DRAFTS = 5
    LAST_ACTIVITY = 6


# How the store sorts each column when not every row is loaded (services SORT_ORDERS).
SQL_ORDER = {
    Column.NAME: "name",
    Column.AGE: "age",
    Column.REFERENCE: "reference",
    Column.RISK: "risk",
    Column.RHI: "rhi",
    Column.DRAFTS: "drafts",
    Column.LAST_ACTIVITY: "last_activity",
}

HEADERS = {
    Column.NAME: "Name",
    Column.AGE: "Age",
    Column.REFERENCE: "Council ref.",
    Column.RISK: "Risk level",
    Column.RHI: "Return home interview",
    Column.DRAFTS: "Drafts",
    Column.LAST_ACTIVITY: "Last updated",
}


def _stamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


class CaseloadModel(QAbstractTableModel):
    """ChildRow objects as table rows, loaded a page at a time.

    When every matching child is loaded, sorting happens here in Python (one key per row);
    otherwise the model asks for the rows again in the new order (``resort_wanted``) and the
    store sorts.  Scrolling towards the end asks for the next page (``more_wanted``)."""

    more_wanted = Signal()  # the view loads the next page and calls append_rows()
    resort_wanted = Signal()  # not every row is here: load again in the new order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ChildRow] = []
        self._total = 0
        self._fetching = False
        self.generation = 0  # which list is shown: a page for an older one is dropped
        self.clock: Clock = SYSTEM_CLOCK  # the session's clock once there is one
        self._now = self.clock.now()
        self._sort = (Column.NAME, Qt.SortOrder.AscendingOrder)

    @property
    def rows(self) -> list[ChildRow]:
        return list(self._rows)

    @property
    def total(self) -> int:
        """How many children match, loaded or not."""
        return self._total

    @property
    def complete(self) -> bool:
        return len(self._rows) >= self._total

    @property
    def sql_order(self) -> tuple[str, bool]:
        column, order = self._sort
        return SQL_ORDER[column], order == Qt.SortOrder.DescendingOrder

    def set_rows(self, rows: list[ChildRow], total: int | None = None) -> None:
        """Show these rows (the first page of ``total`` matches; all of them by default)."""
        self.beginResetModel()
        self._now = self.clock.now()
        self._total = len(rows) if total is None else max(total, len(rows))
        self._fetching = False
        self.generation += 1
        # A partial list comes already sorted by the store; a complete one is sorted here.
        self._rows = self._sorted(list(rows)) if self.complete else list(rows)
        self.endResetModel()

    def append_rows(self, rows: list[ChildRow]) -> None:
        """The next page, in the same order."""
        self._fetching = False
        known = {r.child_id for r in self._rows}
        rows = [r for r in rows if r.child_id not in known]
        if not rows:
            self._total = len(self._rows)  # the list changed meanwhile: stop asking
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.complete and not self._fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetching = True
            self.more_wanted.emit()

    def fetch_failed(self) -> None:
        self._fetching = False

    def _sorted(self, rows: list[ChildRow]) -> list[ChildRow]:
        column, order = self._sort
        rows.sort(key=lambda r: r.name.casefold())  # ties keep alphabetical order
        rows.sort(key=lambda r: self._sort_key(r, column),
                  reverse=order == Qt.SortOrder.DescendingOrder)
        return rows

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (Column(column), order)
        if not self.complete:
            self.resort_wanted.emit()
            return
        self.layoutAboutToBeChanged.emit()
        self._rows = self._sorted(self._rows)
        self.layoutChanged.emit()

    def clear(self) -> None:
        self.set_rows([])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._text(row, column)
            return f"{HEADERS[column]}: {text or 'none'}"
        if role == CHILD_ID_ROLE:
            return row.child_id
        tint = self._tint(row, column)
        if tint is not None and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(tint.background))
        if tint is not None and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(tint.text))
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.RISK and row.risk_assessed_at:
            return f"Assessed {wording.when(row.risk_assessed_at)}"
        return None

    def _text(self, row: ChildRow, column: Column) -> str:
        if column is Column.NAME:
            return row.name
        if column is Column.AGE:
            age = row.age(uk_date(self._now))
            return "" if age is None else str(age)
        if column is Column.REFERENCE:
            return row.local_reference
        if column is Column.RISK:
            return theme.risk_text(row.risk_level)
        if column is Column.RHI:
            return wording.rhi_text(row.rhi_state, row.rhi_deadline, self._now)
        if column is Column.DRAFTS:
            return "Draft to finish" if row.has_draft else ""
        return wording.day(row.last_activity)

    def _sort_key(self, row: ChildRow, column: Column) -> Any:
        if column is Column.NAME:
            return row.name.casefold()
        if column is Column.AGE:
            return row.age(uk_date(self._now)) or -1
        if column is Column.REFERENCE:
            return row.local_reference.casefold()
        if column is Column.RISK:
            return row.risk_level.rank if row.risk_level else -1
        if column is Column.RHI:
            order = {RhiState.OVERDUE: 0, RhiState.DUE: 1, RhiState.NONE: 2}[row.rhi_state]
            return float(order * 1e12 + _stamp(row.rhi_deadline))
        if column is Column.DRAFTS:
            return int(row.has_draft)
        return _stamp(row.last_activity)

    @staticmethod
    def _tint(row: ChildRow, column: Column) -> theme.Tint | None:
        if column is Column.RISK:
            return theme.risk_tint(row.risk_level)
        if column is Column.RHI and row.rhi_state is RhiState.OVERDUE:
            return theme.OVERDUE
        if column is Column.RHI and row.rhi_state is RhiState.DUE:
            return theme.DUE
        return None


def counts_text(rows: list[ChildRow] | CaseloadCounts, filtered: bool) -> str:
    """'40 children · 3 RHIs overdue · 5 drafts' for the status bar (from the rows, or from
    the counts of every match when only a page is loaded)."""
    if isinstance(rows, CaseloadCounts):
        children, overdue, due, drafts = rows.children, rows.overdue, rows.due, rows.drafts
    else:
        children = len(rows)
        overdue = sum(r.rhi_state is RhiState.OVERDUE for r in rows)
        due = sum(r.rhi_state is RhiState.DUE for r in rows)
        drafts = sum(r.has_draft for r in rows)
    parts = [wording.plural(children, "child", "children") + (" shown" if filtered else "")]
    parts.append(f"{wording.plural(overdue, 'RHI')} overdue")
    if due:
        parts.append(f"{wording.plural(due, 'RHI')} due")
    parts.append(wording.plural(drafts, "draft"))
    return " · ".join(parts)


class CaseloadView(QWidget):
    """Search, filters, the table and the caseload's actions."""

    child_activated = Signal(str)
    add_child_requested = Signal()
    record_episode_requested = Signal(str)
    counts_changed = Signal(str)
    loaded = Signal()
    _sort_before_due: tuple[int, Qt.SortOrder] | None  # set while "RHI due" orders the table

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._session: Session | None = None
        self._focus_results = False
        self.model = CaseloadModel(self)

        self.search = named(QLineEdit(), "Search the caseload",
                            "Search names, references and everything written in records")
        self.search.setPlaceholderText("Search names, references, notes…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.risk = named(QComboBox(), "Risk level filter")
        for text, levels in RISK_CHOICES:
            self.risk.addItem(text, levels)
        self.rhi_only = QCheckBox("&Interview due or overdue")
        self.rhi_only.setAccessibleName("Only children with a return home interview due or overdue")
        self.drafts_only = QCheckBox("Has a dra&ft")
        self.drafts_only.setAccessibleName("Only children with a draft to finish")
        self.add_button = QPushButton("&Add child…")
        self.episode_button = QPushButton("Record &missing episode…")
        self.episode_button.setEnabled(False)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.risk, 1)
        filters.addWidget(self.rhi_only)
        filters.addWidget(self.drafts_only)
        actions = QHBoxLayout()
        self.heading = QLabel("Your caseload")
        self.heading.setProperty("role", "title")
        self.status = QLabel("")
        self.status.setProperty("role", "hint")
        actions.addWidget(self.heading)
        actions.addSpacing(12)
        actions.addWidget(self.status)
        # A one-press way to the children who need an interview soonest.
        self.attention = named(QPushButton(""),
                               "Show the children waiting for a return home interview")
        self.attention.setVisible(False)
        self.attention.setStyleSheet(
            f"QPushButton {{ {theme.DUE.stylesheet()} border: 1px solid {theme.DUE.text}; }}"
            f"QPushButton:hover, QPushButton:focus {{ border-width: 2px; }}")
        self.attention.clicked.connect(lambda: self.rhi_only.setChecked(True))
        actions.addWidget(self.attention)
        actions.addStretch(1)
        actions.addWidget(self.add_button)
        actions.addWidget(self.episode_button)

        self.table = named(QTableView(), "Children on your caseload",
                           "Press Enter to open the selected child")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.RHI, QHeaderView.ResizeMode.Stretch)
        for column, width in ((Column.NAME, 230), (Column.AGE, 60), (Column.REFERENCE, 120),
                              (Column.RISK, 150), (Column.DRAFTS, 130),
                              (Column.LAST_ACTIVITY, 130)):
            self.table.setColumnWidth(column, width)

        # When nothing is listed, say so in the table's place, where the eye is.
        self.empty = QLabel("")
        self.empty.setProperty("role", "subtitle")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("font-size: 13pt; background: white;"
                                 " border: 1px solid #D5D8DC;")
        self.list_area = QStackedWidget()
        self.list_area.addWidget(self.table)
        self.list_area.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(10)
        layout.addLayout(actions)
        layout.addLayout(filters)
        layout.addWidget(self.list_area, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.risk.currentIndexChanged.connect(self.refresh)
        self.rhi_only.toggled.connect(self._sort_for_due)
        self.rhi_only.toggled.connect(self.refresh)
        self.drafts_only.toggled.connect(self.refresh)
        self.add_button.clicked.connect(self.add_child_requested)
        self.episode_button.clicked.connect(self._record_episode)
        self.model.more_wanted.connect(self._load_more)
        self.model.resort_wanted.connect(self.refresh)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        QShortcut(QKeySequence.StandardKey.Find, self).activated.connect(self.focus_search)

        self.setTabOrder(self.search, self.risk)
        self.setTabOrder(self.risk, self.rhi_only)
        self.setTabOrder(self.rhi_only, self.drafts_only)
        self.setTabOrder(self.drafts_only, self.table)
        self.setTabOrder(self.table, self.add_button)
        self.setTabOrder(self.add_button, self.episode_button)
        self.setTabOrder(self.episode_button, self.attention)

    def _sort_for_due(self, on: bool) -> None:
        """With "RHI due or overdue" on, the most urgent comes first (overdue longest, then
        due soonest); turning it off puts back the order the practitioner had."""
        header = self.table.horizontalHeader()
        if on:
            self._sort_before_due = (header.sortIndicatorSection(), header.sortIndicatorOrder())
            self.table.sortByColumn(Column.RHI, Qt.SortOrder.AscendingOrder)
        elif (before := getattr(self, "_sort_before_due", None)) is not None:
            self.table.sortByColumn(*before)
            self._sort_before_due = None

    # -- data ----------------------------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        """Use this session from now on (``refresh()`` loads); None forgets every row."""
        self._session = session
        if session is not None:
            self.model.clock = session.clock
        if session is None:
            self._search_timer.stop()
            self.search.clear()
            self.model.clear()
            self.status.setText("")
            self.attention.setVisible(False)

    def current_filter(self) -> CaseloadFilter:
        levels = self.risk.currentData()
        return CaseloadFilter(
            text=self.search.text().strip(),
            risk_levels=set(levels) if levels else None,
            rhi_due_or_overdue=self.rhi_only.isChecked(),
            has_draft=self.drafts_only.isChecked(),
        )

    def is_filtered(self) -> bool:
        f = self.current_filter()
        return bool(f.text or f.risk_levels or f.rhi_due_or_overdue or f.has_draft)

    def refresh(self) -> None:
        """Load the rows off the UI thread; only the newest answer is shown."""
        if self._session is None:
            return
        self._search_timer.stop()
        self.status.setText("Loading…")
        order, descending = self.model.sql_order
        self._runner.run(Caseload(self._session).page, self.current_filter(), limit=PAGE_SIZE,
                         order=order, descending=descending, on_result=self._show_page,
                         key="caseload")

    def _load_more(self) -> None:
        """The table scrolled towards the end: the next page, off the UI thread."""
        if self._session is None:
            self.model.fetch_failed()
            return
        order, descending = self.model.sql_order
        generation = self.model.generation

        def arrived(page: CaseloadResult) -> None:
            if generation == self.model.generation:
                self.model.append_rows(page.rows)

        self._runner.run(Caseload(self._session).page, self.current_filter(),
                         offset=self.model.rowCount(), limit=PAGE_SIZE, order=order,
                         descending=descending, on_result=arrived,
                         on_error=lambda _exc: self.model.fetch_failed(), key="caseload-more")

    def _search_now(self) -> None:
        """Enter in the search box: search now, then move to the results."""
        self._focus_results = True
        self.refresh()

    def _show_page(self, page: CaseloadResult) -> None:
        selected = self.selected_child_id()
        rows = page.rows
        self.model.set_rows(rows, page.counts.children)
        filtered = self.is_filtered()
        text = counts_text(page.counts, filtered)
        self.status.setText("Filtered: " + text if filtered else "")
        waiting = page.counts.overdue + page.counts.due
        overdue = page.counts.overdue
        attention = (f"Show the {wording.plural(waiting, 'child', 'children')} "
                     "waiting for a return home interview"
                     + (f" ({overdue} overdue)" if overdue else ""))
        self.attention.setText(attention)
        self.attention.setAccessibleName(attention)  # with its counts, as shown
        self.attention.setVisible(bool(waiting) and not self.rhi_only.isChecked())
        self.counts_changed.emit(text)
        self.list_area.setCurrentWidget(self.table if rows else self.empty)
        if not rows:
            self.empty.setText("No children match this search or these filters."
                               if filtered else
                               "No children on your caseload yet.\n\n"
                               "Choose “Add child…” (Ctrl+Shift+A) to add the first one.")
        if not (selected and self.select_child(selected)):
            self.table.selectRow(0)
        if self._focus_results and rows:
            self.table.setFocus()
        self._focus_results = False
        self.loaded.emit()

    # -- selection and actions ---------------------------------------------------------------

    def selected_child_id(self) -> str | None:
        indexes = self.table.selectionModel().selectedRows()
        return indexes[0].data(CHILD_ID_ROLE) if indexes else None

    def select_child(self, child_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.index(row, 0).data(CHILD_ID_ROLE) == child_id:
                self.table.selectRow(row)
                return True
        return False

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _activated(self, index: QModelIndex) -> None:
        child_id = index.data(CHILD_ID_ROLE)
        if child_id:
            self.child_activated.emit(child_id)

    def _selection_changed(self) -> None:
        self.episode_button.setEnabled(self.selected_child_id() is not None)

    def _record_episode(self) -> None:
        child_id = self.selected_child_id()
        if child_id:
            self.record_episode_requested.emit(child_id)
