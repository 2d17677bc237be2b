"""Where the form definitions live.

The definitions ship beside the code: in the repository's ``forms/`` folder when running from
source, in the PyInstaller bundle (``sys._MEIPASS``) when frozen, or in
``<prefix>/share/cse-desktop/forms`` when installed from a wheel (see ``cse_desktop.paths``).
The environment variable ``CSE_FORMS_DIR`` points the app at another folder (tests, local
trials of new forms).
"""

from __future__ import annotations

import os
from pathlib import Path

from cse_desktop.paths import repo_root

SCHEMA_FILE_NAME = "form-definition.schema.json"


def builtin_forms_dir() -> Path:
    """The forms folder shipped with this copy of the app (ignores ``CSE_FORMS_DIR``)."""
    return repo_root() / "forms"


def configured_forms_dir() -> Path:
    """The forms folder to use: ``CSE_FORMS_DIR`` if set, otherwise the shipped one."""
    override = os.environ.get("CSE_FORMS_DIR")
    if override:
        return Path(override)
    return builtin_forms_dir()


FORMS_DIR: Path = configured_forms_dir()

# The JSON Schema is part of the app, not of the definitions: it always comes from the
# shipped folder, even when CSE_FORMS_DIR points elsewhere.
SCHEMA_PATH: Path = builtin_forms_dir() / SCHEMA_FILE_NAME
