"""The store's conflicts table: both versions kept until the practitioner chooses."""

from __future__ import annotations

import json

import pytest

from cse_desktop.records import Actor, Record, RecordType
from cse_desktop.store import Store

from .conftest import build_record


def _versions(actor: Actor) -> tuple[Record, Record, Record]:
    base = build_record(RecordType.CASE_NOTE, {"summary": "Met her"}, child_id="c1",
                        actor=actor)
    local = base.with_changes(data={"summary": "Met her in town"}, revision=2)
    remote = base.with_changes(data={"summary": "Met her at home"}, revision=2)
    return base, local, remote


def test_add_list_and_resolve(store: Store, actor: Actor) -> None:
    base, local, remote = _versions(actor)
    assert store.conflict_count() == 0 and store.open_conflicts() == []
    with store.transaction() as conn:
        store.add_conflict(("summary",), local, remote, base, changed_by="Sam",
                           changed_at="2026-01-02T10:00:00+00:00", conn=conn)
    assert store.conflict_count() == 1
    assert store.open_conflict_record_ids() == {local.id}
    [stored] = store.open_conflicts()
    assert stored == store.open_conflict(local.id)
    assert stored.fields == ("summary",)
    assert stored.local.data == local.data and stored.remote.data == remote.data
    assert stored.base is not None and stored.base.data == base.data
    assert stored.remote_changed_by == "Sam"
    assert stored.remote_changed_at == "2026-01-02T10:00:00+00:00"

    store.resolve_conflict(stored.id, {"choices": {"summary": "mine"}})
    assert store.conflict_count() == 0 and store.open_conflict(local.id) is None
    with store.transaction() as conn:
        row = conn.execute("SELECT resolved_at, resolution FROM conflicts WHERE id = ?",
                           (stored.id,)).fetchone()
    assert row[0] and json.loads(row[1]) == {"choices": {"summary": "mine"}}


def test_a_record_under_review_keeps_one_conflict(store: Store, actor: Actor) -> None:
    base, local, remote = _versions(actor)
    store.add_conflict(("summary",), local, remote, base)
    first = store.open_conflict(local.id)
    assert first is not None
    newer = remote.with_changes(data={"summary": "At home, with mum"}, revision=3)
    store.add_conflict(("summary", "deleted"), local, newer, None, changed_by="Ann")
    [second] = store.open_conflicts()
    assert second.id == first.id and second.detected_at == first.detected_at
    assert second.base == first.base  # the base stays as first recorded
    assert second.fields == ("summary", "deleted")
    assert second.remote.revision == 3 and second.remote_changed_by == "Ann"


def test_writes_with_conn_roll_back_with_the_transaction(store: Store, actor: Actor) -> None:
    base, local, remote = _versions(actor)
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.add_conflict(("summary",), local, remote, base, conn=conn)
        raise RuntimeError("sync failed half way")
    assert store.conflict_count() == 0
