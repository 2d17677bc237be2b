"""A wipe after the service withdraws the device survives being killed half way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cse_desktop.crypto import KdfParams
from cse_desktop.records import Role
from cse_desktop.services.casework import Casework
from cse_desktop.services.errors import ServiceError
from cse_desktop.services.session import (
    finish_interrupted_wipe,
    first_run,
    store_exists,
    unlock,
)
from cse_desktop.sync import rescue

PASSPHRASE = "a long enough passphrase"


def _store_killed_while_wiping(tmp_path: Path, kill_before: str) -> tuple[Path, Path]:
    data_dir = tmp_path / "data"
    session = first_run(data_dir, PASSPHRASE, name="Ade Worker", role=Role.OUTREACH_WORKER,
                        kdf=KdfParams.fast_for_tests())
    work = Casework(session)
    work.add_child({"first_name": "Tomasz", "last_name": "Unsynced",
                    "date_of_birth": "2010-01-01"})
    session.lock()
    victim = Path(__file__).with_name("wipe_victim.py")
    done = subprocess.run([sys.executable, str(victim), str(data_dir), PASSPHRASE, kill_before],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr  # killed in the middle, as by a power cut
    bundle = Path(done.stdout.strip())
    assert bundle.exists()
    assert (data_dir / "records.db").exists()  # the half-done state the kill left
    return data_dir, bundle


@pytest.mark.parametrize("kill_before", ["records.key", "records.db"])
def test_a_wipe_killed_half_way_is_finished_at_the_next_start(tmp_path: Path,
                                                              kill_before: str) -> None:
    data_dir, bundle = _store_killed_while_wiping(tmp_path, kill_before)
    assert not store_exists(data_dir)  # the app does not offer to unlock a half-wiped store
    finished = finish_interrupted_wipe(data_dir)
    assert finished is not None
    assert "now finished" in finished.message and str(bundle) in finished.message
    assert sorted(p.name for p in data_dir.iterdir()) == []
    assert finish_interrupted_wipe(data_dir) is None  # once
    # The rescue bundle is intact and opens with the passphrase.
    assert rescue.open_bundle(bundle, passphrase=PASSPHRASE).changes
    # Setting up again works.
    first_run(data_dir, "a new passphrase here", name="Ade Worker",
              role=Role.OUTREACH_WORKER, kdf=KdfParams.fast_for_tests()).lock()


def test_unlocking_a_half_wiped_store_finishes_the_wipe_and_says_so(tmp_path: Path) -> None:
    data_dir, bundle = _store_killed_while_wiping(tmp_path, "records.key")
    with pytest.raises(ServiceError, match="now finished") as caught:
        unlock(data_dir, PASSPHRASE)
    assert str(bundle) in str(caught.value) and "Set the app up again" in str(caught.value)
    assert not (data_dir / "records.db").exists() and not (data_dir / "records.key").exists()


def test_first_run_after_a_killed_wipe_just_works(tmp_path: Path) -> None:
    data_dir, _bundle = _store_killed_while_wiping(tmp_path, "records.db")
    first_run(data_dir, PASSPHRASE, name="Ade Worker", role=Role.OUTREACH_WORKER,
              kdf=KdfParams.fast_for_tests()).lock()
    unlock(data_dir, PASSPHRASE).lock()
