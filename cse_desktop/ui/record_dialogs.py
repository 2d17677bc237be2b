"""Add or edit a child, and record a missing episode: the form from its definition in a
dialog, saved through the casework service with every problem shown beside its question.

These records are facts kept up to date rather than forms that are signed, and they only
exist once complete, so the dialog uses the form widgets' ``SmallForm`` (one per section)
rather than the autosaving ``FormView``.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..records import Record
from ..services.casework import Casework
from ..services.errors import ServiceError, ValidationFailed
from .form_windows import forms_module
from .optional import optional_module
from .sizing import fit_to_screen


def _small_form_class() -> Any | None:
    if forms_module() is None:
        return None
    module = optional_module("cse_desktop.ui.forms.small_form")
    return getattr(module, "SmallForm", None)


def record_dialogs_available() -> bool:
    return _small_form_class() is not None


class SectionedForm(QWidget):
    """Every section of a definition as a titled group of questions (refs left out: the
    service fills them in)."""

    def __init__(self, definition: Any, answers: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        small_form = _small_form_class()
        assert small_form is not None, "the form widgets are not installed"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        self.parts = []
        for section in definition.sections:
            fields = [f for f in section.fields if f.type != "ref"]
            if not fields:
                continue
            box = QGroupBox(section.title)
            part = small_form(fields)
            QVBoxLayout(box).addWidget(part)
            layout.addWidget(box)
            self.parts.append(part)
        layout.addStretch(1)
        for part in self.parts:
            for field_id, editor in part.editors.items():
                if field_id in answers:
                    editor.set_value(answers[field_id])
        chain = self.tab_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def tab_chain(self) -> list[QWidget]:
        return [w for part in self.parts for w in part.tab_chain()]

    def answers(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for part in self.parts:
            result.update(part.answers())
        return result

    def show_errors(self, errors: list[Any]) -> None:
        for part in self.parts:
            part.show_errors([e for e in errors if e.field_id.split("[")[0].split(".")[0]
                              in part.editors])


class RecordDialog(QDialog):
    """A form in a dialog; ``save()`` is given the answers and returns the saved record."""

    def __init__(self, title: str, form_id: str, work: Casework,
                 answers: dict[str, Any] | None, save_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.record: Record | None = None
        self.setWindowTitle(title)
        self.setModal(True)
        style = optional_module("cse_desktop.ui.forms.style")
        if style is not None:  # the same look as the other forms
            self.setStyleSheet(style.FORM_STYLE)
        fit_to_screen(self, 720, 700)
        heading = QLabel(title)
        heading.setProperty("role", "title")
        self.view = SectionedForm(work.definition(form_id), answers or {})
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.view)
        self.message = QLabel("")
        self.message.setProperty("role", "alert")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(save_text)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save_button.setToolTip("Save (Ctrl+S)")
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        chain = self.view.tab_chain()
        if chain:
            QWidget.setTabOrder(chain[-1], save_button)
            chain[0].setFocus()
        self._opened_with = self.view.answers()

    def has_changes(self) -> bool:
        """True once something was typed or changed since the dialog opened."""
        return self.view.answers() != self._opened_with

    def interrupted(self) -> dict[str, Any]:
        """What to keep (in the encrypted store) if the app locks with this dialog open."""
        raise NotImplementedError

    def save(self, answers: dict[str, Any]) -> Record:
        raise NotImplementedError

    def submit(self) -> None:
        answers = self.view.answers()
        try:
            self.record = self.save(answers)
        except ValidationFailed as exc:
            self.message.setText(str(exc))
            self.view.show_errors(exc.errors)
            return
        except ServiceError as exc:
            self.message.setText(str(exc))
            return
        self.accept()


class ChildDialog(RecordDialog):
    def __init__(self, work: Casework, child: Record | None = None,
                 parent: QWidget | None = None, *, answers: dict[str, Any] | None = None
                 ) -> None:
        title = "Edit child's details" if child else "Add a child"
        initial = answers if answers is not None else (child.data if child else None)
        super().__init__(title, "child", work, initial,
                         "Save details" if child else "Add child", parent)
        self.child = child

    def interrupted(self) -> dict[str, Any]:
        return {"kind": "child", "record_id": self.child.id if self.child else None,
                "answers": self.view.answers()}

    def save(self, answers: dict[str, Any]) -> Record:
        if self.child is None:
            return self.work.add_child(answers)
        return self.work.update_child(self.child.id, answers,
                                      expected_revision=self.child.revision)


class EpisodeDialog(RecordDialog):
    def __init__(self, work: Casework, child_id: str, episode: Record | None = None,
                 parent: QWidget | None = None, *, answers: dict[str, Any] | None = None
                 ) -> None:
        if answers is None:
            answers = dict(episode.data) if episode else {"child_id": child_id}
        super().__init__("Missing episode" if episode else "Record a missing episode",
                         "missing_episode", work, answers, "Save episode", parent)
        self.child_id, self.episode = child_id, episode

    def interrupted(self) -> dict[str, Any]:
        return {"kind": "episode", "child_id": self.child_id,
                "record_id": self.episode.id if self.episode else None,
                "answers": self.view.answers()}

    def save(self, answers: dict[str, Any]) -> Record:
        if self.episode is None:
            return self.work.record_episode(self.child_id, answers)
        return self.work.update_episode(self.episode.id, answers,
                                        expected_revision=self.episode.revision)
