"""A withdrawn child whose changes the service refuses can still leave the device: the
practitioner sees the refused changes, saves them to a rescue bundle, and lets the child go
(against a real server process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cse_desktop.forms import default_library
from cse_desktop.server import admin
from cse_desktop.services.errors import ServiceError
from cse_desktop.services.session import Session
from cse_desktop.services.withdrawn import WithdrawnChildren
from cse_desktop.sync import rescue
from cse_desktop.sync.client import BLOCKED_KEY, WITHDRAWN_KEY
from tests.server.fixtures import _clean_postgres, backend, shared_service  # noqa: F401
from tests.server.harness import PASSPHRASE, Service
from tests.sync.test_unassign import World, _world


@pytest.fixture
def world(shared_service: Service, tmp_path: Path) -> Iterator[World]:  # noqa: F811
    w = _world(shared_service, tmp_path, colleague_too=True)
    yield w
    w.close()


def test_refused_changes_of_a_withdrawn_child_are_rescued_then_the_child_goes(
        world: World, tmp_path: Path) -> None:
    worker = world.worker
    plan_id = world.record_ids[-1]
    worker.store.update(plan_id, {"summary": "Written after the caseload changed."},
                        worker.actor)
    admin.unassign(world.svc.engine, world.names["worker"], world.child.id)
    assert world.child.id in worker.sync().kept  # refused, so the child cannot leave
    assert world.child.id in worker.sync().kept  # ... ever, on its own

    session = Session(worker.store, worker.actor, default_library(), worker.data_dir)
    service = WithdrawnChildren(session)
    [kept] = service.kept()
    assert kept.child_id == world.child.id and kept.name == "Test Child Kilo"
    [refused] = kept.refused
    assert refused.record_id == plan_id and refused.what == "Case note" and refused.reason
    assert kept.waiting == 0

    with pytest.raises(ServiceError, match="taken off your caseload"):
        service.rescue_and_release(world.record_ids[1], tmp_path / "rescue")

    bundle = service.rescue_and_release(world.child.id, tmp_path / "rescue")

    contents = rescue.open_bundle(bundle, passphrase=PASSPHRASE)
    assert [c["record_id"] for c in contents.changes] == [plan_id]
    assert contents.changes[0]["record"]["data"]["summary"] == (
        "Written after the caseload changed.")
    assert all(worker.store.find(i) is None for i in world.record_ids)
    assert worker.store.pending_count() == 0
    assert worker.store.get_sync_state(WITHDRAWN_KEY) == []
    assert worker.store.get_sync_state(BLOCKED_KEY) == {}
    assert service.kept() == []
    actions = [e.action for e in worker.store.audit_entries(child_id=world.child.id)]
    assert "rescue_and_release" in actions and "purge" in actions
    assert worker.store.verify_audit().ok
    report = worker.sync()  # and the next sync is clean
    assert not report.kept and not report.blocked
