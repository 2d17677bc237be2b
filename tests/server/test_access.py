"""Caseload scoping on a real server: a user who is not assigned a child cannot pull, push or
read (by id) any of its records, whatever the record type, and learns nothing about them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import RecordType, Signature
from cse_desktop.server import admin
from cse_desktop.sync import Forbidden, blocked_reasons
from tests.server.harness import Device, Service, enrol_device, make_record, text_data

TYPES = [RecordType.MISSING_EPISODE, RecordType.RETURN_INTERVIEW, RecordType.WARNING_SIGNS,
         RecordType.CASE_NOTE]


@pytest.fixture(scope="module")
def world(shared_service: Service, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    svc = shared_service
    tmp = tmp_path_factory.mktemp("access")
    admin.create_team(svc.engine, "North")
    admin.create_team(svc.engine, "South")
    for username, role, team in [("owner", "outreach_worker", "North"),
                                 ("colleague", "nurse_practitioner", "North"),
                                 ("stranger", "outreach_worker", "South"),
                                 ("northlead", "team_lead", "North"),
                                 ("southlead", "team_lead", "South"),
                                 ("boss", "admin", None)]:
        svc.user(username, role, team)
    devices = {name: enrol_device(svc, name, tmp / name)
               for name in ("owner", "colleague", "stranger", "northlead", "southlead", "boss")}
    owner = devices["owner"]
    child = owner.child("Test Child Bravo")
    records = {RecordType.CHILD: child}
    for record_type in TYPES:
        records[record_type] = owner.add(record_type,
                                         text_data(record_type, f"A {record_type.value}"),
                                         child.id)
    signed = owner.store.sign(records[RecordType.CASE_NOTE].id,
                              Signature("Owner Testperson", "Outreach worker", SYSTEM_CLOCK.now()),
                              owner.actor)
    addendum = make_record(RecordType.ADDENDUM, {"reason": "Typo", "text": "Correction"},
                           owner.actor)
    records[RecordType.ADDENDUM] = owner.store.add_addendum(signed.id, addendum, owner.actor)
    sensitive = owner.add(RecordType.CASE_NOTE, {"summary": "Disclosure.", "sensitive": "yes"},
                          child.id)
    report = owner.sync()
    assert report.pushed == 8 and not report.blocked
    yield {"svc": svc, "devices": devices, "records": records, "child": child,
           "sensitive": sensitive}
    for device in devices.values():
        device.close()


OUTSIDERS = ["stranger", "colleague", "southlead"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_gets_403_by_id_for_every_record_type(world: dict[str, Any], who: str) -> None:
    transport = world["devices"][who].client.transport
    for record_type, record in world["records"].items():
        with pytest.raises(Forbidden) as caught:
            transport.record(record.id)
        assert "do not have access" in str(caught.value), record_type
    # An id that does not exist gets exactly the same answer.
    with pytest.raises(Forbidden) as unknown:
        transport.record("00000000-0000-4000-8000-000000000000")
    assert str(unknown.value) == str(caught.value)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_pulls_nothing_of_the_child(world: dict[str, Any], who: str) -> None:
    page = world["devices"][who].client.transport.pull(0, 2000)
    ids = {r["id"] for r in page["records"]}
    assert not ids & {r.id for r in world["records"].values()}
    assert world["sensitive"].id not in ids


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_cannot_push_changes_or_new_records(world: dict[str, Any], who: str) -> None:
    svc: Service = world["svc"]
    transport = world["devices"][who].client.transport
    for record_type, record in world["records"].items():
        wire = {**record.to_wire(), "data": {"summary": "overwritten"}}
        current = svc.scalar("SELECT revision FROM records WHERE id = :id", id=record.id)
        change = {"change_id": f"{who}-{record_type}-edit", "base_revision": current,
                  "record": wire}
        with pytest.raises(Forbidden):
            transport.push([change])
    stranger = world["devices"][who]
    for record_type in TYPES:
        new = make_record(record_type, {"summary": "planted"}, stranger.actor,
                          world["child"].id)
        with pytest.raises(Forbidden):
            transport.push([{"change_id": f"{who}-{record_type}-new", "base_revision": 0,
                             "record": new.to_wire()}])
    assert svc.scalar("SELECT count(*) FROM records WHERE payload LIKE '%overwritten%' OR "
                      "payload LIKE '%planted%'") == 0


def test_forbidden_change_stays_queued_and_the_rest_goes_through(
        world: dict[str, Any], tmp_path: Path) -> None:
    """A batch mixing the caller's own and someone else's child: the whole request answers
    403 and applies nothing; the client then sends its own and keeps the other queued."""
    stranger: Device = world["devices"]["stranger"]
    own_child = stranger.child("Test Child Charlie")
    foreign = make_record(RecordType.CASE_NOTE, {"summary": "wrong child"}, stranger.actor,
                          world["child"].id)
    stranger.store.add(foreign, stranger.actor)
    own_note = stranger.add(RecordType.CASE_NOTE, {"summary": "right child"}, own_child.id)
    report = stranger.sync()
    assert report.pushed == 2
    assert list(report.blocked) and "do not have access" in next(iter(report.blocked.values()))
    assert stranger.store.has_pending(foreign.id)
    assert not stranger.store.has_pending(own_note.id)
    assert blocked_reasons(stranger.store)
    assert stranger.client.transport.record(own_note.id)["id"] == own_note.id


def test_team_lead_and_admin_see_the_child(world: dict[str, Any]) -> None:
    for who in ("northlead", "boss"):
        transport = world["devices"][who].client.transport
        for record in world["records"].values():
            assert transport.record(record.id)["id"] == record.id
        ids = {r["id"] for r in transport.pull(0, 2000)["records"]}
        assert {r.id for r in world["records"].values()} | {world["sensitive"].id} <= ids


def test_sensitive_note_only_for_author_and_leads_and_assignment_reaches_devices(
        world: dict[str, Any]) -> None:
    svc: Service = world["svc"]
    colleague: Device = world["devices"]["colleague"]
    colleague.sync()  # cursor now past every record stored so far
    assert colleague.store.find(world["child"].id) is None
    admin.assign(svc.engine, "colleague", world["child"].id)
    colleague.sync()  # newly assigned: the child's records arrive despite the cursor
    for record in world["records"].values():
        assert colleague.store.find(record.id) is not None
    assert colleague.store.find(world["sensitive"].id) is None
    with pytest.raises(Forbidden):
        colleague.client.transport.record(world["sensitive"].id)
    audit_rows = svc.scalar("SELECT count(*) FROM audit_log WHERE action = 'view_denied'")
    assert audit_rows > 0


def test_every_read_and_write_is_audited_by_user_and_device(world: dict[str, Any]) -> None:
    svc: Service = world["svc"]
    owner: Device = world["devices"]["owner"]
    lead: Device = world["devices"]["northlead"]
    owner_device = owner.store.get_meta("enrolment")["device_id"]
    lead_device = lead.store.get_meta("enrolment")["device_id"]
    child_id = world["child"].id
    writes = svc.scalar("SELECT count(*) FROM audit_log WHERE action = 'push_accepted' AND "
                        "device_id = :d AND child_id = :c", d=owner_device, c=child_id)
    assert writes == 8
    lead.client.transport.record(child_id)
    lead.client.transport.pull(0, 2000)
    views = svc.scalar("SELECT count(*) FROM audit_log WHERE action = 'view' AND "
                       "device_id = :d AND record_id = :r AND user_id IS NOT NULL",
                       d=lead_device, r=child_id)
    assert views >= 1
    pulls = svc.scalar("SELECT count(*) FROM audit_log WHERE action = 'pull' AND "
                       "device_id = :d AND child_id = :c", d=lead_device, c=child_id)
    assert pulls >= len(world["records"])
