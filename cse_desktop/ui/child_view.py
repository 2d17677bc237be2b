"""One child: who they are, their current risk and why, open actions, missing episodes with
the return home interview status, and a chronology of everything recorded, newest first."""

from __future__ import annotations

import itertools
from datetime import date

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..forms import RiskResult
from ..records import SIGNABLE_TYPES, RecordState, RecordType
from ..services.caseload import Caseload, ChildOverview, ChronologyEntry, EpisodeStatus, RhiState
from ..services.session import Session
from . import theme, wording
from .a11y import named
from .workers import TaskRunner

RECORD_ID_ROLE = Qt.ItemDataRole.UserRole
CHRONOLOGY_FILTERS: tuple[tuple[str, set[RecordType] | None], ...] = (
    ("Everything", None),
    ("Missing episodes", {RecordType.MISSING_EPISODE}),
    ("Return home interviews", {RecordType.RETURN_INTERVIEW}),
    ("Warning-signs checklists", {RecordType.WARNING_SIGNS}),
    ("Case notes", {RecordType.CASE_NOTE}),
    ("Addenda", {RecordType.ADDENDUM}),
)
PLACEMENTS = {"home": "At home", "foster_care": "Foster care", "residential": "Residential home",
              "supported_lodgings": "Supported lodgings", "other": "Other placement"}


def _label(text: str = "", role: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        label.setProperty("role", role)
    return label


def badge(text: str, tint: theme.Tint) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(tint.stylesheet())
    return label


def _clear(layout: QLayout) -> None:
    while (item := layout.takeAt(0)) is not None:  # None once the layout is empty
        widget = item.widget()
        inner = item.layout()
        if widget is not None:
            widget.deleteLater()
        elif inner is not None:
            _clear(inner)


def _tree(name: str, headers: list[str]) -> QTreeWidget:
    tree = named(QTreeWidget(), name)
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setAllColumnsShowFocus(True)
    return tree


MOST_REASONS_SHOWN = 4


def risk_reasons(result: RiskResult, most: int | None = None) -> list[str]:
    """One line per reason: serious concerns, then the rest biggest first (``most`` of them,
    then how many more), then one line for what is not known yet."""
    lines = [f"{item.label} (serious concern: high risk by itself)"
             for item in result.overrides]
    rest = [f"{item.label} (adds {item.weight})"
            for item in sorted(result.contributions, key=lambda c: -c.weight)
            if item not in result.overrides]
    if most is not None and len(rest) > most:
        hidden = len(rest) - most
        rest = [*rest[:most], f"…and {hidden} more (open the checklist to see them all)"]
    lines += rest
    unknown = [label for _field_id, label in result.not_known]
    if unknown:
        listed = ", ".join(unknown[:3]) + (f" and {len(unknown) - 3} more"
                                           if len(unknown) > 3 else "")
        lines.append(f"Not known yet, to follow up: {listed}")
    return lines


def episode_status_text(status: EpisodeStatus) -> str:
    if status.returned_at is None:
        return "Not back yet"
    if status.state is RhiState.OVERDUE:
        return f"Interview overdue since {wording.when(status.deadline)}"
    if status.state is RhiState.DUE:
        return f"Interview due by {wording.when(status.deadline)}"
    if status.interview is None:
        return ""
    done = "signed" if status.interview.is_signed else "draft"
    if status.offered_in_time is True:
        return f"Interview offered in time ({done})"
    if status.offered_in_time is False:
        return f"Interview offered late ({done})"
    return f"Interview started ({done})"


class ChildView(QWidget):
    """The child's page.  Everything is loaded off the UI thread."""

    back_requested = Signal()
    open_record = Signal(str)
    start_interview = Signal(str)  # episode id
    edit_child = Signal(str)
    record_episode = Signal(str)
    new_checklist = Signal(str)
    new_note = Signal(str)
    print_summary = Signal(str)
    loaded = Signal()

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._session: Session | None = None
        self.child_id: str | None = None
        self.overview: ChildOverview | None = None

        self.back_button = QPushButton("← Back to caseload")
        self.back_button.setAccessibleName("Back to caseload")
        self.back_button.setToolTip("Back to the caseload (Esc or Alt+Left)")
        self.title = _label("", "title")
        self.risk_badge = badge("", theme.risk_tint(None))
        self.details = _label("", "subtitle")
        self.edit_button = QPushButton("&Edit details…")
        self.episode_button = QPushButton("Record &missing episode…")
        self.checklist_button = QPushButton("New warning-signs &checklist…")
        self.note_button = QPushButton("New case &note…  (Ctrl+N)")
        self.note_button.setAccessibleName("New case note")
        self.print_button = QPushButton("&Print case summary…")
        self.print_button.setEnabled(False)
        self.print_button.setToolTip("Available when PDF printing is installed")

        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addSpacing(12)
        header.addWidget(self.title, 1)
        # An interview due or overdue is said at the top, not only further down the page.
        self.rhi_badge = QPushButton("")
        self.rhi_badge.setObjectName("rhiBadge")
        self.rhi_badge.setFlat(True)
        self.rhi_badge.setAutoDefault(False)
        self.rhi_badge.setToolTip("Go to the missing episodes")
        self.rhi_badge.setAccessibleName("Return home interview due or overdue")
        self.rhi_badge.clicked.connect(self._show_episodes_box)
        self.rhi_badge.hide()
        header.addWidget(self.rhi_badge)
        header.addWidget(self.risk_badge)
        buttons = QHBoxLayout()
        for button in (self.edit_button, self.episode_button, self.checklist_button,
                       self.note_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        # left: risk, actions, episodes
        self.risk_box = QGroupBox("Current risk level")
        self._risk_layout = QVBoxLayout(self.risk_box)
        self.actions_box = QGroupBox("Open actions")
        self.actions_tree = _tree("Open actions", ["What", "Who", "Due"])
        self.actions_tree.itemActivated.connect(self._open_item)
        actions_head = self.actions_tree.header()
        actions_head.setStretchLastSection(False)
        actions_head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        actions_head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        actions_head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.actions_tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QVBoxLayout(self.actions_box).addWidget(self.actions_tree)
        self.episodes_box = QGroupBox("Missing episodes")
        self._episodes_layout = QVBoxLayout(self.episodes_box)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(self.risk_box)
        left_layout.addWidget(self.actions_box)
        left_layout.addWidget(self.episodes_box)
        left_layout.addStretch(1)
        left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setWidget(left)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to what is inside
        left_scroll.setMinimumWidth(420)
        self._left_scroll = left_scroll

        # right: chronology
        self.chronology_filter = named(QComboBox(), "Show in chronology")
        for text, types in CHRONOLOGY_FILTERS:
            self.chronology_filter.addItem(text, types)
        self.chronology = _tree("Chronology", ["When", "What", "Summary", "Status", "By"])
        self.chronology.setAccessibleDescription("Press Enter to open the selected record")
        self.chronology.itemActivated.connect(self._open_item)
        head = self.chronology.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 150), (1, 290), (3, 80), (4, 130)):
            self.chronology.setColumnWidth(column, width)
        chron_box = QGroupBox("Chronology (newest first)")
        chron_layout = QVBoxLayout(chron_box)
        row = QHBoxLayout()
        row.addWidget(QLabel("Show"))
        row.addWidget(self.chronology_filter)
        row.addStretch(1)
        chron_layout.addLayout(row)
        chron_layout.addWidget(self.chronology)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left_scroll)
        self.splitter.addWidget(chron_box)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([470, 850])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        layout.addWidget(self.splitter, 1)

        self.back_button.clicked.connect(self.back_requested)
        self.edit_button.clicked.connect(lambda: self._emit(self.edit_child))
        self.episode_button.clicked.connect(lambda: self._emit(self.record_episode))
        self.checklist_button.clicked.connect(lambda: self._emit(self.new_checklist))
        self.note_button.clicked.connect(lambda: self._emit(self.new_note))
        self.print_button.clicked.connect(lambda: self._emit(self.print_summary))
        self.chronology_filter.currentIndexChanged.connect(self.load_chronology)
        for keys in (QKeySequence(QKeySequence.StandardKey.Back), QKeySequence("Escape")):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.back_requested.emit)

    def _emit(self, signal: SignalInstance) -> None:
        if self.child_id:
            signal.emit(self.child_id)

    # -- loading -------------------------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        self._session = session
        if session is None:
            self.clear()

    def clear(self) -> None:
        """Forget everything shown (used when locking)."""
        self.overview = None
        self.title.setText("")
        self.details.setText("")
        self.risk_badge.setText("")
        self.rhi_badge.hide()
        self.actions_tree.clear()
        self.chronology.clear()
        _clear(self._risk_layout)
        _clear(self._episodes_layout)

    def show_child(self, child_id: str) -> None:
        if self.child_id != child_id:
            self.clear()
        self.child_id = child_id
        self.refresh()

    def refresh(self) -> None:
        if self._session is None or self.child_id is None:
            return
        self._runner.run(Caseload(self._session).overview, self.child_id,
                         on_result=self._show_overview, key="child-overview")
        self.load_chronology()

    def load_chronology(self) -> None:
        if self._session is None or self.child_id is None:
            return
        types = self.chronology_filter.currentData()
        self._runner.run(Caseload(self._session).chronology, self.child_id,
                         set(types) if types else None,
                         on_result=self._show_chronology, key="child-chronology")

    # -- showing -------------------------------------------------------------------------------

    def _show_overview(self, overview: ChildOverview) -> None:
        if overview.child.id != self.child_id:
            return
        self.overview = overview
        data = overview.child.data
        self.title.setText(overview.name)
        level = overview.current_risk.shown_level if overview.current_risk else None
        self.risk_badge.setText(theme.risk_text(level))
        self.risk_badge.setStyleSheet(theme.risk_tint(level).stylesheet())
        self.risk_badge.setAccessibleName(f"Current risk level: {theme.risk_text(level)}")
        self.details.setText(self._details_text(data, overview.today))
        self._show_rhi_badge(overview)
        self._show_risk(overview)
        self._show_actions(overview)
        self._show_episodes(overview)
        self._apply_tab_order()
        self.loaded.emit()

    def _show_rhi_badge(self, overview: ChildOverview) -> None:
        """"Interview overdue" (red) or "Interview due by …" (amber) beside the risk badge."""
        overdue = [e for e in overview.episodes if e.state is RhiState.OVERDUE]
        due = [e for e in overview.episodes if e.state is RhiState.DUE]
        if overdue:
            text = (f"RHI overdue ({len(overdue)})" if len(overdue) > 1
                    else "RHI overdue since " + wording.when(overdue[0].deadline))
            tint = theme.OVERDUE
        elif due:
            soonest = min(due, key=lambda e: e.deadline or overview.child.created_at)
            text, tint = f"RHI due by {wording.when(soonest.deadline)}", theme.DUE
        else:
            self.rhi_badge.hide()
            return
        self.rhi_badge.setText(text)
        self.rhi_badge.setAccessibleName(f"Return home interview: {text}. Press to go to the "
                                         "missing episodes.")
        self.rhi_badge.setStyleSheet(f"QPushButton#rhiBadge {{ {tint.stylesheet()} "
                                     f"border: 1px solid {tint.text}; }}")
        self.rhi_badge.show()

    def _show_episodes_box(self) -> None:
        self._left_scroll.ensureWidgetVisible(self.episodes_box, 0, 0)
        buttons = self.episodes_box.findChildren(QPushButton)
        if buttons:
            buttons[0].setFocus()

    def _apply_tab_order(self) -> None:
        """Tab follows the page: header buttons, risk, actions, episodes, chronology.  (The
        rows made for each child are new widgets, which Qt would otherwise visit last.)"""
        chain: list[QWidget] = [self.back_button, self.edit_button, self.episode_button,
                                self.checklist_button, self.note_button, self.print_button]
        chain += self.risk_box.findChildren(QPushButton)
        chain.append(self.actions_tree)
        chain += self.episodes_box.findChildren(QPushButton)
        chain += [self.chronology_filter, self.chronology]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _details_text(data: dict, today: date) -> str:
        parts = []
        dob = data.get("date_of_birth")
        if isinstance(dob, str) and dob:
            born = date.fromisoformat(dob[:10])
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            parts.append(f"Born {wording.day(born)} (age {age})")
        if data.get("local_reference"):
            parts.append(f"Council ref. {data['local_reference']}")
        if data.get("placement_type"):
            parts.append(PLACEMENTS.get(data["placement_type"], str(data["placement_type"])))
        if data.get("school_or_college"):
            parts.append(str(data["school_or_college"]))
        if data.get("allocated_worker"):
            parts.append(f"Allocated worker: {data['allocated_worker']}")
        return "  ·  ".join(parts)

    def _show_risk(self, overview: ChildOverview) -> None:
        _clear(self._risk_layout)
        result = overview.current_risk
        if result is None:
            self._risk_layout.addWidget(_label(
                "No signed warning-signs checklist yet. Start one with “New warning-signs "
                "checklist…”.", "hint"))
            return
        level = badge(f"{result.headline}  (score {result.score})",
                      theme.risk_tint(result.shown_level))
        level.setAccessibleName(f"{result.headline}, score {result.score}")
        row = QHBoxLayout()
        row.addWidget(level)
        row.addWidget(_label(f"Assessed {wording.when(overview.risk_assessed_at)}", "hint"), 1)
        self._risk_layout.addLayout(row)
        reasons = risk_reasons(result, MOST_REASONS_SHOWN)
        text = "\n".join(f"•  {line}" for line in reasons) or "No warning signs were ticked."
        shown = _label(text)
        shown.setToolTip("\n".join(risk_reasons(result)))
        self._risk_layout.addWidget(shown)
        earlier = overview.risk_history[:-1][-3:]
        if earlier:
            trend = ", ".join(f"{p.level.label} ({wording.day(p.assessed_at)})"
                              for p in reversed(earlier))
            self._risk_layout.addWidget(_label(f"Earlier checklists: {trend}", "hint"))
        if overview.risk_record_id:
            open_button = QPushButton("Open this checklist")
            record_id = overview.risk_record_id
            open_button.clicked.connect(lambda: self.open_record.emit(record_id))
            self._risk_layout.addWidget(open_button, 0, Qt.AlignmentFlag.AlignLeft)

    def _show_actions(self, overview: ChildOverview) -> None:
        self.actions_tree.clear()
        for action in overview.open_actions:
            overdue = action.is_overdue(overview.today)
            due = wording.day(action.due_date) if action.due_date else "No date"
            item = QTreeWidgetItem([action.what, action.owner,
                                    f"Overdue: {due}" if overdue else due])
            item.setData(0, RECORD_ID_ROLE, action.record_id)
            if overdue:
                for column in range(3):
                    item.setForeground(column, QBrush(QColor(theme.OVERDUE.text)))
                    item.setBackground(column, QBrush(QColor(theme.OVERDUE.background)))
            self.actions_tree.addTopLevelItem(item)
        if not overview.open_actions:
            self.actions_tree.addTopLevelItem(QTreeWidgetItem(["No open actions", "", ""]))
        rows = max(1, min(6, self.actions_tree.topLevelItemCount()))
        self.actions_tree.setFixedHeight(40 + rows * 30)
        self.actions_box.setTitle(f"Open actions ({len(overview.open_actions)})")

    def _show_episodes(self, overview: ChildOverview) -> None:
        _clear(self._episodes_layout)
        self.episodes_box.setTitle(f"Missing episodes ({len(overview.episodes)})")
        if not overview.episodes:
            self._episodes_layout.addWidget(_label("No missing episodes recorded.", "hint"))
        for status in overview.episodes:
            self._episodes_layout.addWidget(self._episode_row(status))

    def _episode_row(self, status: EpisodeStatus) -> QWidget:
        """Two lines: when they were missing, then the interview status and its buttons."""
        row = QFrame()
        row.setObjectName("episodeRow")
        row.setStyleSheet("QFrame#episodeRow { border-bottom: 1px solid #E1E4E8; }")
        layout = QVBoxLayout(row)
        layout.setContentsMargins(2, 6, 2, 6)
        layout.setSpacing(4)
        kind = "Absent" if status.episode.data.get("missing_or_absent") == "absent" else "Missing"
        when = wording.when(status.went_missing_at)
        back = (f"back {wording.when(status.returned_at)}" if status.returned_at
                else "not back yet")
        layout.addWidget(_label(f"{kind} from {when}, {back}"))
        state_text = episode_status_text(status)
        if state_text:
            tint = {RhiState.OVERDUE: theme.OVERDUE, RhiState.DUE: theme.DUE}.get(status.state)
            state = badge(state_text, tint) if tint else _label(state_text, "hint")
            state.setWordWrap(True)  # a narrow column wraps the message instead of cutting it
            state.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            layout.addWidget(state)
        line = QHBoxLayout()
        episode_id = status.episode.id
        view = QPushButton("Episode details")
        view.setAccessibleName(f"Episode details: {kind.lower()} from {when}")
        view.clicked.connect(lambda: self.open_record.emit(episode_id))
        line.addWidget(view)
        if status.returned_at is not None and status.interview is None:
            start = QPushButton("Start return home interview")
            start.setAccessibleName(f"Start return home interview: {kind.lower()} from {when}")
            start.clicked.connect(lambda: self.start_interview.emit(episode_id))
            line.addWidget(start)
        elif status.interview is not None:
            interview_id = status.interview.id
            text = "Open interview" if status.interview.is_signed else "Continue interview"
            button = QPushButton(text)
            button.setAccessibleName(f"{text}: {kind.lower()} from {when}")
            button.clicked.connect(lambda: self.open_record.emit(interview_id))
            line.addWidget(button)
        line.addStretch(1)
        layout.addLayout(line)
        return row

    def _show_chronology(self, entries: list[ChronologyEntry]) -> None:
        self.chronology.clear()
        items = []
        for entry in entries:
            if entry.record_type not in SIGNABLE_TYPES:
                status = "Recorded"
            else:
                status = "Signed" if entry.state is RecordState.SIGNED else "Draft"
            item = QTreeWidgetItem([wording.short_when(entry.occurred_at), entry.title,
                                    entry.summary, status, entry.author])
            item.setData(0, RECORD_ID_ROLE, entry.record_id)
            item.setToolTip(1, entry.title)
            item.setToolTip(2, entry.summary)
            if status == "Draft":
                item.setForeground(3, QBrush(QColor(theme.DRAFT.text)))
                font = item.font(3)
                font.setBold(True)
                item.setFont(3, font)
            items.append(item)
        self.chronology.addTopLevelItems(items)
        if items:
            self.chronology.setCurrentItem(items[0])

    def _open_item(self, item: QTreeWidgetItem) -> None:
        record_id = item.data(0, RECORD_ID_ROLE)
        if record_id:
            self.open_record.emit(record_id)
