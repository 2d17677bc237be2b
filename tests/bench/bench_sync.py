"""Sync benchmark on loopback, against a real cse-server process (HTTPS), SQLite and
PostgreSQL: the first sync of 10,000 records to a newly enrolled device, and an incremental
sync of 10 changes.  Goals: < 30 s and < 1 s.

PostgreSQL is used when CSE_TEST_POSTGRES_URL (or CSE_BENCH_POSTGRES_URL) is set, or when the
usual local one (postgres@127.0.0.1:5432/test) answers.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from cse_desktop.records import RecordType
from tests.server.harness import (
    POSTGRES_ENV,
    Device,
    Service,
    child_data,
    enrol_device,
    make_record,
)

RECORDS = 10_000
CHILDREN = 100
CHANGES = 10
LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_TEXT = ("met outreach station park older car phone money gifts school missing returned "
         "police worried friends party county lines trainers carer foster home")
WORDS = _TEXT.split()


def _postgres_available() -> bool:
    url = os.environ.get("CSE_BENCH_POSTGRES_URL") or os.environ.get(POSTGRES_ENV) or LOCAL_PG
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:
        return False
    os.environ[POSTGRES_ENV] = url
    return True


def _seed(device: Device, rng: random.Random) -> list[str]:
    """10,000 records (100 children with 99 notes each) queued in one local transaction."""
    store, actor = device.store, device.actor
    note_ids: list[str] = []
    with store.transaction() as conn:
        for c in range(CHILDREN):
            child = make_record(RecordType.CHILD, child_data(f"Test Child {c:03d}"), actor)
            child = child.with_changes(child_id=child.id)
            store.enqueue(child, 0, actor, "create", conn=conn)
            for _ in range(RECORDS // CHILDREN - 1):
                summary = " ".join(rng.choice(WORDS) for _ in range(60))
                note = make_record(RecordType.CASE_NOTE, {
                    "summary": summary, "contact_type": "outreach",
                    "location": "Town centre"}, actor, child.id)
                store.enqueue(note, 0, actor, "create", conn=conn)
                note_ids.append(note.id)
    return note_ids


def _timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def run(backend: str, base: Path) -> list[tuple[str, str, int, float, float]]:
    rows: list[tuple[str, str, int, float, float]] = []
    service = Service(base / f"server-{backend}", backend).start()
    try:
        service.user("bench")
        writer = enrol_device(service, "bench", base / f"{backend}-writer", push_batch=500)
        note_ids = _seed(writer, random.Random(1))
        seconds, _ = _timed(writer.client.sync_once)
        rows.append((backend, "first push of 10,000 records", RECORDS, seconds, 0))

        reader = enrol_device(service, "bench", base / f"{backend}-reader", pull_limit=1000)
        seconds, report = _timed(reader.client.sync_once)
        assert report.pulled == RECORDS and reader.store.count() == RECORDS, report  # type: ignore[attr-defined]
        rows.append((backend, "first sync of 10,000 records", RECORDS, seconds, 30))

        for note_id in random.Random(2).sample(note_ids, CHANGES):
            current = writer.store.get(note_id)
            writer.store.update(note_id, {**current.data, "location": "Library"}, writer.actor)
        seconds, _ = _timed(writer.client.sync_once)
        rows.append((backend, "push of 10 changes", CHANGES, seconds, 1))
        seconds, report = _timed(reader.client.sync_once)
        assert report.pulled == CHANGES, report  # type: ignore[attr-defined]
        rows.append((backend, "incremental sync of 10 changes", CHANGES, seconds, 1))
        seconds, _ = _timed(reader.client.sync_once)
        rows.append((backend, "sync with nothing new", 0, seconds, 1))
        writer.close()
        reader.close()
    finally:
        service.close()
    return rows


def main() -> None:
    backends = ["sqlite"] + (["postgres"] if _postgres_available() else [])
    rows: list[tuple[str, str, int, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            rows.extend(run(backend, Path(tmp)))
    print(f"{'database':<10} {'what':<32} {'records':>8} {'seconds':>9} {'goal':>6}  ok")
    for backend, what, count, seconds, goal in rows:
        verdict = ("yes" if seconds < goal else "NO") if goal else "-"
        goal_text = f"< {goal:g}" if goal else ""
        print(f"{backend:<10} {what:<32} {count:>8} {seconds:>9.2f} {goal_text:>6}  {verdict}")
    if "postgres" not in backends:
        print("(PostgreSQL not reachable: set CSE_TEST_POSTGRES_URL to include it)")


if __name__ == "__main__":
    main()
