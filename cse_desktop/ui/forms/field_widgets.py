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

from cse_desktop.clock import SYSTEM_CLOCK, Clock
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
                  describe_ref: RefDescriber | None = None,
                  clock: Clock = SYSTEM_CLOCK) -> FieldEditor:
    """The editor for a field of any type (an unknown type gets a plain text box).
    ``clock`` is what "Now" and "Today" mean (the session's clock)."""
    editor: FieldEditor
    if field.type == "ref":
        editor = RefEditor(field, parent, compact=compact, describe=describe_ref)
    elif field.type == "list":
        factory = partial(create_editor, describe_ref=describe_ref, clock=clock)
        editor = ListEditor(field, parent, compact=compact, factory=factory)
    else:
        editor = EDITOR_TYPES.get(field.type, TextEditor)(field, parent, compact=compact)
    editor.clock = clock
    return editor


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
