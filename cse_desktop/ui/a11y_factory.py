"""The app's one accessibility factory: interfaces Qt's own widgets cannot give.

Qt asks each installed factory, most derived class first, before its own, so a factory only
sees the app's Python classes by their own names.  This one answers for:

- ``PassphraseField``: a password-text interface without a text interface, so no
  character of a passphrase reaches an accessibility event (see ``passphrase_field``);
- ``RelatedLabel`` (questions, help texts, problems): a label related to the control it
  labels or describes, so a screen reader does not read it among a group's "unrelated
  labels";
- the app's own top-level windows built on a plain ``QWidget`` (``FormWindow``): role
  "frame" (window) instead of Qt's "filler", so a screen reader says a window opened.
  Matched by class name only: a widget created without a parent and put into a layout
  later must never be taken for a window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget, QWidget

WINDOW_CLASSES = frozenset({"FormWindow"})
_installed = False


def _factory(class_name: str, obj: QObject) -> QAccessibleInterface | None:
    from .a11y import RelatedLabel, RelatedLabelAccessible
    from .passphrase_field import PassphraseAccessible, PassphraseField

    if isinstance(obj, PassphraseField):
        return PassphraseAccessible(obj)
    if isinstance(obj, RelatedLabel):
        return RelatedLabelAccessible(obj)
    if class_name in WINDOW_CLASSES and isinstance(obj, QWidget):
        return QAccessibleWidget(obj, QAccessible.Role.Window)
    return None


def install() -> None:
    """Install the factory (once per process; before the first window is best)."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True
