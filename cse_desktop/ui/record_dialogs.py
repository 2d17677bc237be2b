"""Add or edit a child, and record a missing episode: the form from its definition in a
dialog, saved through the casework service with every problem shown beside its question."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ..records import Record
from ..services.casework import Casework
from ..services.errors import ServiceError, ValidationFailed
from .form_windows import forms_module


def record_dialogs_available() -> bool:
    return forms_module() is not None


class RecordDialog(QDialog):
    """A form in a dialog; ``save()`` is given the answers and returns the saved record."""

    def __init__(self, title: str, form_id: str, work: Casework,
                 answers: dict[str, Any] | None, save_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        module = forms_module()
        assert module is not None, "the form widgets are not installed"
        self.work = work
        self.record: Record | None = None
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(720, 760)
        self.view = module.FormView(work.definition(form_id), answers or {}, parent=self)
        self.view.setAccessibleName(title)
        self.message = QLabel("")
        self.message.setProperty("role", "alert")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(save_text)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

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
                 parent: QWidget | None = None) -> None:
        title = "Edit child's details" if child else "Add a child"
        super().__init__(title, "child", work, child.data if child else None,
                         "Save details" if child else "Add child", parent)
        self.child = child

    def save(self, answers: dict[str, Any]) -> Record:
        if self.child is None:
            return self.work.add_child(answers)
        return self.work.update_child(self.child.id, answers,
                                      expected_revision=self.child.revision)


class EpisodeDialog(RecordDialog):
    def __init__(self, work: Casework, child_id: str, episode: Record | None = None,
                 parent: QWidget | None = None) -> None:
        answers = dict(episode.data) if episode else {"child_id": child_id}
        super().__init__("Missing episode" if episode else "Record a missing episode",
                         "missing_episode", work, answers, "Save episode", parent)
        self.child_id, self.episode = child_id, episode

    def save(self, answers: dict[str, Any]) -> Record:
        if self.episode is None:
            return self.work.record_episode(self.child_id, answers)
        return self.work.update_episode(self.episode.id, answers,
                                        expected_revision=self.episode.revision)
