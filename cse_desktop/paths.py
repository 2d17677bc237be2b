"""Where things live: the data directory (platformdirs, or --data-dir / CSE_DATA_DIR)."""

from __future__ import annotations

import os
import site
import sys
from pathlib import Path

import platformdirs

APP_NAME = "cse-desktop"
APP_AUTHOR = "cse-partnership"


def data_dir(override: str | os.PathLike[str] | None = None, *, demo: bool = False,
             demo_role: str | None = None) -> Path:
    """The folder holding the encrypted database and key file.

    Order: the ``--data-dir`` option, then ``CSE_DATA_DIR``, then the platform's user data
    folder.  The demo store always lives in its own ``demo`` sub-folder so that it can never be
    mistaken for (or mixed with) real records; a demo store for another role than the
    outreach worker's (``demo_role``, e.g. ``team_lead``) in ``demo-<role>`` beside it.
    """
    chosen = override or os.environ.get("CSE_DATA_DIR")
    base = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    if not demo:
        return base
    return base / ("demo" if demo_role in (None, "outreach_worker") else f"demo-{demo_role}")


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))


def _holds_forms(folder: Path) -> bool:
    return (folder / "forms" / "form-definition.schema.json").is_file()


def repo_root() -> Path:
    """The folder holding forms/ and resources/: the bundle folder when frozen, the source tree
    when run from it (or installed with ``pip install -e``), otherwise the data files a wheel
    install put in ``<prefix>/share/cse-desktop`` (see ``[tool.setuptools.data-files]``)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    source = Path(__file__).resolve().parents[1]
    if _holds_forms(source):
        return source
    for prefix in (sys.prefix, site.getuserbase()):
        installed = Path(prefix) / "share" / APP_NAME
        if _holds_forms(installed):
            return installed
    return source


def resources_dir() -> Path:
    return repo_root() / "resources"
