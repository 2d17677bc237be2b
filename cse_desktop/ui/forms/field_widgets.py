"""One editor per field type, made from the form definition's ``Field``.

Every editor has a visible label ("(required)" in words when it must be answered), the help
text, an accessible name and description, ``value()`` / ``set_value()``, a ``changed``
signal (only for changes the practitioner makes), a read-only mode and a place for an inline
problem message (``set_error``).

    editor = create_editor(field, describe_ref=describe)
    editor.changed.connect(...)
"""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QWidget

from cse_desktop.forms import Field

from .choice_widgets import ChoiceEditor, IndicatorEditor, MultiChoiceEditor, YesNoEditor
from .editor_base import NOT_ANSWERED, FieldEditor
from .list_widget import ListEditor, ListRow
from .moment_widgets import DateEditor, DateTimeEditor
from .text_widgets import LongTextEditor, NumberEditor, RefDescriber, RefEditor, TextEditor

EDITOR_TYPES: dict[str, type[FieldEditor]] = {
    "text": TextEditor,
    "long_text": LongTextEditor,
    "number": NumberEditor,
    "date": DateEditor,
    "datetime": DateTimeEditor,
    "choice": ChoiceEditor,
    "multi_choice": MultiChoiceEditor,
    "yes_no": YesNoEditor,
    "indicator": IndicatorEditor,
    "ref": RefEditor,
    "list": ListEditor,
}


def create_editor(field: Field, parent: QWidget | None = None, *, compact: bool = False,
                  describe_ref: RefDescriber | None = None) -> FieldEditor:
    """The editor for a field of any type (an unknown type gets a plain text box)."""
    if field.type == "ref":
        return RefEditor(field, parent, compact=compact, describe=describe_ref)
    if field.type == "list":
        factory = partial(create_editor, describe_ref=describe_ref)
        return ListEditor(field, parent, compact=compact, factory=factory)
    editor_type = EDITOR_TYPES.get(field.type, TextEditor)
    return editor_type(field, parent, compact=compact)


__all__ = [
    "EDITOR_TYPES",
    "NOT_ANSWERED",
    "ChoiceEditor",
    "DateEditor",
    "DateTimeEditor",
    "FieldEditor",
    "IndicatorEditor",
    "ListEditor",
    "ListRow",
    "LongTextEditor",
    "MultiChoiceEditor",
    "NumberEditor",
    "RefDescriber",
    "RefEditor",
    "TextEditor",
    "YesNoEditor",
    "create_editor",
]
