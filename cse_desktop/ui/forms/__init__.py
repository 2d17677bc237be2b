"""Generic form widgets: field editors, the form view, signing and addendum dialogs.

Everything is driven by the form definitions; nothing here knows a particular form except
the 72-hour banner (return home interviews) and the risk panel (scored checklists), which
appear when a definition has the fields or scoring rule they need.
"""

from .addendum_dialog import AddendumDialog
from .field_widgets import FieldEditor, create_editor
from .form_view import DEFAULT_AUTOSAVE_MS, FormView, reopen
from .form_window import FormWindow, window_title
from .pyside_guard import protect_none
from .quick_note_dialog import QuickNoteDialog
from .sign_dialog import SignDialog
from .signature_pad import SignaturePad

protect_none()  # see pyside_guard: PySide6 6.12 on Python 3.11 leaks references to None

__all__ = [
    "DEFAULT_AUTOSAVE_MS",
    "AddendumDialog",
    "FieldEditor",
    "FormView",
    "FormWindow",
    "QuickNoteDialog",
    "SignDialog",
    "SignaturePad",
    "create_editor",
    "protect_none",
    "reopen",
    "window_title",
]
