"""One passphrase field for the whole app, which never tells assistive technology its text.

Qt's ``QLineEdit`` shows dots in password mode, but still sends the real characters in its
accessibility events: every key press becomes a "text inserted: o" event and ``clear()``
a "text removed: <the whole passphrase>" event (Qt 6.11; the AT-SPI bridge on Linux, UI
Automation on Windows and macOS's bridge all forward them).  Any program on the desktop
session can listen to those events, and screen readers speak them aloud.

The events are built inside Qt from the line edit's private buffer, so they cannot be
filtered from Python.  What decides whether a text event is forwarded is the widget's
accessibility *interface*: every platform bridge drops text events (inserted, removed,
updated, caret moved) from an object without a text interface.  So a ``PassphraseField``
gets its own interface from an accessibility factory: a password-text role with its name,
description and state, but no text interface, and a value of "•" per character at most.
A screen reader still says "Passphrase, password text" and the practitioner's own key echo
settings decide what is said while typing; the characters themselves never leave the
process through accessibility.
"""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAccessibleWidget, QLineEdit, QWidget

MASK = "•"


class PassphraseAccessible(QAccessibleWidget):
    """Name, role and state of a passphrase field; deliberately no text interface."""

    def __init__(self, field: PassphraseField) -> None:
        super().__init__(field, QAccessible.Role.EditableText)
        self._field = field

    def state(self) -> QAccessible.State:
        state = super().state()
        state.passwordEdit = True  # AT-SPI role "password text"
        state.editable = True
        state.focusable = True
        state.readOnly = not self._field.isEnabled()
        return state

    def text(self, kind: QAccessible.Text) -> str:
        if kind == QAccessible.Text.Value:
            return MASK * len(self._field.text())
        return super().text(kind)


def install_accessibility() -> None:
    """Make Qt ask the app's factory for passphrase fields (once per process)."""
    from .a11y_factory import install

    install()


def has_safe_accessibility(field: QWidget) -> bool:
    """Whether ``field``'s accessibility interface is the one without a text interface."""
    iface = QAccessible.queryAccessibleInterface(field)
    return isinstance(iface, PassphraseAccessible) and iface.textInterface() is None


class PassphraseField(QLineEdit):
    """A line edit for a passphrase: dots on screen, nothing readable through accessibility.

    ``set_shown(True)`` shows the characters on screen (the "Show passphrase" tick box); the
    accessibility interface stays the masked one, so a listener still learns nothing.
    """

    def __init__(self, name: str, description: str = "",
                 parent: QWidget | None = None) -> None:
        install_accessibility()
        super().__init__(parent)
        self.setObjectName("passphraseField")
        self.setAccessibleName(name)
        if description:
            self.setAccessibleDescription(description)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        # Never offer the passphrase to drag and drop, or paste it in from a stray selection
        # by a middle click on a shared screen; Qt already blocks copy and cut in this mode.
        self.setDragEnabled(False)
        self._replace_cached_interface()

    def _replace_cached_interface(self) -> None:
        """If Qt made the ordinary line-edit interface while this widget was being built
        (before the Python class was known), throw it away so the factory is asked again."""
        iface = QAccessible.queryAccessibleInterface(self)
        if iface is not None and not isinstance(iface, PassphraseAccessible):
            QAccessible.deleteAccessibleInterface(QAccessible.uniqueId(iface))

    def set_shown(self, shown: bool) -> None:
        self.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    def is_shown(self) -> bool:
        return self.echoMode() == QLineEdit.EchoMode.Normal
