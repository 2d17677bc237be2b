"""Data minimisation on a real server: a child taken out of a caseload (`cse-server admin
unassign`) leaves the practitioner's devices at their next sync, with all its records, audited;
team leads who still see the child keep it; unsynced work is never lost."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import Record, RecordType, Signature
from cse_desktop.server import admin
from cse_desktop.sync.client import CURSOR_KEY, WITHDRAWN_KEY, WITHDRAWN_REASON
from cse_desktop.sync.errors import Forbidden
from tests.server.harness import Device, Service, enrol_device, make_record
from tests.server.test_schemas_and_cli import cli


@dataclass
class World:
    svc: Service
    worker: Device
    lead: Device
    names: dict[str, str]
    child: Record
    record_ids: list[str]

    def close(self) -> None:
        self.worker.close()
        self.lead.close()


def _world(svc: Service, tmp_path: Path, *, colleague_too: bool) -> World:
    tag = tmp_path.name[-8:].replace("_", "").replace("-", "")
    names = {"team": f"Team{tag}", "worker": f"worker{tag}", "colleague": f"colleague{tag}",
             "lead": f"lead{tag}"}
    admin.create_team(svc.engine, names["team"])
    svc.user(names["worker"], "outreach_worker", names["team"])
    svc.user(names["colleague"], "nurse_practitioner", names["team"])
    svc.user(names["lead"], "team_lead", names["team"])
    worker = enrol_device(svc, names["worker"], tmp_path / "worker")
    lead = enrol_device(svc, names["lead"], tmp_path / "lead")
    child = worker.child("Test Child Kilo")
    note = worker.add(RecordType.CASE_NOTE, {"summary": "Met at the drop-in."}, child.id)
    signed = worker.store.sign(note.id, Signature(worker.actor.name, "Outreach worker",
                                                  SYSTEM_CLOCK.now()), worker.actor)
    addendum = worker.store.add_addendum(
        signed.id, make_record(RecordType.ADDENDUM, {"reason": "Typo", "text": "Correction."},
                             worker.actor),
        worker.actor)
    sensitive = worker.add(RecordType.CASE_NOTE, {"summary": "Disclosure.", "sensitive": "yes"},
                           child.id)
    plan = worker.add(RecordType.CASE_NOTE, {"summary": "Plan for next week."}, child.id)
    report = worker.sync()
    assert report.pushed == 6 and not report.blocked
    if colleague_too:
        admin.assign(svc.engine, names["colleague"], child.id)
    lead.sync()
    ids = [child.id, note.id, addendum.id, sensitive.id, plan.id]
    assert all(lead.store.find(i) is not None for i in ids)
    return World(svc, worker, lead, names, child, ids)


@pytest.fixture
def world(shared_service: Service, tmp_path: Path) -> Iterator[World]:
    w = _world(shared_service, tmp_path, colleague_too=True)
    yield w
    w.close()


def purges(device: Device) -> list[dict[str, Any]]:
    return [e for e in device.store.audit_entries() if _field(e, "action") == "purge"]


def _field(entry: Any, name: str) -> Any:
    return entry[name] if isinstance(entry, dict) else getattr(entry, name)


def test_unassigned_child_leaves_the_workers_device_but_not_the_leads(world: World) -> None:
    svc, worker, lead = world.svc, world.worker, world.lead
    cursor_before = worker.store.get_sync_state(CURSOR_KEY)
    assert admin.unassign(svc.engine, world.names["worker"], world.child.id) is True

    report = worker.sync()
    assert report.removed == [world.child.id] and not report.kept
    assert "1 removed from your caseload" in report.summary
    for record_id in world.record_ids:
        assert worker.store.find(record_id) is None
    purged = purges(worker)
    assert sorted(_field(e, "record_id") for e in purged) == sorted(world.record_ids)
    assert all(_field(e, "detail") == WITHDRAWN_REASON for e in purged)
    assert worker.store.verify_audit().ok
    # The withdrawn entry advanced the cursor like any other feed entry.
    withdrawn_seq = svc.scalar("SELECT seq FROM withdrawals WHERE child_id = :c", c=world.child.id)
    assert worker.store.get_sync_state(CURSOR_KEY) == withdrawn_seq > cursor_before
    assert worker.store.get_sync_state(WITHDRAWN_KEY) == []

    # Only the worker was withdrawn: the lead still sees the child through the colleague.
    assert svc.scalar("SELECT count(*) FROM withdrawals WHERE child_id = :c",
                      c=world.child.id) == 1
    lead_report = lead.sync()
    assert not lead_report.removed
    assert all(lead.store.find(i) is not None for i in world.record_ids)
    assert not purges(lead)

    # The service refuses the worker the child's records from now on.
    for record_id in world.record_ids:
        with pytest.raises(Forbidden):
            worker.client.transport.record(record_id)
    page = worker.client.transport.pull(0, 2000)
    assert world.child.id not in {r.get("child_id") or r["id"] for r in page["records"]}

    # The service audited the unassignment.
    assert svc.scalar("SELECT count(*) FROM audit_log WHERE action = 'admin_unassign' AND "
                      "child_id = :c", c=world.child.id) == 1

    # Syncing again changes nothing.
    audit_size = len(worker.store.audit_entries())
    again = worker.sync()
    assert (again.pushed, again.pulled, again.removed, again.kept) == (0, 0, [], {})
    assert len(worker.store.audit_entries()) == audit_size
    assert worker.store.get_sync_state(CURSOR_KEY) == withdrawn_seq
    # Unassigning twice is harmless.
    assert admin.unassign(svc.engine, world.names["worker"], world.child.id) is False


def test_a_lead_who_no_longer_sees_the_child_loses_it_too(shared_service: Service,
                                                         tmp_path: Path) -> None:
    w = _world(shared_service, tmp_path, colleague_too=False)
    try:
        admin.unassign(shared_service.engine, w.names["worker"], w.child.id)
        assert w.worker.sync().removed == [w.child.id]
        assert w.lead.sync().removed == [w.child.id]
        assert all(w.lead.store.find(i) is None for i in w.record_ids)
        assert w.lead.store.verify_audit().ok
    finally:
        w.close()


def test_reassigned_before_the_next_sync_keeps_the_child(world: World) -> None:
    admin.unassign(world.svc.engine, world.names["worker"], world.child.id)
    admin.assign(world.svc.engine, world.names["worker"], world.child.id)
    report = world.worker.sync()
    assert not report.removed
    assert all(world.worker.store.find(i) is not None for i in world.record_ids)
    assert not purges(world.worker)


def test_pending_change_is_pushed_before_the_withdrawal_is_applied(world: World) -> None:
    worker = world.worker
    plan_id = world.record_ids[-1]
    worker.store.update(plan_id, {"summary": "Plan changed offline."}, worker.actor)
    real_pull = worker.client.transport.pull
    unassigned: list[bool] = []

    def pull_after_unassigning(cursor: int, limit: int, **options: Any) -> dict[str, Any]:
        # The caseload changes between this sync's push and its pull.
        if not unassigned:
            admin.unassign(world.svc.engine, world.names["worker"], world.child.id)
            unassigned.append(True)
        return real_pull(cursor, limit, **options)

    worker.client.transport.pull = pull_after_unassigning  # type: ignore[method-assign]
    report = worker.sync()
    assert report.pushed == 1 and report.removed == [world.child.id]
    assert worker.store.find(plan_id) is None
    lead_copy = world.lead.client.transport.record(plan_id)
    assert lead_copy["data"]["summary"] == "Plan changed offline."


def test_child_with_unaccepted_changes_stays_until_they_are_accepted(world: World) -> None:
    worker = world.worker
    plan_id = world.record_ids[-1]
    worker.store.update(plan_id, {"summary": "Written after the caseload changed."},
                        worker.actor)
    admin.unassign(world.svc.engine, world.names["worker"], world.child.id)

    report = worker.sync()  # the change is refused: the child is no longer the worker's
    assert report.blocked and not report.removed
    assert report.kept == {world.child.id: "Test Child Kilo could not be removed because it "
                                           "has changes not yet accepted by the service."}
    assert "1 kept until its changes are accepted" in report.summary
    assert all(worker.store.find(i) is not None for i in world.record_ids)
    assert worker.store.get(plan_id).data["summary"] == "Written after the caseload changed."
    assert worker.store.get_sync_state(WITHDRAWN_KEY) == [world.child.id]
    assert not purges(worker)

    # Still kept at the next sync (the withdrawal is remembered, not lost with the cursor).
    assert world.child.id in worker.sync().kept
    assert worker.store.find(plan_id) is not None

    # Once the outbox no longer holds the change (the service accepted it), the next sync
    # removes the child without needing a new feed entry.
    [change] = [c for c in worker.store.pending_changes() if c.record_id == plan_id]
    worker.store.acknowledge([change.change_id])
    report = worker.sync()
    assert report.removed == [world.child.id] and not report.kept
    assert all(worker.store.find(i) is None for i in world.record_ids)
    assert worker.store.get_sync_state(WITHDRAWN_KEY) == []
    assert worker.store.verify_audit().ok


def test_unassign_from_the_command_line(shared_service: Service, tmp_path: Path) -> None:
    svc = shared_service
    run = lambda *a: cli(svc.data_dir, svc.database_url, *a)  # noqa: E731
    username = f"cli{tmp_path.name[-8:]}".replace("_", "").replace("-", "")
    svc.user(username)
    not_there = run("admin", "unassign", username, "child-cli-1")
    assert not_there.returncode == 0 and "was not in" in not_there.stdout
    assert run("admin", "assign", username, "child-cli-1").returncode == 0
    done = run("admin", "unassign", username, "child-cli-1")
    assert done.returncode == 0, done.stderr
    assert "no longer in" in done.stdout and "next sync" in done.stdout
    assert svc.scalar("SELECT count(*) FROM assignments WHERE child_id = 'child-cli-1'") == 0
    assert svc.scalar("SELECT count(*) FROM withdrawals WHERE child_id = 'child-cli-1'") == 1
    assert svc.scalar("SELECT count(*) FROM audit_log WHERE action = 'admin_unassign' AND "
                      "child_id = 'child-cli-1'") == 1
    unknown = run("admin", "unassign", "nobody-at-all", "child-cli-1")
    assert unknown.returncode == 1 and "no user called" in unknown.stderr


def test_kept_message_names_the_child_from_its_details(world: World) -> None:
    worker = world.worker
    worker.store.update(world.child.id, {"first_name": "Zoë", "last_name": "Nowak"},
                        worker.actor)
    admin.unassign(world.svc.engine, world.names["worker"], world.child.id)
    report = worker.sync()
    assert report.kept == {world.child.id: "Zoë Nowak could not be removed because it has "
                                           "changes not yet accepted by the service."}
