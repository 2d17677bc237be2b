"""The organisation printed on forms: from first run, never the demo name on a real store."""

from __future__ import annotations

from pathlib import Path

from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.records import Role
from cse_desktop.services.organisation import (
    DEFAULT_ORGANISATION_NAME,
    OLD_DEFAULT_NAME,
    printed_organisation,
)
from cse_desktop.services.session import first_run, unlock

PASSPHRASE = "blue kettle under the stairs"


def _first_run(path: Path, **options: object):  # type: ignore[no-untyped-def]
    return first_run(path, PASSPHRASE, name="Ffion Testley", role=Role.NURSE_PRACTITIONER,
                     kdf=KdfParams.fast_for_tests(), **options)  # type: ignore[arg-type]


def test_a_real_store_is_never_named_demo(tmp_path: Path) -> None:
    session = _first_run(tmp_path / "plain")
    try:
        assert session.organisation["name"] == DEFAULT_ORGANISATION_NAME
        assert "demo" not in printed_organisation(session.organisation).name.lower()
    finally:
        session.lock()


def test_the_name_typed_at_first_run_is_printed(tmp_path: Path) -> None:
    session = _first_run(tmp_path / "named", organisation="  Eastmoor Children's Services  ")
    try:
        assert printed_organisation(session.organisation).name == "Eastmoor Children's Services"
    finally:
        session.lock()


def test_an_old_real_store_loses_the_demo_name_at_unlock_and_it_is_audited(tmp_path: Path
                                                                          ) -> None:
    session = _first_run(tmp_path / "old")
    session.store.set_meta("organisation", {"name": OLD_DEFAULT_NAME, "logo_path": None})
    session.lock()
    session = unlock(tmp_path / "old", PASSPHRASE)
    try:
        assert session.organisation["name"] == DEFAULT_ORGANISATION_NAME
        assert any(e.action == "settings_changed" and "organisation" in e.detail
                   for e in session.store.audit_entries())
    finally:
        session.lock()


def test_a_demo_store_keeps_its_demo_name(tmp_path: Path) -> None:
    session = _first_run(tmp_path / "demo", organisation=OLD_DEFAULT_NAME, demo=True)
    session.lock()
    session = unlock(tmp_path / "demo", PASSPHRASE)
    try:
        assert session.organisation["name"] == OLD_DEFAULT_NAME
    finally:
        session.lock()
