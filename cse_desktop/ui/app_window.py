"""The main window: the locked screen in front, the caseload and child pages behind it.

``AppWindow(AppOptions(...))`` is all a test or ``app.py`` needs: it shows the first-run
screen when there is no store yet, the unlock screen otherwise, and the records once open.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from .. import __version__
from ..clock import SYSTEM_CLOCK, Clock
from ..crypto.keyfile import KdfParams
from ..records import Record, RecordType
from ..services import session as sessions
from ..services.casework import Casework
from ..services.errors import ServiceError, StoreLocked
from ..store import StoreError
from . import theme
from .a11y import name_toolbar_overflow
from .caseload_view import CaseloadView
from .child_view import ChildView
from .clipboard_guard import ClipboardGuard
from .form_windows import FormWindows, forms_module
from .locking import DEFAULT_IDLE_MINUTES, IdleWatcher, OpenForm, WorkspaceSnapshot
from .optional import available, optional_module, preload
from .record_dialogs import ChildDialog, EpisodeDialog, RecordDialog, record_dialogs_available
from .recovery_notice import show_recovery_notice
from .sizing import fit_to_screen
from .sync_hookup import SyncHookup
from .unlock import FirstRunPage, UnlockPage
from .workers import TaskRunner

APP_TITLE = "Child exploitation casework"
# Big optional stacks (ReportLab + pyHanko, httpx) are imported in the background a moment
# after the window is up, never on the way to the unlock screen or on the UI thread at unlock.
PRELOAD = ("cse_desktop.services.documents", "cse_desktop.ui.sync_controller")
PRELOAD_AFTER_MS = 1500


@dataclass
class AppOptions:
    data_dir: Path
    demo: bool = False
    idle_minutes: float = DEFAULT_IDLE_MINUTES
    idle_from_command_line: bool = False  # --idle-minutes wins over the saved setting
    kdf: KdfParams | None = None  # key stretching for a new store; tests pass a fast one
    unlock_hint: str = ""  # shown on the unlock screen (the demo passphrase)
    clock: Clock = SYSTEM_CLOCK  # idle lock and clipboard clearing; tests pass a FixedClock


def run_dialog(dialog: QDialog) -> bool:
    """Show a modal dialog; True when it was accepted.  It is deleted once closed, so no
    answers linger in memory."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog.exec() == QDialog.DialogCode.Accepted


class AppWindow(QMainWindow):
    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        self.options = options
        self.session: sessions.Session | None = None
        self.interrupted_dialog: RecordDialog | None = None  # brought back after a lock
        self.snapshot = WorkspaceSnapshot()
        self.runner = TaskRunner(self)
        self.runner.default_error = self.show_error
        self.forms = FormWindows(self)
        self.forms.changed.connect(self._record_changed)
        self.forms.print_requested.connect(self.print_record)
        self._update_title()
        fit_to_screen(self, 1280, 800)  # within a 1366x768 laptop's screen

        self.caseload = CaseloadView(self.runner)
        self.child = ChildView(self.runner)
        self.workspace = QStackedWidget()
        self.workspace.addWidget(self.caseload)
        self.workspace.addWidget(self.child)

        self.first_run_page: FirstRunPage | None = None
        self.unlock_page = UnlockPage(options.data_dir, self.runner, hint=options.unlock_hint)
        self.unlock_page.unlocked.connect(self._opened)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.unlock_page)
        self.pages.addWidget(self.workspace)
        # The title says where the practitioner is ("Caseload — …"), so a screen reader
        # announcing the window says something new, not the app's name twice.
        self.pages.currentChanged.connect(self._update_title)
        self.workspace.currentChanged.connect(self._update_title)
        # A withdrawal's wipe cut short by a kill is finished now, and the practitioner told.
        self.wipe_notice = sessions.finish_interrupted_wipe(options.data_dir)
        if sessions.store_exists(options.data_dir):
            self.pages.setCurrentWidget(self.unlock_page)
        else:
            self._show_first_run()

        self.demo_banner = QLabel(theme.DEMO_WARNING)
        self.demo_banner.setStyleSheet(theme.DEMO.stylesheet() + "border-radius: 0;"
                                       " padding: 6px 16px;")
        self.demo_banner.setAccessibleName("Demo warning")
        # The banner sits above everything, toolbar included, so it is never missed.
        self.demo_bar = QToolBar("Demo warning")
        self.demo_bar.setObjectName("demoBar")
        self.demo_bar.setMovable(False)
        self.demo_bar.setStyleSheet(f"QToolBar {{ background: {theme.DEMO.background};"
                                    " border: none; padding: 0; }")
        self.demo_bar.addWidget(self.demo_banner)
        self.demo_bar.setVisible(options.demo)
        name_toolbar_overflow(self.demo_bar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.demo_bar)
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        self.setCentralWidget(self.pages)

        self.counts = QLabel("")  # read as its text ("40 children · 3 RHIs overdue")
        self.counts.setAccessibleDescription("Caseload counts")
        self.who = QLabel("")
        self.statusBar().addWidget(self.counts, 1)
        self.statusBar().addPermanentWidget(self.who)
        self.caseload.counts_changed.connect(self.counts.setText)

        self._build_actions()
        measures = optional_module("cse_desktop.ui.measures_view")
        if measures is not None:
            measures.install(self)  # Team > Performance measures… (team leads)
        # Child > Children taken off your caseload… (refused changes to a rescue file)
        withdrawn = optional_module("cse_desktop.ui.withdrawn_dialog")
        if withdrawn is not None:
            withdrawn.install(self)
        self._wire_views()
        self.idle = IdleWatcher(options.idle_minutes * 60, self, clock=options.clock)
        self.clipboard_guard = ClipboardGuard(self, clock=options.clock)
        self.idle.idle.connect(lambda: self.lock("Locked after "
                                                 f"{self._idle_words()} without activity."))
        self.idle.suspended.connect(lambda: self.lock("Locked because the computer went to "
                                                      "sleep."))
        self.sync = SyncHookup(self)
        self.sync.synced.connect(self.refresh)
        self.sync.revoked.connect(self._revoked)
        self._help_menu_last()
        self._update_actions()
        if self.wipe_notice is not None:
            notice = QMessageBox(QMessageBox.Icon.Information, "Records removed",
                                 self.wipe_notice.message, parent=self)
            notice.open()  # not blocking
        QTimer.singleShot(PRELOAD_AFTER_MS, lambda: preload(PRELOAD))

    # -- building ------------------------------------------------------------------------------

    def _action(self, text: str, slot,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                tip: str = "", everywhere: bool = False) -> QAction:
        """A menu action.  ``everywhere``: its shortcut works in form windows too (Lock,
        New case note); others stay in the main window so forms keep their own Ctrl+P."""
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut if everywhere
                                      else Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.lock_action = self._action("&Lock", lambda: self.lock(), "Ctrl+L",
                                        "Lock now: hide everything until the passphrase is "
                                        "entered", everywhere=True)
        self.caseload_action = self._action("&Caseload", self.show_caseload, "Ctrl+Home",
                                            "Back to the list of children")
        self.add_child_action = self._action("&Add child…", self.add_child, "Ctrl+Shift+A",
                                             "Add a child to your caseload")
        self.edit_child_action = self._action("&Edit child's details…",
                                              lambda: self.edit_child(self._current_child()),
                                              "Ctrl+E")
        self.episode_action = self._action("Record &missing episode…",
                                           lambda: self.record_episode(self._current_child()),
                                           "Ctrl+Shift+M", "Record that a child went missing "
                                           "or came back")
        self.checklist_action = self._action("New warning-signs &checklist…",
                                             lambda: self.new_checklist(self._current_child()),
                                             "Ctrl+Shift+K")
        self.note_action = self._action("New case &note…",
                                        lambda: self.new_note(self._current_child()), "Ctrl+N",
                                        "Write a quick case note for the selected child",
                                        everywhere=True)
        self.print_action = self._action("&Print case summary…",
                                         lambda: self.print_summary(self._current_child()),
                                         "Ctrl+P")
        self.verify_action = self._action("&Verify a signed PDF…", self.verify_pdf,
                                          tip="Check that a signed PDF has not been changed")
        self.passphrase_action = self._action("Change &passphrase…", self.change_passphrase)
        self.idle_action = self._action("Lock when &idle…", self.choose_idle_minutes,
                                        tip="Choose how long without activity before the "
                                        "app locks itself")
        self.sync_action = self._action("&Sync settings…", lambda: self.sync.open_settings(),
                                        tip="Connect to the central service and sync")
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1")
        self.about_action = self._action("&About", self.show_about)

        file_menu = self.menuBar().addMenu("&File")
        for action in (self.verify_action, self.passphrase_action, self.idle_action,
                       self.sync_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.quit_action)
        child_menu = self.menuBar().addMenu("C&hild")
        for action in (self.caseload_action, self.add_child_action, self.edit_child_action,
                       self.episode_action, self.checklist_action, self.note_action,
                       self.print_action):
            child_menu.addAction(action)
        self.help_menu = help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

        self.toolbar = QToolBar("Main")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.caseload_action, self.add_child_action, self.episode_action,
                       self.note_action):
            self.toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding,
                             spacer.sizePolicy().Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.lock_action)
        name_toolbar_overflow(self.toolbar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _help_menu_last(self) -> None:
        """Help is the last menu, whatever other parts (Team, Sync) added after it."""
        bar = self.menuBar()
        bar.removeAction(self.help_menu.menuAction())
        bar.addAction(self.help_menu.menuAction())

    def _wire_views(self) -> None:
        self.caseload.child_activated.connect(self.open_child)
        self.caseload.add_child_requested.connect(self.add_child)
        self.caseload.record_episode_requested.connect(self.record_episode)
        self.child.back_requested.connect(self.show_caseload)
        self.child.open_record.connect(self.open_record)
        self.child.start_interview.connect(self.start_interview)
        self.child.edit_child.connect(self.edit_child)
        self.child.record_episode.connect(self.record_episode)
        self.child.new_checklist.connect(self.new_checklist)
        self.child.new_note.connect(self.new_note)
        self.child.print_summary.connect(self.print_summary)

    # -- state ---------------------------------------------------------------------------------

    @property
    def is_unlocked(self) -> bool:
        return self.session is not None

    def _current_child(self) -> str | None:
        """The child the practitioner is working on: the active form's, the open page's, or
        the one selected in the caseload."""
        active = QApplication.activeWindow()
        for window in self.forms.windows.values():
            if window is active:
                form: Any = window  # a FormWindow; ui.forms is optional, so it is typed Any
                return form.record.child_id
        if self.workspace.currentWidget() is self.child:
            return self.child.child_id
        return self.caseload.selected_child_id()

    def _update_actions(self) -> None:
        unlocked = self.is_unlocked
        forms = forms_module() is not None
        dialogs = record_dialogs_available()
        for action in (self.lock_action, self.caseload_action, self.passphrase_action):
            action.setEnabled(unlocked)
        self.sync_action.setEnabled(unlocked and self.sync.available())
        self.add_child_action.setEnabled(unlocked and dialogs)
        self.edit_child_action.setEnabled(unlocked and dialogs)
        self.episode_action.setEnabled(unlocked and dialogs)
        self.checklist_action.setEnabled(unlocked and forms)
        self.note_action.setEnabled(unlocked and forms)
        pdf = self._documents_available()
        self.print_action.setEnabled(unlocked and pdf)
        self.child.print_button.setEnabled(pdf)
        self.verify_action.setEnabled(pdf)
        self.caseload.add_button.setEnabled(dialogs)
        for button in (self.child.edit_button, self.child.episode_button):
            button.setEnabled(dialogs)
        for button in (self.child.checklist_button, self.child.note_button):
            button.setEnabled(forms)
        self.toolbar.setVisible(unlocked)

    def _idle_words(self) -> str:
        minutes = self.options.idle_minutes
        if minutes >= 1 and float(minutes).is_integer():
            return f"{int(minutes)} minute{'s' if minutes != 1 else ''}"
        return f"{round(minutes * 60)} seconds"

    # -- opening and locking -------------------------------------------------------------------

    def _opened(self, session: sessions.Session) -> None:
        # The two settings read at unlock are read first, before any background work on the
        # store starts, so the UI thread never waits for the store here.
        interrupted = session.take_interrupted()
        idle_minutes = (None if self.options.idle_from_command_line
                        else session.idle_minutes(self.options.idle_minutes))
        self.session = session
        self.demo_bar.setVisible(self.options.demo or session.is_demo)
        self.who.setText(f"{session.actor.name} ({session.actor.role.label})")
        self.caseload.set_session(session)
        self.child.set_session(session)
        self.forms.set_session(session)
        self.pages.setCurrentWidget(self.workspace)
        snapshot, self.snapshot = self.snapshot, WorkspaceSnapshot()
        if snapshot.child_id:
            self.open_child(snapshot.child_id)
        else:
            self.show_caseload()
        self.forms.reopen(snapshot.forms)
        self._update_actions()
        if interrupted is not None:
            self._reopen_interrupted(interrupted)
        self.sync.start_soon(session, self.runner)
        self.recovery_notice = show_recovery_notice(self, session)  # a swapped key: say so
        if idle_minutes is not None:
            self._apply_idle_minutes(idle_minutes)
        self.idle.start()

    def lock(self, message: str = "") -> None:
        """Save open forms, remember where everything was, hide it all and drop the key."""
        if self.session is None:
            return
        self.idle.stop()
        kept_notes = self._close_dialogs()
        on_child = self.workspace.currentWidget() is self.child
        self.snapshot = WorkspaceSnapshot(child_id=self.child.child_id if on_child else None,
                                          forms=self.forms.close_all() + kept_notes)
        self._forget_session().lock()
        self.clipboard_guard.clear()
        self.unlock_page.reset(message)  # overwrites the passphrase field (clear_secrets)
        self.pages.setCurrentWidget(self.unlock_page)
        self._update_actions()
        self.unlock_page.passphrase.setFocus()

    def _forget_session(self) -> sessions.Session:
        """Clear every view and stop background work; returns the session to close."""
        assert self.session is not None
        self.sync.stop()
        self.runner.cancel_all()
        self.caseload.set_session(None)
        self.child.set_session(None)
        self.child.child_id = None
        self.forms.set_session(None)
        session, self.session = self.session, None
        self.counts.setText("")
        self.who.setText("")
        return session

    def _revoked(self, message: str) -> None:
        """The service withdrew this computer and its records were wiped: start again."""
        if self.session is None:
            return
        self.idle.stop()
        self._close_dialogs()
        self.forms.close_all()
        self.snapshot = WorkspaceSnapshot()
        self._forget_session().lock()  # already closed by the wipe; make sure of it
        self.clipboard_guard.clear()
        QMessageBox.information(self, "This computer was disconnected", message)
        self._show_first_run()
        self._update_actions()

    def _update_title(self) -> None:
        pages = getattr(self, "pages", None)
        current = pages.currentWidget() if pages is not None else None
        if current is None or current is self.unlock_page:
            place = "Locked"
        elif current is self.first_run_page:
            place = "Set up"
        elif self.workspace.currentWidget() is self.child:
            place = "Child record"
        else:
            place = "Caseload"
        demo = " — DEMO (synthetic data)" if self.options.demo else ""
        self.setWindowTitle(f"{place} — {APP_TITLE}{demo}")

    def _show_first_run(self) -> None:
        page = FirstRunPage(self.options.data_dir, self.runner, kdf=self.options.kdf,
                            demo=self.options.demo)
        page.created.connect(self._opened)
        self.first_run_page = page
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)

    def _close_dialogs(self) -> list[OpenForm]:
        """Close every dialog without questions.  A quick note being typed is saved as a draft
        first and comes back after unlocking as a case note form."""
        kept = []
        for widget in QApplication.topLevelWidgets():
            if not (isinstance(widget, QDialog) and widget.isVisible()):
                continue
            if (isinstance(widget, RecordDialog) and self.session is not None
                    and widget.has_changes()):
                # Not after a revocation: the records are already wiped.
                with contextlib.suppress(StoreLocked):
                    self.session.keep_interrupted(widget.interrupted())
            save_draft = getattr(widget, "save_draft", None)
            if callable(save_draft) and getattr(widget, "record", "") is None:
                form = getattr(widget, "form", None)
                if form is not None and form.has_input():
                    save_draft()
                record = getattr(widget, "record", None)
                if record is not None:
                    kept.append(OpenForm(record.id))
            QDialog.reject(widget)  # the plain close: no "discard?" question while locking
        return kept

    # -- navigation ----------------------------------------------------------------------------

    def show_caseload(self) -> None:
        if self.session is None:
            return
        self.workspace.setCurrentWidget(self.caseload)
        self.caseload.refresh()
        self.caseload.table.setFocus()

    def open_child(self, child_id: str) -> None:
        if self.session is None:
            return
        self.child.show_child(child_id)
        self.workspace.setCurrentWidget(self.child)
        self.child.back_button.setFocus()

    def open_record(self, record_id: str, *, new_draft: bool = False) -> Any | None:
        """Forms open in their own window; a child's details or a missing episode (facts
        kept up to date, never signed) open in their edit dialog.  ``new_draft``: the draft
        was just started, so closing it untouched leaves nothing behind."""
        work = self._casework()
        if work is None:
            return None
        if record_id in self.forms.windows:
            return self.forms.open(record_id)
        try:
            record = work.open_record(record_id)
        except (ServiceError, StoreError) as exc:
            self.show_error(exc)
            return None
        if record.record_type is RecordType.MISSING_EPISODE:
            self.edit_episode(record)
            return None
        if record.record_type is RecordType.CHILD:
            self.edit_child(record.id)
            return None
        return self.forms.open(record_id, record=record, new_draft=new_draft)

    def _record_changed(self, _record_id: str) -> None:
        if self.session is None:
            return
        if self.workspace.currentWidget() is self.child:
            self.child.refresh()
        else:
            self.caseload.refresh()

    def refresh(self) -> None:
        self._record_changed("")

    # -- casework ------------------------------------------------------------------------------

    def _casework(self) -> Casework | None:
        return Casework(self.session) if self.session is not None else None

    def add_child(self) -> None:
        work = self._casework()
        if work is None or not record_dialogs_available():
            return
        dialog = ChildDialog(work, parent=self)
        if run_dialog(dialog) and dialog.record is not None:
            self.caseload.refresh()
            self.open_child(dialog.record.id)

    def edit_child(self, child_id: str | None) -> None:
        work = self._casework()
        if work is None or not child_id or not record_dialogs_available():
            return
        if run_dialog(ChildDialog(work, child=work.open_record(child_id), parent=self)):
            self.refresh()

    def _reopen_interrupted(self, what: dict[str, Any]) -> None:
        """Bring back the Add/Edit dialog that was open when the app locked, as it was."""
        work = self._casework()
        if work is None or not record_dialogs_available():
            return
        answers = what.get("answers") if isinstance(what.get("answers"), dict) else {}
        record = work.find(what["record_id"]) if what.get("record_id") else None
        dialog: RecordDialog
        if what.get("kind") == "child":
            dialog = ChildDialog(work, child=record, parent=self, answers=answers)
        elif what.get("kind") == "episode" and what.get("child_id"):
            dialog = EpisodeDialog(work, what["child_id"], episode=record, parent=self,
                                   answers=answers)
        else:
            return
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(self._interrupted_dialog_closed)
        self.interrupted_dialog = dialog
        dialog.open()

    def _interrupted_dialog_closed(self, _result: int) -> None:
        self.interrupted_dialog = None

    def _ask_for_a_child(self, then: str) -> None:
        self.statusBar().showMessage(f"Choose a child first, then {then}.", 6000)

    def record_episode(self, child_id: str | None) -> None:
        work = self._casework()
        if work is None or not record_dialogs_available():
            return
        if not child_id:
            self._ask_for_a_child("record the missing episode")
            return
        if run_dialog(EpisodeDialog(work, child_id, parent=self)):
            self.refresh()

    def edit_episode(self, episode: Record) -> None:
        work = self._casework()
        if work is None or not record_dialogs_available():
            return
        if run_dialog(EpisodeDialog(work, episode.child_id or "", episode=episode,
                                    parent=self)):
            self.refresh()

    def start_interview(self, episode_id: str) -> Any | None:
        work = self._casework()
        if work is None:
            return None
        try:
            draft = work.start_return_interview(episode_id)
        except ServiceError as exc:
            self.show_error(exc)
            return None
        self.refresh()
        # Revision 1: nobody has typed in it yet (just started, or started and left).
        return self.open_record(draft.id, new_draft=draft.revision == 1)

    def new_checklist(self, child_id: str | None) -> Any | None:
        work = self._casework()
        if work is None:
            return None
        if not child_id:
            self._ask_for_a_child("start the checklist")
            return None
        draft = work.start_draft("warning_signs", child_id)
        self.refresh()
        return self.open_record(draft.id, new_draft=True)

    def new_note(self, child_id: str | None) -> None:
        """Ctrl+N: the quick case note for the child being worked on."""
        work = self._casework()
        module = forms_module()
        if work is None or module is None:
            return
        if not child_id:
            self._ask_for_a_child("press Ctrl+N")
            return
        if run_dialog(module.QuickNoteDialog(work, child_id, parent=self)):
            self.refresh()

    # -- documents -----------------------------------------------------------------------------

    @staticmethod
    def _documents_available() -> bool:
        """Whether printing is installed (asked without importing the PDF stack)."""
        return available("cse_desktop.ui.pdf_dialogs", ("reportlab", "pyhanko"))

    @staticmethod
    def _documents() -> Any | None:
        module = optional_module("cse_desktop.ui.pdf_dialogs")
        return module if module is not None and hasattr(module, "print_case_summary") else None

    def print_summary(self, child_id: str | None) -> None:
        module = self._documents()
        if module is None or self.session is None or not child_id:
            return
        module.print_case_summary(self.session, child_id, parent=self)

    def print_record(self, record_id: str, window: QWidget | None = None) -> None:
        module = self._documents()
        if module is None or self.session is None:
            return
        module.print_record(self.session, record_id, parent=window or self)

    def verify_pdf(self) -> None:
        module = optional_module("cse_desktop.ui.pdf_dialogs")
        dialog_class = getattr(module, "VerifyPdfDialog", None) if module else None
        if dialog_class is not None:
            run_dialog(dialog_class(parent=self, session=self.session))

    # -- small dialogs -------------------------------------------------------------------------

    def choose_idle_minutes(self) -> None:
        if self.session is None:
            return
        minutes, chosen = QInputDialog.getInt(
            self, "Lock when idle", "Lock the app after this many minutes without activity:",
            round(self.options.idle_minutes), 1, sessions.MAX_IDLE_MINUTES)
        if chosen:
            self.session.set_idle_minutes(minutes)
            self._apply_idle_minutes(minutes)

    def _apply_idle_minutes(self, minutes: float) -> None:
        self.options.idle_minutes = minutes
        self.idle.idle_seconds = minutes * 60

    def change_passphrase(self) -> None:
        if self.session is None:
            return
        from .passphrase_dialog import ChangePassphraseDialog

        run_dialog(ChangePassphraseDialog(self.session, parent=self))

    def show_shortcuts(self) -> None:
        lines = [
            ("Ctrl+L", "Lock now"),
            ("Ctrl+F", "Search the caseload"),
            ("Enter", "Open the selected child or record"),
            ("Ctrl+Home, Esc", "Back to the caseload"),
            ("Ctrl+Shift+A", "Add a child"),
            ("Ctrl+E", "Edit the child's details"),
            ("Ctrl+Shift+M", "Record a missing episode"),
            ("Ctrl+Shift+K", "New warning-signs checklist"),
            ("Ctrl+N", "New case note"),
            ("Ctrl+P", "Print the case summary"),
            ("Tab / Shift+Tab", "Move between controls"),
        ]
        text = "\n".join(f"{keys:<16} {what}" for keys, what in lines)
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", text,
                          QMessageBox.StandardButton.Ok, self)
        box.setStyleSheet("QLabel { font-family: monospace; }")
        box.exec()

    def show_about(self) -> None:
        kind = "DEMO store (made-up data)" if self.options.demo else "Your records"
        QMessageBox.about(self, "About", (
            f"{APP_TITLE}, version {__version__}\n\n"
            f"{kind} are kept encrypted in:\n{self.options.data_dir}\n\n"
            f"The app locks after {self._idle_words()} without activity."))

    def show_error(self, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, ServiceError) else (
            f"Something went wrong: {exc}. Nothing you saved has been lost.")
        QMessageBox.warning(self, "Please check", message)

    # -- closing -------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session is not None:
            self.forms.close_all()
            session = self._forget_session()
            self.runner.wait(5000)
            session.lock()
        self.idle.stop()
        super().closeEvent(event)
