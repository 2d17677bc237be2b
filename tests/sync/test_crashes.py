"""Crashes on either side: no change applied twice, none lost, no gap and no duplicate."""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from cse_desktop.records import RecordType
from cse_desktop.store import Store
from cse_desktop.sync import Offline, SyncClient
from cse_desktop.sync.client import CURSOR_KEY
from tests.server.harness import (
    PASSPHRASE,
    REPO,
    Device,
    Service,
    enrol_device,
)

pytestmark = pytest.mark.slow


def fill(device: Device, notes: int) -> set[str]:
    child = device.child("Test Child Delta")
    ids = {child.id}
    for n in range(notes):
        ids.add(device.add(RecordType.CASE_NOTE, {"summary": f"Note {n}"}, child.id).id)
    return ids


def assert_exactly_once(service: Service, ids: set[str], device: Device) -> None:
    assert device.store.pending_count() == 0
    assert service.scalar("SELECT count(*) FROM records") == len(ids)
    # One stored version per change: nothing was applied twice.
    assert service.scalar("SELECT count(*) FROM record_versions") == len(ids)
    assert service.scalar("SELECT count(DISTINCT change_id) FROM record_versions") == len(ids)
    assert service.scalar("SELECT count(*) FROM processed_changes") == len(ids)
    assert service.scalar("SELECT max(revision) FROM records") == 1


@pytest.mark.parametrize("fault", ["push-mid-batch:30", "push-before-commit:2",
                                   "push-after-commit:2", "external"])
def test_server_killed_mid_push(tmp_path: Path, backend: str, fault: str) -> None:
    service = Service(tmp_path / "server", backend)
    service.user("pushy")
    service.start()
    device = enrol_device(service, "pushy", tmp_path / "device", push_batch=40)
    try:
        ids = fill(device, 119)
        service.stop()
        if fault == "external":
            service.start()
            device.client.push_batch = 120
            worker = threading.Thread(target=lambda: _sync_expecting_failure(device))
            worker.start()
            time.sleep(random.uniform(0.05, 0.4))
            service.kill()
            worker.join(60)
        else:
            service.start(fault=fault)
            try:
                report = device.sync()
            except Offline:
                pass  # nothing at all went through
            else:
                # Batches sent before the kill went through; the round says the rest did not.
                assert report.push_error is not None and not report.complete, report
            assert service.wait_dead() == -9  # it really was SIGKILLed mid-push
        service.start()
        device.sync()
        device.sync()
        assert_exactly_once(service, ids, device)
    finally:
        device.close()
        service.close()


def _sync_expecting_failure(device: Device) -> None:
    with contextlib.suppress(Offline):
        device.sync()


def test_client_killed_mid_pull_resumes_without_gap_or_duplicate(
        tmp_path: Path, backend: str) -> None:
    service = Service(tmp_path / "server", backend)
    service.user("writer")
    service.start()
    writer = enrol_device(service, "writer", tmp_path / "writer")
    reader = enrol_device(service, "writer", tmp_path / "reader")
    try:
        ids = fill(writer, 199)
        writer.sync()
        reader.close()  # the store is locked; the worker process opens it

        worker = subprocess.run(
            [sys.executable, "-m", "tests.sync.pull_worker", str(reader.data_dir),
             str(service.ca_path), "25", "3"], cwd=REPO, capture_output=True, timeout=120)
        assert worker.returncode == -9, worker.stderr.decode()

        store = Store.unlock(reader.data_dir, PASSPHRASE)
        before = {r.id for r in store.records()}
        assert len(before) == 50  # two pages committed, the third rolled back with its cursor
        cursor = store.get_sync_state(CURSOR_KEY)
        assert cursor == service.scalar(
            "SELECT seq FROM records ORDER BY seq LIMIT 1 OFFSET 49")

        client = SyncClient.from_store(store, verify=service.verify, pull_limit=25)
        received: list[str] = []
        original_pull = client.transport.pull

        def counting_pull(cursor: int, limit: int, **options: Any) -> dict[str, Any]:
            page = original_pull(cursor, limit, **options)
            received.extend(r["id"] for r in page["records"])
            return page

        client.transport.pull = counting_pull  # type: ignore[method-assign]
        client.sync_once()
        assert len(received) == len(set(received))  # no duplicate
        assert not before & set(received)  # nothing already committed came again
        assert before | set(received) == ids  # no gap
        assert {r.id for r in store.records()} == ids
        client.close()
        store.lock()
    finally:
        writer.close()
        service.close()
