"""A whole form, built from the record's own form definition (any form, any version).

Sections are titled boxes in one scrolling page with a list of sections on the left to jump
between them.  Questions appear and disappear as answers change (``show_if``); problems are
shown under each question, and all together at the top when signing is refused.  Drafts are
saved in the background a few seconds after each change; ``flush()`` saves at once.

Return home interviews get the 72-hour banner; checklists get the live risk panel.  Signed
records are shown read-only with who signed them and a way to add an addendum.

    view = FormView(casework, record)
    view.signed.connect(...)
    view.flush()                  # before closing or locking
    state = view.position()       # where the practitioner was
    view.restore_position(state)  # after unlocking, on a new view
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.forms import (
    FieldError,
    FormDefinition,
    clean_answers,
    is_required,
    visible_fields,
    with_scored_level,
)
from cse_desktop.records import Record
from cse_desktop.services.casework import Casework

from ..a11y import RelatedLabel
from ..announce import announce
from .autosave import DraftSaver
from .deadline_banner import DeadlineBanner
from .editor_base import answers_of
from .error_summary import ErrorSummary, top_field
from .field_widgets import FieldEditor, ListEditor, create_editor
from .references import reference_describer
from .risk_panel import RiskPanel
from .section_navigator import SectionNavigator
from .signed_banner import AddendaPanel, SignedBanner
from .style import ERROR_TEXT, FORM_STYLE
from .timefmt import clock, day_and_time, to_local

DEFAULT_AUTOSAVE_MS = 3000
MAX_FIELD_WIDTH = 820  # long lines are hard to read and to scan
ADDENDA_SECTION = "__addenda__"


class FormView(QWidget):
    """One record's form: editing a draft, or reading a signed record."""

    changed = Signal()  # the practitioner changed an answer
    status_changed = Signal(str)  # "Saving…", "Saved 14:05:12", "Could not save: …"
    saved = Signal(object)  # Record, after each successful save
    save_failed = Signal(str)
    signed = Signal(object)  # Record, once signed
    addendum_added = Signal(object)  # the addendum Record (signed or left as a draft)

    def __init__(self, casework: Casework, record: Record, *,
                 autosave_ms: int = DEFAULT_AUTOSAVE_MS, read_only: bool | None = None,
                 now: Callable[[], datetime] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.casework = casework
        self.record = record
        self.definition: FormDefinition = casework.definition_of(record)
        self._now = now or casework.session.clock.now
        self._edited = False
        self._validating = False  # after a refused signing, problems update as they are fixed
        self._last_field: str | None = None
        self.errors: list[FieldError] = []
        self.editors: dict[str, FieldEditor] = {}
        self.section_boxes: dict[str, QGroupBox] = {}
        self.setObjectName("formView")
        self.setStyleSheet(FORM_STYLE)

        self._saver = DraftSaver(casework, record, self)
        self._saver.saving.connect(lambda: self._set_status("Saving…"))
        self._saver.saved.connect(self._on_saved)
        self._saver.failed.connect(self._on_save_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(0, autosave_ms))
        self._timer.timeout.connect(self.save_soon_now)

        self._build()
        self._load(record.data)
        self._read_only = False
        self.set_read_only(record.is_signed if read_only is None else read_only)
        self._refresh_everything()
        self._watching_focus = False
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
            self._watching_focus = True
        self._set_status(self._initial_status())

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)

        self.signed_banner = SignedBanner()
        self.signed_banner.add_addendum.connect(self.add_addendum)
        self.signed_banner.hide()
        outer.addWidget(self.signed_banner)

        self.deadline_banner: DeadlineBanner | None = None
        if self._is_rhi():
            late = (self.definition.field("late_reason").label
                    if self.definition.has_field("late_reason") else "the notes")
            self.deadline_banner = DeadlineBanner(late, now=self._now)
            outer.addWidget(self.deadline_banner)

        self.error_summary = ErrorSummary()
        self.error_summary.go_to_field.connect(self.focus_field)
        outer.addWidget(self.error_summary)

        body = QHBoxLayout()
        body.setSpacing(8)
        outer.addLayout(body, 1)

        self.navigator = SectionNavigator()
        self.navigator.section_chosen.connect(self.scroll_to_section)
        self.navigator.section_entered.connect(self.enter_section)
        body.addWidget(self.navigator)

        self.scroll_area = QScrollArea()
        self.scroll_area.setAccessibleName(f"{self.definition.title}: questions")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.verticalScrollBar().valueChanged.connect(self._sync_navigator)
        body.addWidget(self.scroll_area, 1)

        page = QWidget()
        page.setObjectName("formPage")
        self.scroll_area.setWidget(page)
        column = QVBoxLayout(page)
        column.setContentsMargins(4, 0, 12, 12)
        column.setSpacing(10)
        if self.definition.description:
            intro = QLabel(self.definition.description)
            intro.setWordWrap(True)
            column.addWidget(intro)

        describe = reference_describer(self.casework)
        for section in self.definition.sections:
            box = QGroupBox(section.title)
            box.setObjectName("formSection")
            box.setAccessibleName(section.title)
            box_layout = QVBoxLayout(box)
            box_layout.setSpacing(14 if not self._is_checklist() else 8)
            box_layout.setContentsMargins(12, 18, 12, 12)
            if section.description:
                # The section's own words: its description, read when focus enters it.
                box.setAccessibleDescription(section.description)
                text = RelatedLabel(section.description)

                def this_box(box: QWidget = box) -> QWidget:
                    return box

                text.relate_to(this_box)
                text.setObjectName("sectionDescription")
                text.setWordWrap(True)
                box_layout.addWidget(text)
            for field in section.fields:
                editor = create_editor(field, describe_ref=describe,
                                       clock=self.casework.session.clock)
                if field.type not in ("indicator", "list"):
                    editor.setMaximumWidth(MAX_FIELD_WIDTH)
                editor.changed.connect(self._on_editor_changed)
                if isinstance(editor, ListEditor):
                    editor.rows_changed.connect(self._apply_tab_order)
                self.editors[field.id] = editor
                box_layout.addWidget(editor)
            self.section_boxes[section.id] = box
            column.addWidget(box)
            self.navigator.add_section(section.id, section.title)

        self.addenda_panel = AddendaPanel()
        self.addenda_panel.sign_requested.connect(self._sign_addendum)
        self.addenda_panel.hide()
        column.addWidget(self.addenda_panel)
        column.addStretch(1)

        self.risk_panel: RiskPanel | None = None
        if self._is_checklist():
            self.risk_panel = RiskPanel(self.definition)
            body.addWidget(self.risk_panel)

        footer = QHBoxLayout()
        footer.addStretch(1)
        self.status_bar = QWidget()  # FormWindow puts this beside its buttons
        status_row = QHBoxLayout(self.status_bar)
        status_row.setContentsMargins(0, 0, 0, 0)
        self.status_label = QLabel()
        self.status_label.setObjectName("saveStatus")
        self.status_label.setAccessibleDescription("Save status")  # its name is its text
        self.status_label.setWordWrap(True)
        self.keep_mine_button = QPushButton("Keep what I typed")
        self.keep_mine_button.setToolTip(
            "Save your answers over the version that was changed somewhere else.")
        self.keep_mine_button.clicked.connect(self.keep_what_i_typed)
        self.keep_mine_button.hide()
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight
                                       | Qt.AlignmentFlag.AlignVCenter)
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.keep_mine_button)
        footer.addWidget(self.status_bar)
        outer.addLayout(footer)

    def _is_rhi(self) -> bool:
        return self.definition.has_field("returned_at") and self.definition.has_field(
            "offered_at")

    def _is_checklist(self) -> bool:
        return self.definition.scoring is not None

    def _load(self, data: dict[str, Any]) -> None:
        for field_id, editor in self.editors.items():
            editor.set_value(data.get(field_id))

    # -- answers ------------------------------------------------------------------------------

    def raw_answers(self) -> dict[str, Any]:
        """Everything in the editors, including answers to questions now hidden."""
        return answers_of(self.editors)

    def answers(self) -> dict[str, Any]:
        """The answers as they would be saved (hidden questions' answers left out)."""
        return clean_answers(self.definition, self.raw_answers())

    def set_answers(self, answers: dict[str, Any]) -> None:
        """Put answers back (e.g. unsaved typing kept across a lock); they count as changes."""
        self._load(answers)
        self._on_editor_changed()

    def is_read_only(self) -> bool:
        return self._read_only

    def was_edited(self) -> bool:
        """True once the practitioner changed any answer in this view."""
        return self._edited

    def has_unsaved_changes(self) -> bool:
        return self._edited and (self._timer.isActive() or self._saver.is_busy()
                                 or self._saver.last_problem is not None)

    # -- live updates -------------------------------------------------------------------------

    def _on_editor_changed(self) -> None:
        if self._read_only or not self._saver.enabled:
            return
        self._edited = True
        self._refresh_everything()
        if not self._timer.isActive():
            self._timer.start()
        self._set_status("Not saved yet")
        self.changed.emit()

    def _refresh_everything(self) -> None:
        raw = self.raw_answers()
        effective = clean_answers(self.definition, raw)
        shown = {f.id for f in visible_fields(self.definition, raw)}
        judged = with_scored_level(self.definition, effective)  # for "if high risk" rules
        for section in self.definition.sections:
            any_shown = False
            for field in section.fields:
                editor = self.editors[field.id]
                visible = field.id in shown
                editor.setVisible(visible)
                any_shown = any_shown or visible
                editor.set_required(is_required(field, judged))
            self.section_boxes[section.id].setVisible(any_shown)
            self.navigator.set_section_hidden(section.id, not any_shown)
        if self.deadline_banner is not None:
            self.deadline_banner.update_answers(effective)
        if self.risk_panel is not None:
            self.risk_panel.update_answers(effective)
        if not self._read_only:
            self._check(effective)

    def _check(self, answers: dict[str, Any]) -> None:
        """Problems under each question: wrong kinds of answer always; missing answers only
        after signing has been tried."""
        errors = self.casework.check(self.record, answers, complete=self._validating)
        self._show_errors(errors, summary=self._validating)

    def _show_errors(self, errors: list[FieldError], *, summary: bool) -> None:
        self.errors = errors
        by_field: dict[str, list[str]] = {}
        for error in errors:
            by_field.setdefault(top_field(error.field_id), []).append(error.message)
        for field_id, editor in self.editors.items():
            messages = by_field.get(field_id)
            editor.set_error("\n".join(messages) if messages else None)
        counts: dict[str, int] = {}
        for field_id in by_field:
            if self.definition.has_field(field_id):
                section = self.definition.section_of(field_id).id
                counts[section] = counts.get(section, 0) + 1
        self.navigator.show_problem_counts(counts)
        if summary:
            count = len(errors)
            heading = (f"This form cannot be signed yet. {count} answer"
                       f"{'s need' if count != 1 else ' needs'} attention:")
            self.error_summary.show_errors(errors, heading)
        else:
            self.error_summary.hide()

    # -- saving -------------------------------------------------------------------------------

    def save_soon_now(self) -> None:
        """Start a background save of the current answers (the autosave timer calls this)."""
        self._timer.stop()
        if self._read_only:
            return
        self._saver.request(self.answers())

    def flush(self) -> bool:
        """Save what is on screen now and wait for it.  True when nothing is left unsaved.
        Call before closing, locking or signing."""
        self._timer.stop()
        if self._read_only:
            return True
        if not self._edited:
            self._saver.wait()
            return self._saver.last_problem is None
        return self._saver.flush(self.answers())

    def _on_saved(self, record: Record, _errors: list[FieldError]) -> None:
        self.record = record
        self.keep_mine_button.hide()
        newer = self._timer.isActive() or self._saver.is_busy()
        self._set_status("Not saved yet" if newer else f"Saved {clock(self._now())}")
        self.saved.emit(record)

    def _on_save_failed(self, problem: str) -> None:
        self._set_status(f"Could not save: {problem}")
        self.keep_mine_button.setVisible(self._saver.stale and not self._read_only)
        self.save_failed.emit(problem)

    def keep_what_i_typed(self) -> bool:
        """Save over a version changed elsewhere (the practitioner chose theirs)."""
        self._timer.stop()
        saved = self._saver.overwrite(self.answers())
        self.keep_mine_button.setVisible(not saved and self._saver.stale)
        return saved

    def _initial_status(self) -> str:
        if self._read_only:
            return ""
        saved = self.record.updated_at
        now = self._now()
        if to_local(saved).date() == to_local(now).date():
            return f"Last saved {to_local(saved):%H:%M}"
        return f"Last saved {day_and_time(saved, now=now)}"

    def _set_status(self, text: str) -> None:
        if text == self.status_label.text():
            return
        failed = text.startswith("Could not save")
        if failed != self.status_label.property("failed"):
            self.status_label.setProperty("failed", failed)
            self.status_label.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 700;"
                                            if failed else "")
        self.status_label.setText(text)
        if text != "Saving…":  # "Saved 14:05:12" and problems are spoken, not every attempt
            announce(self.status_label, text, urgent=failed)
        self.status_changed.emit(text)

    def status_text(self) -> str:
        return self.status_label.text()

    # -- signing ------------------------------------------------------------------------------

    def problems_before_signing(self) -> list[FieldError]:
        """Check the whole form as for signing; show the problems and go to the first."""
        errors = self.casework.check(self.record, self.answers(), complete=True)
        self._validating = bool(errors) or self._validating
        self._show_errors(errors, summary=bool(errors))
        if errors:
            self.focus_first_error()
        return errors

    def request_sign(self) -> Record | None:
        """Check, save, then ask for the signature and passphrase.  The signed record, or
        None if it was not signed (problems shown, or the practitioner cancelled)."""
        from .sign_dialog import SignDialog

        if self._read_only:
            return None
        if self.problems_before_signing():
            return None
        self.flush()
        answers = self.answers()
        dialog = SignDialog(self.casework, self.record, answers, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.signed_record is None:
            if dialog.validation_errors:
                self._validating = True
                self._show_errors(dialog.validation_errors, summary=True)
                self.focus_first_error()
            return None
        self.mark_signed(dialog.signed_record)
        return dialog.signed_record

    def mark_signed(self, record: Record) -> None:
        """Show a record that has just been signed: read-only, with the signed banner."""
        self.record = record
        self._edited = False
        self._load(record.data)
        self.set_read_only(True)
        self._refresh_everything()
        self._set_status("")
        self.show_top()
        self.signed.emit(record)

    def show_top(self) -> None:
        """Scroll back to the first question (after signing: the signed answers, not the
        empty addenda at the bottom)."""
        self.scroll_area.verticalScrollBar().setValue(0)
        QTimer.singleShot(0, lambda: self.scroll_area.verticalScrollBar().setValue(0))

    # -- read-only and addenda ----------------------------------------------------------------

    def set_read_only(self, read_only: bool) -> None:
        """Show the answers as text (always for signed records) or as editors again."""
        if not read_only and self.record.is_signed:
            read_only = True  # a signed record is never edited
        self._read_only = read_only
        self._saver.enabled = not read_only
        if read_only:
            self._timer.stop()
            self.error_summary.hide()
            for editor in self.editors.values():
                editor.set_error(None)
        for editor in self.editors.values():
            editor.set_read_only(read_only)
        signed = self.record.is_signed
        self.signed_banner.setVisible(signed)
        if signed:
            self.signed_banner.show_record(self.record)
            self._show_addenda()
        self._apply_tab_order()

    def _show_addenda(self) -> None:
        addenda = self.casework.addenda_of(self.record.id)
        self.addenda_panel.show_addenda(addenda)
        self.addenda_panel.show()
        self.navigator.add_section(ADDENDA_SECTION, "Addenda")
        self._apply_tab_order()

    def add_addendum(self) -> Record | None:
        """Ask for an addendum to this signed record, then for its signature."""
        from .addendum_dialog import AddendumDialog

        if not self.record.is_signed:
            return None
        dialog = AddendumDialog(self.casework, self.record, parent=self)
        dialog.exec()
        addendum = dialog.addendum
        if addendum is not None:
            self._show_addenda()
            self.addendum_added.emit(addendum)
        return addendum

    def _sign_addendum(self, addendum: Record) -> None:
        from .sign_dialog import SignDialog

        dialog = SignDialog(self.casework, addendum, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.signed_record is not None:
            self._show_addenda()
            self.addendum_added.emit(dialog.signed_record)

    # -- navigation, focus, position ----------------------------------------------------------

    def _section_widget(self, section_id: str) -> QWidget:
        if section_id == ADDENDA_SECTION:
            return self.addenda_panel
        return self.section_boxes[section_id]

    def enter_section(self, section_id: str) -> None:
        """Go to a section and put the cursor in its first shown question."""
        self.scroll_to_section(section_id)
        if section_id == ADDENDA_SECTION:
            self.addenda_panel.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        section = next(s for s in self.definition.sections if s.id == section_id)
        for field in section.fields:
            if not self.editors[field.id].isHidden():
                self.focus_field(field.id)
                return

    def scroll_to_section(self, section_id: str) -> None:
        widget = self._section_widget(section_id)
        self.scroll_area.verticalScrollBar().setValue(max(0, widget.y() - 6))

    def current_section(self) -> str:
        """The section at the top of the visible part of the form (a section whose title is
        in the top fifth counts as there)."""
        scroll = self.scroll_area
        top = scroll.verticalScrollBar().value() + scroll.viewport().height() // 5
        current = self.definition.sections[0].id
        for section in self.definition.sections:
            box = self.section_boxes[section.id]
            if box.isHidden():
                continue
            if box.y() - 10 <= top:
                current = section.id
        if self.addenda_panel.isVisible() and self.addenda_panel.y() - 10 <= top:
            current = ADDENDA_SECTION
        return current

    def _sync_navigator(self, *_: Any) -> None:
        self.navigator.select_quietly(self.current_section())

    def focus_field(self, field_id: str) -> None:
        """Move the cursor to a question and scroll it into view."""
        editor = self.editors.get(top_field(field_id))
        if editor is None:
            return
        target = editor.focus_target()
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.scroll_area.ensureWidgetVisible(editor, 0, 40)
        self._last_field = editor.field.id

    def focus_first_error(self) -> None:
        for error in self.errors:
            field_id = top_field(error.field_id)
            if field_id in self.editors and not self.editors[field_id].isHidden():
                self.focus_field(field_id)
                return

    def focused_field(self) -> str | None:
        return self._last_field

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not self.isAncestorOf(new):
            return
        for field_id, editor in self.editors.items():
            if editor.contains_focus(new):
                self._last_field = field_id
                return

    def position(self) -> dict[str, Any]:
        """Where the practitioner is: section, question with the cursor, scroll offset."""
        section = (self.definition.section_of(self._last_field).id if self._last_field
                   else self.current_section())
        return {
            "record_id": self.record.id,
            "section": section,
            "field": self._last_field,
            "scroll": self.scroll_area.verticalScrollBar().value(),
        }

    def restore_position(self, position: dict[str, Any]) -> None:
        """Go back to a ``position()``, once the view is shown (done at the next event loop
        turn so the layout has its final size)."""

        def apply() -> None:
            section = position.get("section")
            if isinstance(section, str) and (section in self.section_boxes
                                             or section == ADDENDA_SECTION):
                self.scroll_to_section(section)
            scroll = position.get("scroll")
            if isinstance(scroll, int):
                self.scroll_area.verticalScrollBar().setValue(scroll)
            field_id = position.get("field")
            if isinstance(field_id, str) and field_id in self.editors:
                self.editors[field_id].focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
                self._last_field = field_id

        apply()
        QTimer.singleShot(0, self, apply)

    # -- keyboard order -----------------------------------------------------------------------

    def tab_chain(self) -> list[QWidget]:
        """Every control Tab visits, in form order (hidden ones are skipped by Qt)."""
        chain: list[QWidget] = [self.signed_banner.button, self.error_summary.items,
                                self.navigator]
        for editor in self.editors.values():
            chain.extend(editor.tab_chain())
        chain.extend(self.addenda_panel.sign_buttons)
        return chain

    def _apply_tab_order(self) -> None:
        chain = self.tab_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: Any) -> None:
        self.flush()
        super().closeEvent(event)

    def lock_snapshot(self) -> dict[str, Any]:
        """Before locking: save now, stop, and return what reopens this form exactly here
        after unlocking (see ``reopen``).  ``unsaved`` holds the answers only if they could
        not be saved; keep it no longer than needed."""
        saved = self.flush()
        snapshot = {
            "record_id": self.record.id,
            "position": self.position(),
            "unsaved": None if saved else self.raw_answers(),
        }
        self.shutdown()
        return snapshot

    def shutdown(self) -> None:
        """Stop timers and wait for a running save (used when the view goes away)."""
        self._timer.stop()
        self._saver.wait()
        self._saver.enabled = False
        app = QApplication.instance()
        if self._watching_focus and isinstance(app, QApplication):
            self._watching_focus = False
            with contextlib.suppress(RuntimeError, TypeError):
                app.focusChanged.disconnect(self._on_focus_changed)


def reopen(casework: Casework, snapshot: dict[str, Any], **options: Any) -> FormView:
    """A new view after unlocking (with the new session's ``Casework``): the saved record,
    any answers that could not be saved before the lock, and the same place in the form."""
    view = FormView(casework, casework.open_record(snapshot["record_id"]), **options)
    if snapshot.get("unsaved"):
        view.set_answers(snapshot["unsaved"])
    view.restore_position(snapshot.get("position") or {})
    return view
