"""Emptying passphrase fields so the passphrase does not stay in memory (used at lock).

``QLineEdit.clear()`` frees the field's text without overwriting it.  Selecting all and typing
over it with as many placeholder characters first reuses the same buffer, so the characters
are overwritten in place before the field is emptied; the Python copy handed to the services
is overwritten too (it belongs to the page that made it).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from ..services.session import forget_passphrase

_FILLER = "\u2022"


def scrub(edit: QLineEdit) -> None:
    """Overwrite the field's text in place, then empty it."""
    text = edit.text()
    length = len(text)
    forget_passphrase(text)
    if length:
        edit.selectAll()
        edit.insert(_FILLER * length)
    edit.clear()
