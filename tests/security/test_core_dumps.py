"""The real cse-desktop process turns off core dumps and debugger attach as it starts."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="checked through /proc on Linux")

APP = Path(sys.executable).with_name("cse-desktop")
# Root may read any process's memory (CAP_SYS_PTRACE).  When the tests run as root, the app
# and the "other program" both run without that capability, like an ordinary user's
# programs: then only the app's own non-dumpable flag can stop the other one.
AS_USER = (["setpriv", "--bounding-set=-sys_ptrace", "--inh-caps=-sys_ptrace"]
           if os.geteuid() == 0 else [])
READ_MEMORY = "import os, sys; os.close(os.open(f'/proc/{sys.argv[1]}/mem', os.O_RDONLY))"


def _core_limit(pid: int) -> tuple[str, str]:
    limits = Path(f"/proc/{pid}/limits").read_text().splitlines()
    line = next(x for x in limits if x.startswith("Max core file size"))
    return line.split()[4], line.split()[5]


def _cores_allowed() -> None:  # in the child before exec: a desktop where cores are on
    _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def _another_program_can_read_memory_of(pid: int) -> bool:
    reader = subprocess.run([*AS_USER, sys.executable, "-c", READ_MEMORY, str(pid)],
                            capture_output=True, text=True, timeout=60)
    return reader.returncode == 0


@pytest.mark.skipif(AS_USER and shutil.which("setpriv") is None, reason="needs setpriv")
def test_the_running_app_writes_no_core_and_cannot_be_read_by_other_programs(
        tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "CSE_DATA_DIR": str(tmp_path / "data")}
    env.pop("CSE_RECOVERY_PUBLIC_KEY", None)
    # The check itself works: an ordinary process of the same user can be read.
    control = subprocess.Popen([*AS_USER, "sleep", "60"])
    try:
        time.sleep(0.3)
        assert _another_program_can_read_memory_of(control.pid)
    finally:
        control.kill()
        control.wait()
    app = subprocess.Popen([*AS_USER, str(APP)], env=env, cwd=tmp_path,
                           preexec_fn=_cores_allowed, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while (time.monotonic() < deadline and app.poll() is None
               and _core_limit(app.pid) != ("0", "0")):
            time.sleep(0.2)
        time.sleep(0.5)
        assert app.poll() is None, app.stderr.read().decode() if app.stderr else ""
        assert _core_limit(app.pid) == ("0", "0")  # no core file, and it cannot be raised
        assert not _another_program_can_read_memory_of(app.pid)  # not dumpable: no attach
    finally:
        app.kill()
        app.wait(timeout=30)
