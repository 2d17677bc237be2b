"""Say a message to screen-reader users: errors, "Saved", sync state.

A label whose text changes is not read out by itself: the screen reader is reading whatever
has focus.  Qt 6.8 added an announcement event (AT-SPI ``object:announcement``, UI
Automation notification, macOS announcement) which asks the screen reader to speak a
message now.  ``announce`` sends one; ``show_message`` also puts the text in a label, which
keeps its text as its accessible name (never give such a label a fixed name like "Message":
that name would be read instead of the text).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6 import QtGui
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel, QWidget

_ANNOUNCEMENT = getattr(QtGui, "QAccessibleAnnouncementEvent", None)  # Qt 6.8 and newer


@dataclass(frozen=True)
class Announcement:
    """One message sent to assistive technology, as ``listening`` records it."""

    source: QWidget
    message: str
    urgent: bool


_listeners: list[list[Announcement]] = []


@contextmanager
def listening() -> Iterator[list[Announcement]]:
    """Record every announcement sent while the block runs (Qt offers no public way to
    watch accessibility events without a screen reader; tests and diagnostics use this)."""
    heard: list[Announcement] = []
    _listeners.append(heard)
    try:
        yield heard
    finally:
        _listeners.remove(heard)


def announce(source: QWidget, message: str, *, urgent: bool = False) -> bool:
    """Ask assistive technology to speak ``message``, from ``source`` (the widget showing
    it).  ``urgent`` interrupts what is being said (use it for errors only).  Returns whether
    an announcement was sent (False when the message is empty or Qt is older than 6.8)."""
    text = message.strip()
    if not text or _ANNOUNCEMENT is None:
        return False
    event = _ANNOUNCEMENT(source, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if urgent
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
    for heard in _listeners:
        heard.append(Announcement(source, text, urgent))
    return True


def show_message(label: QLabel, message: str, *, urgent: bool = False) -> None:
    """Put ``message`` in ``label`` (hidden when empty) and announce it if it changed."""
    changed = label.text() != message
    label.setText(message)
    label.setVisible(bool(message))
    if changed:
        announce(label, message, urgent=urgent)
