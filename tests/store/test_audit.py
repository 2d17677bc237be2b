"""The audit log records every create, change, sign and view, and detects tampering."""

from __future__ import annotations

import pytest

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import RecordType, Signature
from cse_desktop.store import Store
from cse_desktop.store.connection import open_encrypted

PASSPHRASE = "a long enough passphrase"


@pytest.fixture
def busy_store(store, actor, make_record):  # type: ignore[no-untyped-def]
    child = store.add(make_record(RecordType.CHILD, {"first_name": "Amara"}, actor=actor), actor)
    note = store.add(make_record(RecordType.CASE_NOTE, {"summary": "a"}, child_id=child.id,
                                 actor=actor), actor)
    store.update(note.id, {"summary": "b"}, actor)
    store.sign(note.id, Signature("P", "Outreach worker", SYSTEM_CLOCK.now()), actor)
    store.get(note.id, actor=actor)
    store.record_view(actor, child.id, "chronology")
    return store, child, note


def test_every_action_is_audited_with_who_and_device(busy_store, actor) -> None:
    store, child, note = busy_store
    actions = [(e.action, e.record_id) for e in store.audit_entries()]
    assert actions == [("create", child.id), ("create", note.id), ("change", note.id),
                       ("sign", note.id), ("view", note.id), ("view", child.id)]
    entry = store.audit_entries(record_id=note.id)[1]
    assert entry.user_id == actor.user_id and entry.device_id == actor.device_id
    assert entry.detail == "fields: summary"
    assert len(store.audit_entries(child_id=child.id)) == 6
    assert store.verify_audit().ok and store.verify_audit().entries == 6


def _raw(data_dir):  # type: ignore[no-untyped-def]
    key = Store.key_file(data_dir).unwrap(PASSPHRASE)
    conn = open_encrypted(Store.db_path(data_dir), key)
    conn.execute("DROP TRIGGER audit_log_no_update")  # an attacker with the key
    return conn


def test_audit_log_refuses_updates(busy_store, data_dir) -> None:
    key = Store.key_file(data_dir).unwrap(PASSPHRASE)
    conn = open_encrypted(Store.db_path(data_dir), key)
    with pytest.raises(Exception, match="append-only"):
        conn.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
    conn.close()


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2", "entry 2 was altered"),
        ("UPDATE audit_log SET action = 'view' WHERE seq = 4", "entry 4 was altered"),
        ("DELETE FROM audit_log WHERE seq = 3", "entry 3 is missing"),
        ("DELETE FROM audit_log WHERE seq = 6", "were removed"),
        ("UPDATE audit_log SET seq = 99 WHERE seq = 6", "entry 6 is missing"),
    ],
)
def test_editing_or_deleting_audit_rows_is_detected(busy_store, data_dir, tamper,
                                                    problem) -> None:
    store = busy_store[0]
    conn = _raw(data_dir)
    conn.execute(tamper)
    conn.close()
    result = store.verify_audit()
    assert not result.ok
    assert problem in result.problem


def test_recomputing_one_hash_does_not_hide_an_edit(busy_store, data_dir) -> None:
    import hashlib
    import json

    store = busy_store[0]
    conn = _raw(data_dir)
    row = conn.execute("SELECT seq, at, user_id, actor, device_id, action, record_id, child_id,"
                       " detail, prev_hash FROM audit_log WHERE seq = 2").fetchone()
    fields = list(row[1:9])
    fields[2] = "someone else"
    body = json.dumps([row[9], 2, *fields], ensure_ascii=False, separators=(",", ":"))
    conn.execute("UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 2",
                 ("someone else", hashlib.sha256(body.encode()).hexdigest()))
    conn.close()
    result = store.verify_audit()
    assert not result.ok and result.first_bad_seq == 3
