"""Saving, changing, signing, addenda, tombstones, search and the outbox."""

from __future__ import annotations

import sqlite3

import pytest

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import RecordType, Signature
from cse_desktop.store import RecordNotFound, SignedRecordImmutable, StaleRevision, Store
from cse_desktop.store.connection import DatabaseError
from cse_desktop.store.store import StoreError


def _signature() -> Signature:
    return Signature("Priya Test-Worker", "Outreach worker", SYSTEM_CLOCK.now(), b"\x89PNG fake")


def test_new_record_round_trips_with_all_metadata(store: Store, actor, make_record) -> None:
    child = store.add(make_record(RecordType.CHILD, {"first_name": "Zoë", "last_name": "Nowak"},
                                  actor=actor), actor)
    loaded = store.get(child.id)
    assert loaded == child
    assert loaded.child_id == child.id  # a child belongs to itself
    assert loaded.created_at.tzinfo is not None and loaded.revision == 1
    assert loaded.device_id == store.device_id


def test_update_bumps_revision_and_checks_expected_revision(store, actor, make_record) -> None:
    note = store.add(make_record(RecordType.CASE_NOTE, {"summary": "first"}, actor=actor), actor)
    changed = store.update(note.id, {"summary": "second"}, actor, expected_revision=1)
    assert changed.revision == 2 and store.get(note.id).data == {"summary": "second"}
    with pytest.raises(StaleRevision):
        store.update(note.id, {"summary": "third"}, actor, expected_revision=1)
    # Saving the same answers again is not a change.
    assert store.update(note.id, {"summary": "second"}, actor).revision == 2


def test_signed_record_is_immutable(store: Store, actor, make_record) -> None:
    note = store.add(make_record(RecordType.CASE_NOTE, {"summary": "met at café"}, actor=actor),
                     actor)
    signed = store.sign(note.id, _signature(), actor, data={"summary": "met at the café"})
    assert signed.is_signed and signed.signature is not None
    assert signed.data == {"summary": "met at the café"}
    with pytest.raises(SignedRecordImmutable, match="addendum"):
        store.update(note.id, {"summary": "changed"}, actor)
    with pytest.raises(SignedRecordImmutable):
        store.sign(note.id, _signature(), actor)
    with pytest.raises(SignedRecordImmutable):
        store.delete_draft(note.id, actor)
    assert store.get(note.id) == signed


def test_database_itself_refuses_to_change_a_signed_record(store, actor, make_record,
                                                           data_dir) -> None:
    note = store.add(make_record(RecordType.CASE_NOTE, {"summary": "x"}, actor=actor), actor)
    store.sign(note.id, _signature(), actor)
    key = Store.key_file(data_dir).unwrap("a long enough passphrase")
    from cse_desktop.store.connection import open_encrypted

    raw = open_encrypted(Store.db_path(data_dir), key)
    with pytest.raises(DatabaseError, match="immutable"):
        raw.execute("UPDATE records SET data = '{}' WHERE id = ?", (note.id,))
    with pytest.raises(DatabaseError, match="kept until purged"):
        raw.execute("DELETE FROM records WHERE id = ?", (note.id,))
    raw.close()


def test_addendum_references_the_signed_original(store, actor, make_record) -> None:
    rhi = store.add(make_record(RecordType.RETURN_INTERVIEW, {"outcome": "completed"},
                                child_id="child-1", actor=actor), actor)
    with pytest.raises(StoreError, match="draft"):
        store.add_addendum(rhi.id, make_record(RecordType.ADDENDUM, {"text": "x"}, actor=actor),
                           actor)
    store.sign(rhi.id, _signature(), actor)
    addendum = store.add_addendum(
        rhi.id, make_record(RecordType.ADDENDUM, {"reason": "typo", "text": "Thursday"},
                            actor=actor), actor)
    assert addendum.amends_id == rhi.id and addendum.child_id == "child-1"
    assert store.get(addendum.id).amends_id == rhi.id
    assert store.get(rhi.id).data == {"outcome": "completed"}  # original untouched


def test_tombstone_hides_a_draft_but_keeps_it_for_sync(store, actor, make_record) -> None:
    note = store.add(make_record(RecordType.CASE_NOTE, {"summary": "wrong child"}, actor=actor),
                     actor)
    store.delete_draft(note.id, actor)
    assert store.records(record_type=RecordType.CASE_NOTE) == []
    assert store.get(note.id).deleted
    assert store.search("wrong") == []
    assert store.pending_changes()[-1].record.deleted


def test_purge_is_explicit_and_audited(store, actor, make_record) -> None:
    note = store.add(make_record(RecordType.CASE_NOTE, {"summary": "old"}, actor=actor), actor)
    store.sign(note.id, _signature(), actor)
    addendum = store.add_addendum(note.id, make_record(RecordType.ADDENDUM, {"text": "y"},
                                                       actor=actor), actor)
    with pytest.raises(StoreError, match="reason"):
        store.purge([note.id], actor, "  ")
    assert store.purge([note.id], actor, "retention: 25th birthday passed") == 2
    with pytest.raises(RecordNotFound):
        store.get(note.id)
    assert store.find(addendum.id) is None
    purges = [e for e in store.audit_entries() if e.action == "purge"]
    assert {e.record_id for e in purges} == {note.id, addendum.id}
    assert store.verify_audit().ok


def test_search_is_full_text_prefix_and_accent_insensitive(store, actor, make_record) -> None:
    child = store.add(make_record(RecordType.CHILD, {"first_name": "Siobhán",
                                                     "last_name": "Ó Briain"}, actor=actor), actor)
    store.add(make_record(RecordType.CASE_NOTE, {"summary": "Seen near the bus station with an "
                                                 "older male in a grey car"}, child_id=child.id,
                          actor=actor), actor)
    assert [h.record_id for h in store.search("siobhan")] == [child.id]
    hits = store.search("grey ca")
    assert len(hits) == 1 and hits[0].child_id == child.id and "[grey]" in hits[0].snippet
    assert store.search('"; DROP TABLE records; --') == []
    assert store.search("   ") == []


def test_every_change_is_queued_in_order_and_acknowledged(store, actor, make_record) -> None:
    note = store.add(make_record(RecordType.CASE_NOTE, {"summary": "a"}, actor=actor), actor)
    store.update(note.id, {"summary": "b"}, actor)
    changes = store.pending_changes()
    assert [(c.base_revision, c.record.revision) for c in changes] == [(0, 1), (1, 2)]
    store.acknowledge([changes[0].change_id])
    assert [c.change_id for c in store.pending_changes()] == [changes[1].change_id]
    assert store.sync_base(note.id).revision == 1


def test_remote_records_are_not_queued_again(store, actor, make_record) -> None:
    remote = make_record(RecordType.CASE_NOTE, {"summary": "from the server"}, actor=actor)
    with store.transaction() as conn:
        store.put_remote(remote, conn=conn)
        store.set_sync_state("cursor", "42", conn=conn)
    assert store.pending_count() == 0
    assert store.get(remote.id).data == {"summary": "from the server"}
    assert store.get_sync_state("cursor") == "42"


def test_locked_store_refuses_work(store, actor) -> None:
    from cse_desktop.store import StoreLocked

    store.lock()
    with pytest.raises(StoreLocked, match="Unlock"):
        store.records()


def test_plain_sqlite_cannot_read_the_database(store, data_dir) -> None:
    store.lock()
    conn = sqlite3.connect(Store.db_path(data_dir))
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


def test_wrong_raw_key_cannot_open_the_database(store, data_dir) -> None:
    from cse_desktop.store import StoreOpenError
    from cse_desktop.store.connection import open_encrypted

    store.lock()
    with pytest.raises(StoreOpenError, match="could not be opened"):
        open_encrypted(Store.db_path(data_dir), bytes(32))
