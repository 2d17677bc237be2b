"""Rules shared by the desktop app, its PDFs and the central service.

Plain Python: no Qt, no encrypted store, no server libraries, so the central service can be
installed without PySide6 or SQLCipher (the ``server`` extra) and import these.
"""
