"""Accessibility helpers: every control gets a name a screen reader can say."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QAccessibleWidget,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)

W = TypeVar("W", bound=QWidget)

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QPlainTextEdit,
               QTextEdit, QAbstractSpinBox, QAbstractSlider, QTabBar)


def named(widget: W, name: str, description: str = "") -> W:
    """Give ``widget`` an accessible name (and description), and return it."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        if not widget.toolTip():
            widget.setToolTip(description)
    return widget


TOOLBAR_MORE = "qt_toolbar_ext_button"  # Qt's ">>" button for what does not fit a toolbar


def name_toolbar_overflow(toolbar: QToolBar) -> None:
    """Name a toolbar's overflow button.  Qt gives it no name, and it is a checkable button,
    so a screen reader finds an unnamed check box in every toolbar."""
    button = toolbar.findChild(QToolButton, TOOLBAR_MORE)
    if button is not None:
        title = toolbar.windowTitle()
        named(button, f"More from the {title} toolbar" if title else "More toolbar buttons",
              "Shows the toolbar buttons that do not fit the window")


def unnamed_controls(root: QWidget) -> list[QWidget]:
    """Interactive widgets under ``root`` a screen reader could not name.

    Qt's own inner parts (a combo box's line edit, a scroll area's bars, a spin box's
    editor) are skipped: they are announced through their owner.
    """
    missing: list[QWidget] = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE):
            continue
        if ((widget.objectName().startswith("qt_") and widget.objectName() != TOOLBAR_MORE)
                or _is_inner_part(widget)):
            continue
        if isinstance(widget, QAbstractButton) and widget.text().strip():
            continue  # Qt names a button by its text
        if not widget.accessibleName().strip():
            missing.append(widget)
    return missing


def _is_inner_part(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    if parent is None:
        return False
    ancestor: QWidget | None = parent
    while ancestor is not None:  # a combo box's pop-up list lives a few levels down
        if isinstance(ancestor, QComboBox | QAbstractSpinBox | QTabBar | QLineEdit):
            return True
        ancestor = ancestor.parentWidget()
    if isinstance(widget, QAbstractItemView) and isinstance(parent, QAbstractItemView):
        return True  # a table's header
    return isinstance(widget, QAbstractSlider) and parent.objectName().startswith("qt_")


class RelatedLabel(QLabel):
    """Text tied to one control: a question's help (describes it), a problem message, a
    question over a group of options (labels it).

    Its accessibility interface says which control it labels or describes.  A label that
    labels or describes nothing is an "unrelated label", and a screen reader reads every
    one of those in a group, run together, when focus enters the group: all of a section's
    help texts as one sentence.  The control carries the same words as its accessible name
    or description, so they are read with it instead.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._target: Callable[[], QWidget | None] = lambda: None
        self._labels = False
        from .a11y_factory import install

        install()

    def relate_to(self, target: Callable[[], QWidget | None], *, labels: bool = False) -> None:
        """``target`` gives the control meant now (it can change, e.g. when read-only).
        The label describes it (help, problems), or with ``labels`` names it (a question
        over a group of options)."""
        self._target = target
        self._labels = labels

    def related(self) -> tuple[QWidget | None, QAccessible.RelationFlag]:
        """The control meant now (a label's buddy comes first) and the relation in Qt's
        terms, which say what the *other* object is: ``Labelled`` (by this label: AT-SPI
        "label for") or ``Described`` (by this label: "description for")."""
        buddy = self.buddy()
        if buddy is not None:
            return buddy, QAccessible.RelationFlag.Labelled
        return self._target(), (QAccessible.RelationFlag.Labelled if self._labels
                                else QAccessible.RelationFlag.Described)


class RelatedLabelAccessible(QAccessibleWidget):
    """A label read as its text, related to the control it labels or describes."""

    def __init__(self, label: RelatedLabel) -> None:
        super().__init__(label, QAccessible.Role.StaticText)
        self._label = label

    def text(self, kind: QAccessible.Text) -> str:
        if kind == QAccessible.Text.Name:
            return self._label.accessibleName() or self._label.text()
        return super().text(kind)

    def relations(self, match: QAccessible.RelationFlag = QAccessible.RelationFlag.AllRelations
                  ) -> list[tuple[QAccessibleInterface, QAccessible.RelationFlag]]:
        found = list(super().relations(match))
        target, relation = self._label.related()
        if target is not None and match & relation:
            iface = QAccessible.queryAccessibleInterface(target)
            if iface is not None:
                found.append((iface, relation))
        return found
