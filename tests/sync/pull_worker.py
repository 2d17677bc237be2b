"""A desktop client in its own process, killed (SIGKILL) in the middle of a pull.

Usage: python -m tests.sync.pull_worker DATA_DIR CA_FILE PAGE_SIZE KILL_AT_PAGE

It dies inside the local transaction of page KILL_AT_PAGE: after that page's records were
written and while its cursor was being written, before the commit.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from cse_desktop.store import Store
from cse_desktop.sync import SyncClient
from cse_desktop.sync.client import CURSOR_KEY
from tests.server.harness import PASSPHRASE


def main() -> None:
    data_dir, ca_file, page_size, kill_at = sys.argv[1:5]
    store = Store.unlock(Path(data_dir), PASSPHRASE)
    original = store.set_sync_state
    pages = 0

    def dying_set_sync_state(key: str, value: Any, conn: Any = None) -> None:
        nonlocal pages
        original(key, value, conn=conn)
        if key == CURSOR_KEY:
            pages += 1
            if pages == int(kill_at):
                os.kill(os.getpid(), signal.SIGKILL)

    store.set_sync_state = dying_set_sync_state  # type: ignore[method-assign]
    SyncClient.from_store(store, verify=ca_file, pull_limit=int(page_size)).sync_once()
    print("finished without being killed")


if __name__ == "__main__":
    main()
