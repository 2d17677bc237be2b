"""A record is always shown with the form version it was captured with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.forms import FORMS_DIR, FormLibrary
from cse_desktop.records import Role
from cse_desktop.services.casework import Casework
from cse_desktop.services.session import first_run
from cse_desktop.ui.forms import FormView

from .conftest import PASSPHRASE


def test_old_records_keep_their_own_version(qtbot: Any, tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, forms)
    v1 = json.loads((forms / "case_note.v1.json").read_text())
    v2 = {**v1, "version": 2}
    v2["sections"] = [dict(s) for s in v1["sections"]]
    v2["sections"][0]["fields"] = [*v1["sections"][0]["fields"], {
        "id": "interpreter_used", "type": "yes_no", "label": "Was an interpreter used?"}]
    (forms / "case_note.v2.json").write_text(json.dumps(v2))
    session = first_run(tmp_path / "store", PASSPHRASE, name="Sam Okafor",
                        role=Role.OUTREACH_WORKER, kdf=KdfParams.fast_for_tests(),
                        library=FormLibrary(forms))
    try:
        casework = Casework(session)
        child = casework.add_child({"first_name": "Ola", "last_name": "Brown",
                                    "date_of_birth": "2010-01-02"})
        new = casework.start_draft("case_note", child.id, {"summary": "New note"})
        old = casework.store.add(
            casework._new_record("case_note", {"child_id": child.id, "summary": "Old note"},
                                 child.id).with_changes(form_version=1),
            casework.actor,
        )
        assert (new.form_version, old.form_version) == (2, 1)
        new_view = FormView(casework, new)
        old_view = FormView(casework, old)
        for view in (new_view, old_view):
            qtbot.addWidget(view)
        assert "interpreter_used" in new_view.editors
        assert "interpreter_used" not in old_view.editors
        assert old_view.answers()["summary"] == "Old note"
        for view in (new_view, old_view):
            view.shutdown()
    finally:
        session.lock()
