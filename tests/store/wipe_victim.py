"""Helper process for the wipe test: writes a rescue bundle, starts the wipe after a
withdrawal, and is killed (SIGKILL, no clean-up) just before it removes ``argv[3]``."""

from __future__ import annotations

import inspect
import os
import signal
import sys
from pathlib import Path

from cse_desktop.services.session import unlock
from cse_desktop.sync import rescue


def main() -> None:
    data_dir, passphrase, kill_before = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    session = unlock(data_dir, passphrase)
    bundle = rescue.write_bundle(session.store, "withdrawn", data_dir.parent / "rescue")
    print(bundle, flush=True)
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name == kill_before:
            os.kill(os.getpid(), signal.SIGKILL)
        real_unlink(self, missing_ok=missing_ok)

    Path.unlink = unlink  # type: ignore[method-assign]
    if "rescue_path" in inspect.signature(rescue.wipe).parameters:
        rescue.wipe(session.store, reason="Device withdrawn by the service.",
                    rescue_path=bundle)
    else:
        rescue.wipe(session.store)


if __name__ == "__main__":
    main()
