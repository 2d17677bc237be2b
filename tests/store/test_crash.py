"""A process killed in the middle of a stream of saves loses no committed record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cse_desktop.crypto import KdfParams
from cse_desktop.store import Store

PASSPHRASE = "a long enough passphrase"


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [25, 160])
def test_sigkill_mid_stream_loses_nothing_committed(tmp_path: Path, kill_after: int) -> None:
    data_dir = tmp_path / "data"
    Store.create(data_dir, PASSPHRASE, kdf=KdfParams.fast_for_tests()).lock()
    writer = Path(__file__).with_name("crash_writer.py")
    process = subprocess.Popen([sys.executable, str(writer), str(data_dir), PASSPHRASE],
                               stdout=subprocess.PIPE, text=True)
    committed: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while len(committed) < kill_after and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        committed.append(line.strip())
    os.kill(process.pid, signal.SIGKILL)  # no chance to clean up
    process.wait()
    assert len(committed) >= kill_after, "the writer stopped early"

    store = Store.unlock(data_dir, PASSPHRASE)
    assert store.integrity_check() == "ok"
    saved = {r.id for r in store.records()}
    assert set(committed) <= saved
    assert store.verify_audit().ok
    # Every saved record is in the outbox exactly as often as it was changed.
    assert store.pending_count() >= len(committed)
    store.lock()
