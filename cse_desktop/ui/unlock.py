"""The screens in front of the records: first run (choose a passphrase) and unlock.

Opening the records derives a key from the passphrase on purpose slowly, so it runs off the
UI thread; the screen says what is happening meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..crypto.keyfile import KdfParams
from ..records import Role
from ..services import session as sessions
from ..services.errors import ServiceError
from ..services.organisation import DEFAULT_ORGANISATION_NAME, DEMO_ORGANISATION
from .a11y import named
from .announce import announce
from .passphrase_field import PassphraseField
from .secret_fields import scrub
from .workers import TaskRunner

FIRST_RUN_ROLES = (Role.OUTREACH_WORKER, Role.NURSE_PRACTITIONER, Role.TEAM_LEAD)
STRENGTH_WORDS = ("Too short", "Fair", "Good", "Strong", "Very strong")


def _label(text: str, role: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if role:
        label.setProperty("role", role)
    return label


def _card(page: QWidget) -> QVBoxLayout:
    """A centred panel of readable width; returns the layout to fill."""
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    card = QFrame()
    card.setObjectName("card")
    card.setFrameShape(QFrame.Shape.StyledPanel)
    card.setStyleSheet("QFrame#card { background: white; border: 1px solid #D5D8DC;"
                       " border-radius: 8px; }")
    card.setMinimumWidth(460)
    card.setMaximumWidth(560)
    row.addWidget(card, 3)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(28, 24, 28, 24)
    inner.setSpacing(12)
    return inner


def _passphrase_edit(name: str) -> PassphraseField:
    edit = PassphraseField(name)
    edit.setMinimumWidth(320)
    return edit


def _show_toggle(*edits: PassphraseField) -> QCheckBox:
    box = QCheckBox("Show passphrase")

    def toggle(shown: bool) -> None:
        for edit in edits:
            edit.set_shown(shown)

    box.toggled.connect(toggle)
    return box


def _message_label() -> QLabel:
    """The line for problems and progress; its accessible name is its text, and each new
    message is announced (see ``announce``)."""
    label = _label("", "alert")
    label.setObjectName("message")
    return label


def _say(label: QLabel, text: str, *, urgent: bool = False) -> None:
    """Show ``text`` in the message line and have screen readers speak it."""
    if text != label.text():
        label.setText(text)
        announce(label, text, urgent=urgent)


class FirstRunPage(QWidget):
    """Choose a passphrase and say who you are; creates the encrypted store."""

    created = Signal(object)  # Session

    def __init__(self, data_dir: Path, runner: TaskRunner, *, kdf: KdfParams | None = None,
                 demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir, self._runner, self._kdf, self._demo = data_dir, runner, kdf, demo
        layout = _card(self)
        layout.addWidget(_label("Welcome. Let's keep your records safe.", "title"))
        layout.addWidget(_label(
            "Everything you record is kept encrypted on this computer. Choose a passphrase "
            "to open it: a short sentence you will remember is best. Nobody can open your "
            "records without it.", "subtitle"))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.name = named(QLineEdit(), "Your name",
                          "Your name as it will appear on signed forms")
        self.role = named(QComboBox(), "Your role")
        for role in FIRST_RUN_ROLES:
            self.role.addItem(role.label, role)
        self.organisation = named(
            QLineEdit(), "Your organisation",
            "Printed at the top of your forms. Leave it empty for "
            f"“{DEFAULT_ORGANISATION_NAME}”. Enrolling with the partnership's service "
            "replaces it with the name the service gives.")
        self.organisation.setPlaceholderText(DEFAULT_ORGANISATION_NAME)
        self.organisation.setMaxLength(64)  # as much as a certificate holds
        self.passphrase = _passphrase_edit("Passphrase")
        self.confirm = _passphrase_edit("Passphrase again")
        form.addRow("Your &name", self.name)
        form.addRow("Your &role", self.role)
        form.addRow("Your &organisation", self.organisation)
        form.addRow("&Passphrase", self.passphrase)
        form.addRow("Passphrase a&gain", self.confirm)
        layout.addLayout(form)
        self.strength = named(QProgressBar(), "Passphrase strength")
        self.strength.setRange(0, 4)
        self.strength.setTextVisible(True)
        self.strength.setFormat("")
        self.hint = _label("", "hint")
        layout.addWidget(self.strength)
        layout.addWidget(self.hint)
        layout.addWidget(_show_toggle(self.passphrase, self.confirm))
        self.message = _message_label()
        layout.addWidget(self.message)
        self.create_button = QPushButton("Create my encrypted records")
        self.create_button.setDefault(True)
        self.create_button.setAutoDefault(True)
        self.create_button.setMinimumWidth(240)
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)
        for edit in (self.name, self.passphrase, self.confirm):
            edit.textChanged.connect(self._update)
            edit.returnPressed.connect(self.submit)
        self.organisation.returnPressed.connect(self.submit)
        self.create_button.clicked.connect(self.submit)
        self._update()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.name.setFocus()

    def _problem(self) -> str:
        """What still stops the store being created ('' when nothing does)."""
        if not self.name.text().strip():
            return "Enter your name as it should appear on signed forms."
        score, hint = sessions.passphrase_feedback(self.passphrase.text())
        if score == 0:
            return hint
        if self.confirm.text() != self.passphrase.text():
            return "The two passphrases are not the same yet."
        return ""

    def _update(self) -> None:
        text = self.passphrase.text()
        score, hint = sessions.passphrase_feedback(text)
        self.strength.setValue(score)
        word = STRENGTH_WORDS[score] if text else ""
        self.strength.setFormat(word)
        if not text:
            hint = f"Use at least {sessions.MIN_PASSPHRASE_LENGTH} characters."
        elif hint.rstrip(".") == word:
            hint = ""  # the bar already says it
        self.strength.setAccessibleDescription(" ".join(p for p in (word, hint) if p))
        if score and self.confirm.text() and self.confirm.text() != text:
            hint = "The two passphrases are not the same yet."
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        _say(self.message, "")
        self.create_button.setEnabled(not self._problem())

    def submit(self) -> None:
        problem = self._problem()
        if problem:
            _say(self.message, problem, urgent=True)
            return
        self._busy(True)
        _say(self.message, "")
        self.hint.setText("Creating your encrypted records…")
        role = Role(self.role.currentData())
        organisation = self.organisation.text().strip() or (
            DEMO_ORGANISATION if self._demo else None)
        self._runner.run(sessions.first_run, self.data_dir, self.passphrase.text(),
                         name=self.name.text(), role=role, organisation=organisation,
                         kdf=self._kdf, demo=self._demo,
                         on_result=self._done, on_error=self._failed)

    def _busy(self, busy: bool) -> None:
        for widget in (self.name, self.role, self.organisation, self.passphrase, self.confirm,
                       self.create_button):
            widget.setEnabled(not busy)

    def _done(self, session: sessions.Session) -> None:
        scrub(self.passphrase)  # overwritten, not just emptied (see secret_fields)
        scrub(self.confirm)
        self.created.emit(session)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.hint.setText("")
        _say(self.message, str(exc) if isinstance(exc, ServiceError) else
             f"Your records could not be created: {exc}", urgent=True)


class UnlockPage(QWidget):
    """Enter the passphrase to open the records; says plainly when it is wrong."""

    unlocked = Signal(object)  # Session
    _secret: str | None  # the passphrase while an attempt runs (set by submit)

    def __init__(self, data_dir: Path, runner: TaskRunner, *, hint: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir, self._runner = data_dir, runner
        layout = _card(self)
        layout.addWidget(_label("Your records are locked", "title"))
        layout.addWidget(_label("Enter your passphrase to carry on where you left off.",
                                "subtitle"))
        self.passphrase = _passphrase_edit("Passphrase")
        form = QFormLayout()
        form.addRow("&Passphrase", self.passphrase)
        layout.addLayout(form)
        layout.addWidget(_show_toggle(self.passphrase))
        self.demo_hint = _label(hint, "hint")
        self.demo_hint.setVisible(bool(hint))
        layout.addWidget(self.demo_hint)
        self.message = _message_label()
        layout.addWidget(self.message)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.setMinimumWidth(120)
        layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignRight)
        self.unlock_button.clicked.connect(self.submit)
        self.passphrase.returnPressed.connect(self.submit)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._working = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.passphrase.setFocus()
        self._tick()

    def clear_secrets(self) -> None:
        """Overwrite the typed passphrase and the copy given to the services (at lock and
        after each attempt)."""
        scrub(self.passphrase)
        secret, self._secret = getattr(self, "_secret", None), None
        if secret is not None and not self._working:
            sessions.forget_passphrase(secret)

    def reset(self, message: str = "") -> None:
        self.clear_secrets()
        _say(self.message, message, urgent=True)
        self._set_enabled(True)

    def submit(self) -> None:
        if self._working or not self.unlock_button.isEnabled():
            return
        if not self.passphrase.text():
            _say(self.message, "Enter your passphrase.", urgent=True)
            return
        self._working = True
        self._set_enabled(False)
        _say(self.message, "Opening your records…")
        self._secret = self.passphrase.text()  # overwritten once the attempt is over
        self._runner.run(sessions.unlock, self.data_dir, self._secret,
                         on_result=self._done, on_error=self._failed)

    def _set_enabled(self, enabled: bool) -> None:
        self.passphrase.setEnabled(enabled)
        self.unlock_button.setEnabled(enabled)
        if enabled:
            self.passphrase.setFocus()

    def _done(self, session: sessions.Session) -> None:
        self._working = False
        self.clear_secrets()
        _say(self.message, "")
        self._set_enabled(True)
        self.unlocked.emit(session)

    def _failed(self, exc: BaseException) -> None:
        self._working = False
        self.clear_secrets()
        if isinstance(exc, sessions.WrongPassphrase | sessions.TooManyAttempts):
            _say(self.message, str(exc), urgent=True)
        else:
            _say(self.message, f"Your records could not be opened: {exc}", urgent=True)
        self._set_enabled(True)
        self._tick()

    def _tick(self) -> None:
        """While attempts are slowed down, count down and keep the button off."""
        if self._working:
            return
        try:
            wait = sessions.seconds_until_next_attempt(self.data_dir)
        except Exception:  # no key file yet, or unreadable: the attempt will say so
            wait = 0.0
        if wait > 0:
            seconds = max(1, round(wait))
            text = ("That passphrase is not right. To keep your records safe, please wait "
                    f"{seconds} second{'s' if seconds != 1 else ''} before trying again.")
            if self._countdown.isActive():  # the count itself is not read out every second
                self.message.setText(text)
            else:
                _say(self.message, text, urgent=True)
            self._set_enabled(False)
            if not self._countdown.isActive():
                self._countdown.start()
        elif self._countdown.isActive():
            self._countdown.stop()
            _say(self.message, "You can try again now.")
            self._set_enabled(True)
