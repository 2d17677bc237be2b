"""Helper process for the crash test: saves records in a loop and reports each commit."""

from __future__ import annotations

import sys
from pathlib import Path

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import Actor, Record, RecordType, Role, new_id
from cse_desktop.store import Store


def main() -> None:
    store = Store.unlock(Path(sys.argv[1]), sys.argv[2])
    actor = Actor("u", "Worker", Role.OUTREACH_WORKER, store.device_id)
    i = 0
    while True:
        now = SYSTEM_CLOCK.now()
        record = Record(new_id(), RecordType.CASE_NOTE, "case_note", 1,
                        {"summary": f"note {i} " + "text " * 50}, actor.name, actor.device_id,
                        now, now, child_id="child")
        store.add(record, actor)
        if i % 3 == 0:
            store.update(record.id, {"summary": f"note {i} changed"}, actor)
        print(record.id, flush=True)  # only after the commit returned
        i += 1


if __name__ == "__main__":
    main()
