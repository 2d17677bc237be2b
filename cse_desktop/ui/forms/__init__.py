"""Generic form widgets: field editors, the form view, signing and addendum dialogs.

Everything is driven by the form definitions; nothing here knows a particular form except
the 72-hour banner (return home interviews) and the risk panel (scored checklists), which
appear when a definition has the fields or scoring rule they need.

For the main window:

    window = FormWindow(casework, casework.open_record(record_id))   # autosave_ms=3000
    window.print_requested.connect(...)      # (record_id) Print… / Ctrl+P
    window.signed / saved / addendum_added   # (Record)
    window.closed                            # (record_id), after saving
    window.flush()                           # save now; False if it could not
    snapshot = window.lock_snapshot()        # before a lock: saves, stops, remembers place
    window = FormWindow.reopen(new_casework, snapshot)   # after unlocking

    QuickNoteDialog(casework, child_id, parent=...)  .saved(Record), Ctrl+N
    FormView(casework, record) is the same form without the buttons, to embed.
"""

from .addendum_dialog import AddendumDialog
from .field_widgets import FieldEditor, create_editor
from .form_view import DEFAULT_AUTOSAVE_MS, FormView, reopen
from .form_window import FormWindow, window_title
from .quick_note_dialog import QuickNoteDialog
from .sign_dialog import SignDialog
from .signature_pad import SignaturePad

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
    "reopen",
    "window_title",
]
