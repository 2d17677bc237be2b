"""The organisation printed at the top of every form: its name and logo.

Both come from the partnership's service at enrolment (set there by an administrator:
CSE_SERVER_ORGANISATION, CSE_SERVER_LOGO), or from the name typed at first run on a computer
that is not enrolled.  They are kept in the encrypted store's "organisation" setting.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.images import is_png

if TYPE_CHECKING:  # the PDF package is imported when a document is made, not at start-up
    from ..pdf.model import Organisation

DEFAULT_ORGANISATION_NAME = "Safeguarding Partnership"
DEMO_ORGANISATION = "Safeguarding Partnership (DEMO: synthetic data only)"  # the demo store's
# What earlier versions wrote into every new store, demo or not.
OLD_DEFAULT_NAME = "Safeguarding Partnership (demo)"


def organisation_setting(name: str | None) -> dict[str, Any]:
    """The setting a new store starts with."""
    return {"name": (name or "").strip() or DEFAULT_ORGANISATION_NAME, "logo_path": None}


def _logo(setting: dict[str, Any]) -> bytes | None:
    encoded = setting.get("logo_png_b64")
    if encoded:
        try:
            data = base64.b64decode(str(encoded), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        return data if is_png(data) else None
    path = setting.get("logo_path")
    if path:
        try:
            return Path(path).read_bytes()
        except OSError:
            return None
    return None


def printed_organisation(setting: dict[str, Any] | None) -> Organisation:
    """The name and logo a document prints; a missing or broken logo gives the placeholder."""
    from ..pdf.model import Organisation

    setting = setting or {}
    name = str(setting.get("name") or "").strip() or DEFAULT_ORGANISATION_NAME
    return Organisation(name=name, logo_png=_logo(setting))
