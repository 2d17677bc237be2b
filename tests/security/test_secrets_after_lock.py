"""After locking, neither the data key nor the passphrase is left in the app's memory:
a core of the real window process, taken after the lock (gcore), is searched for both."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.records import Role
from cse_desktop.services.casework import Casework
from cse_desktop.services.session import first_run
from cse_desktop.store import Store

PASSPHRASE = "Quartz Lantern Meadow 7741 Oboe"

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="gcore is for Linux"),
    pytest.mark.skipif(shutil.which("gcore") is None, reason="needs gdb's gcore"),
    pytest.mark.skipif(os.geteuid() != 0 and Path("/proc/sys/kernel/yama/ptrace_scope").exists()
                       and Path("/proc/sys/kernel/yama/ptrace_scope").read_text().strip() != "0",
                       reason="gcore may not attach to another process here"),
]


def _needles(data_key: bytes) -> dict[str, bytes]:
    hexed = data_key.hex()
    return {
        "data key (raw)": data_key,
        "data key (hex)": hexed.encode(),
        "data key (HEX)": hexed.upper().encode(),
        "data key (hex, UTF-16)": hexed.encode("utf-16-le"),
        "passphrase (UTF-8)": PASSPHRASE.encode(),
        "passphrase (UTF-16)": PASSPHRASE.encode("utf-16-le"),
        "passphrase (UTF-32)": PASSPHRASE.encode("utf-32-le"),
    }


def _found_in_core_after_lock(tmp_path: Path) -> list[str]:
    data_dir = tmp_path / "data"
    session = first_run(data_dir, PASSPHRASE, name="Mira Holt", role=Role.OUTREACH_WORKER,
                        kdf=KdfParams.fast_for_tests())
    Casework(session).add_child({"first_name": "Dana", "last_name": "Quill",
                                 "date_of_birth": "2011-04-05"})
    session.lock()
    data_key = Store.key_file(data_dir).unwrap(PASSPHRASE)
    helper = Path(__file__).with_name("locked_app.py")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    env.pop("CSE_RECOVERY_PUBLIC_KEY", None)
    child = subprocess.Popen([sys.executable, str(helper), str(data_dir)], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(PASSPHRASE + "\n")
        child.stdin.close()  # the pipe's buffer is the child's kernel memory, not its heap
        assert child.stdout.readline().strip() == "locked"
        core = tmp_path / "core"
        dumped = subprocess.run(["gcore", "-o", str(core), str(child.pid)],
                                capture_output=True, text=True, timeout=300)
        core_file = core.with_name(f"core.{child.pid}")
        assert core_file.exists(), dumped.stderr
        image = core_file.read_bytes()
        assert len(image) > 10_000_000  # a whole Qt process, not an empty file
        assert b"Qt" in image  # sanity: the dump is readable
        found = [name for name, needle in _needles(data_key).items() if needle in image]
        core_file.unlink()
        return found
    finally:
        child.kill()
        child.wait(timeout=30)


def test_no_key_or_passphrase_in_a_core_taken_after_lock(tmp_path: Path) -> None:
    assert _found_in_core_after_lock(tmp_path) == []
