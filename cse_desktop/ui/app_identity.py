"""Who the app is to the desktop: its name, application id, icon and accessibility set-up.

The application id (``org.cse_partnership.CseDesktop``) is the name of the desktop entry and
the AppStream metainfo in ``packaging/``; Wayland and the menus match windows to the entry
by it.  No application display name is set: Qt would add it to every window title
("Sign this interview — Child exploitation casework"), which a screen reader repeats on
every window.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QIcon

from ..paths import resources_dir
from .a11y_factory import install as install_accessibility

APP_ID = "org.cse_partnership.CseDesktop"
APP_NAME = "cse-desktop"  # the command, and X11's WM_CLASS (StartupWMClass)


def app_icon() -> QIcon:
    """The app's own icon (every size bundled in resources/icons)."""
    icon = QIcon()
    for path in sorted((resources_dir() / "icons").glob("cse-desktop-*.png")):
        icon.addFile(str(path))
    return icon


def apply_identity(app: QGuiApplication) -> None:
    """Name, application id, window icon and the accessibility factory, before any window."""
    install_accessibility()
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
