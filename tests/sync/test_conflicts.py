"""Two devices against a real server: offline edits merge field by field; real clashes are
kept (both values) and surfaced for review; different records merge cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import RecordType, Signature
from cse_desktop.sync import ConflictQueue
from tests.server.harness import Device, Service, enrol_device


@pytest.fixture
def pair(shared_service: Service, tmp_path: Path) -> tuple[Device, Device]:
    username = f"worker{tmp_path.name[-6:]}".replace("_", "")
    shared_service.user(username, name="Nadia Examplewood")
    a = enrol_device(shared_service, username, tmp_path / "a")
    b = enrol_device(shared_service, username, tmp_path / "b")
    yield a, b
    a.close()
    b.close()


def shared_draft(a: Device, b: Device) -> tuple[str, str]:
    child = a.child("Test Child Alpha")
    note = a.add(RecordType.CASE_NOTE, {"summary": "Met at the drop-in.", "location": "Hub"},
                 child.id)
    a.sync()
    b.sync()
    assert b.store.get(note.id).data == note.data
    return child.id, note.id


def test_enrolment_gives_a_ca_issued_identity(pair: tuple[Device, Device]) -> None:
    a, _ = pair
    identity = a.store.get_meta("signing_identity")
    assert identity and identity["self_signed"] is False
    assert "CERTIFICATE" in identity["chain_pem"][0]
    assert a.store.get_meta("enrolment")["token"]


def test_same_field_clash_keeps_both_versions_and_is_surfaced(
        pair: tuple[Device, Device], shared_service: Service) -> None:
    a, b = pair
    _, note_id = shared_draft(a, b)
    # Both offline, both change the summary.
    a.store.update(note_id, {"summary": "Version from laptop A.", "location": "Hub"}, a.actor)
    b.store.update(note_id, {"summary": "Version from laptop B.", "location": "Hub"}, b.actor)
    a.sync()
    report = b.sync()

    assert report.new_conflicts == 1 and report.open_conflicts == 1
    # The local version stays on B; the server keeps A's: both survive.
    assert b.store.get(note_id).data["summary"] == "Version from laptop B."
    assert a.client.transport.record(note_id)["data"]["summary"] == "Version from laptop A."
    queue = ConflictQueue(b.store, b.actor)
    [conflict] = queue.open()
    [clash] = conflict.clashes()
    assert (clash.field, clash.mine, clash.theirs, clash.before) == (
        "summary", "Version from laptop B.", "Version from laptop A.", "Met at the drop-in.")
    assert conflict.remote_changed_by and "Nadia Examplewood" in conflict.remote_changed_by
    # A second sync does not duplicate the conflict nor send B's version over A's.
    b.sync()
    assert queue.count() == 1
    assert a.client.transport.record(note_id)["data"]["summary"] == "Version from laptop A."

    # The practitioner keeps their own summary: it goes to the server, on top of A's revision.
    queue.resolve(conflict.id, {"summary": "mine"})
    b.sync()
    a.sync()
    assert a.store.get(note_id).data["summary"] == "Version from laptop B."
    assert queue.count() == 0
    # The server kept every version (A's is in the history).
    versions = shared_service.scalar(
        "SELECT count(*) FROM record_versions WHERE record_id = :id", id=note_id)
    assert versions == 3


def test_different_fields_merge_automatically(pair: tuple[Device, Device]) -> None:
    a, b = pair
    _, note_id = shared_draft(a, b)
    a.store.update(note_id, {"summary": "Met at the drop-in.", "location": "Library"}, a.actor)
    b.store.update(note_id, {"summary": "Met at the drop-in; seemed tired.", "location": "Hub",
                             "people_present": "Youth worker"}, b.actor)
    a.sync()
    report = b.sync()
    assert report.merged == 1 and report.open_conflicts == 0
    a.sync()
    expected = {"summary": "Met at the drop-in; seemed tired.", "location": "Library",
                "people_present": "Youth worker"}
    assert a.store.get(note_id).data == expected
    assert b.store.get(note_id).data == expected
    assert not a.store.pending_count() and not b.store.pending_count()


def test_different_records_merge_cleanly(pair: tuple[Device, Device]) -> None:
    a, b = pair
    child_id, _ = shared_draft(a, b)
    note_a = a.add(RecordType.CASE_NOTE, {"summary": "Phone call."}, child_id)
    note_b = b.add(RecordType.CASE_NOTE, {"summary": "Home visit."}, child_id)
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        ids = {r.id for r in device.store.records(child_id=child_id)}
        assert {note_a.id, note_b.id} <= ids
        assert device.store.pending_count() == 0
    assert ConflictQueue(b.store, b.actor).count() == 0


def test_signed_record_is_immutable_on_the_server(pair: tuple[Device, Device]) -> None:
    a, b = pair
    _, note_id = shared_draft(a, b)
    b.store.update(note_id, {"summary": "Edited on B while A signs.", "location": "Hub"},
                   b.actor)
    a.store.sign(note_id, Signature("Nadia Examplewood", "Outreach worker", SYSTEM_CLOCK.now()),
                 a.actor)
    a.sync()
    b.sync()
    queue = ConflictQueue(b.store, b.actor)
    [conflict] = queue.open()
    assert conflict.signed_on_service
    # Choosing keeps the signed version; B's text stays in the conflict history.
    queue.resolve(conflict.id, {})
    b.sync()
    assert b.store.get(note_id).is_signed
    assert a.client.transport.record(note_id)["state"] == "signed"

    # A direct attempt to change the signed record is rejected, and replaying the same
    # change id gets the same answer.
    wire = a.client.transport.record(note_id)
    wire["data"] = {"summary": "Tampered."}
    change = {"change_id": "replay-1", "base_revision": wire["revision"], "record": wire}
    first = a.client.transport.push([change])
    second = a.client.transport.push([change])
    assert first == second
    assert first[0]["status"] == "rejected" and "signed" in first[0]["reason"]
    assert a.client.transport.record(note_id)["data"]["summary"] != "Tampered."
