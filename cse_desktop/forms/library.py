"""All installed form definitions, by form id and version.

Old records keep rendering with the version they were captured with, so every version stays
loadable: ``library.get("case_note", 1)`` even when the latest is version 2.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cse_desktop.forms.loader import load_definition
from cse_desktop.forms.model import FormDefinition, FormDefinitionError
from cse_desktop.forms.paths import FORMS_DIR, SCHEMA_FILE_NAME


class UnknownFormError(KeyError):
    """The form (or the version of it) asked for is not installed."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown form"


class FormLibrary:
    """Loads and checks every definition in a folder when it is made; raises
    ``FormDefinitionError`` for the first broken one."""

    def __init__(self, forms_dir: str | Path = FORMS_DIR) -> None:
        self.forms_dir = Path(forms_dir)
        if not self.forms_dir.is_dir():
            raise FormDefinitionError(self.forms_dir, None, "the forms folder does not exist")
        self._forms: dict[str, dict[int, FormDefinition]] = {}
        for path in sorted(self.forms_dir.glob("*.json")):
            if path.name == SCHEMA_FILE_NAME:
                continue
            definition = load_definition(path)
            self._forms.setdefault(definition.form_id, {})[definition.version] = definition

    def get(self, form_id: str, version: int | None = None) -> FormDefinition:
        """A definition; ``version=None`` gives the latest.  Unknown -> ``UnknownFormError``."""
        versions = self._forms.get(form_id)
        if not versions:
            known = ", ".join(self.form_ids()) or "none"
            raise UnknownFormError(f"There is no form called '{form_id}' (installed: {known}).")
        if version is None:
            return versions[max(versions)]
        try:
            return versions[version]
        except (KeyError, TypeError):
            installed = ", ".join(str(v) for v in sorted(versions))
            raise UnknownFormError(
                f"Form '{form_id}' has no version {version} (installed versions: {installed})."
            ) from None

    def latest(self, form_id: str) -> FormDefinition:
        return self.get(form_id)

    def versions(self, form_id: str) -> list[int]:
        """Installed versions, oldest first (empty for an unknown form)."""
        return sorted(self._forms.get(form_id, {}))

    def form_ids(self) -> list[str]:
        return sorted(self._forms)

    def definitions(self) -> list[FormDefinition]:
        """Every installed definition, by form id then version."""
        return [self._forms[f][v] for f in self.form_ids() for v in self.versions(f)]

    def __contains__(self, form_id: object) -> bool:
        return form_id in self._forms


@lru_cache(maxsize=1)
def default_library() -> FormLibrary:
    """The library of the app's own forms folder, loaded once."""
    return FormLibrary(FORMS_DIR)
