"""A purged child leaves no word behind: not in the search index's shadow tables, not in any
page of the database or its WAL (decrypted with the key), old page versions included."""

from __future__ import annotations

from cse_desktop.records import Actor, RecordType
from cse_desktop.store import Store

from .pages import decrypted_pages

# Unusual words, so that the index cannot store them as a prefix shared with another word.
PURGED_WORDS = ["Zyxwellion", "Qorvanthia", "vintrakelow", "borsquinade", "glimtharrow"]
KEPT_WORDS = ["Annabelle", "Fairweather", "allotment"]


def _needles(words: list[str]) -> list[bytes]:
    # From the fourth letter on: the index may share the first letters with the term before.
    return [w.lower()[3:].encode() for w in words]


def _shadow_hits(store: Store, words: list[str]) -> list[str]:
    conn = store._conn
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'records_fts_%'")]
    assert {"records_fts_data", "records_fts_idx", "records_fts_content"} <= set(tables)
    hits = []
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table}"):
            for value in row:
                blob = (value if isinstance(value, bytes) else str(value).encode()).lower()
                hits += [f"{table}: {n!r}" for n in _needles(words) if n in blob]
    return hits


def _page_hits(store: Store, words: list[str]) -> list[str]:
    key = store.data_key_for_rescue()
    return [f"{where}: {n!r}" for where, page in decrypted_pages(Store.db_path(store.data_dir), key)
            for n in _needles(words) if n in page.lower()]


def _fill(store: Store, actor: Actor, make_record, first: str, last: str,
          words: list[str], notes: int) -> str:
    child = store.add(make_record(RecordType.CHILD, {"first_name": first, "last_name": last},
                                  actor=actor), actor)
    for i in range(notes):
        note = store.add(make_record(RecordType.CASE_NOTE,
                                     {"summary": f"{' '.join(words)} visit {i}"},
                                     child_id=child.id, actor=actor), actor)
        store.update(note.id, {"summary": f"{' '.join(reversed(words))} again {i}"}, actor)
    return child.id


def test_a_withdrawn_child_leaves_no_word_in_the_index_or_the_file(store: Store, actor: Actor,
                                                                    make_record) -> None:
    kept = _fill(store, actor, make_record, "Annabelle", "Fairweather", KEPT_WORDS, 20)
    purged = _fill(store, actor, make_record, "Zyxwellion", "Qorvanthia", PURGED_WORDS, 40)
    _fill(store, actor, make_record, "Annabelle", "Fairweather", KEPT_WORDS, 20)
    store.acknowledge([c.change_id for c in store.pending_changes(limit=10**6)])
    # The scanners do see the words while the child is here.
    assert _shadow_hits(store, PURGED_WORDS) and _page_hits(store, PURGED_WORDS)

    assert store.remove_child(purged, actor, "removed from your caseload") == 41

    assert store.search("vintrakelow") == [] and store.search("Zyxwellion") == []
    assert _shadow_hits(store, PURGED_WORDS) == []
    assert _page_hits(store, PURGED_WORDS) == []
    # The rest is untouched and still found.
    assert store.search("allotment") and store.find(kept) is not None
    assert _shadow_hits(store, KEPT_WORDS)
    assert store.integrity_check() == "ok"
    # Nothing comes back after closing either.
    data_dir, key = store.data_dir, store.data_key_for_rescue()
    store.lock()
    assert [w for w, p in decrypted_pages(Store.db_path(data_dir), key)
            for n in _needles(PURGED_WORDS) if n in p.lower()] == []


def test_a_purge_interrupted_before_its_scrub_is_finished_at_the_next_unlock(
        store: Store, actor: Actor, make_record, monkeypatch) -> None:
    from .conftest import PASSPHRASE

    _fill(store, actor, make_record, "Annabelle", "Fairweather", KEPT_WORDS, 10)
    purged = _fill(store, actor, make_record, "Zyxwellion", "Qorvanthia", PURGED_WORDS, 20)
    other = _fill(store, actor, make_record, "Glimtharrow", "Vintrakelow", PURGED_WORDS, 5)
    store.acknowledge([c.change_id for c in store.pending_changes(limit=10**6)])
    monkeypatch.setattr(store, "_scrub_wal", lambda: None)  # the app stops after the commit
    with store.transaction() as conn:  # two children in one transaction (as a sync does)
        assert store.remove_child(purged, actor, "withdrawn", conn) == 21
        assert store.remove_child(other, actor, "withdrawn", conn) == 6
    assert _shadow_hits(store, PURGED_WORDS)  # not scrubbed yet
    data_dir = store.data_dir
    store.lock()
    reopened = Store.unlock(data_dir, PASSPHRASE)
    try:
        assert _shadow_hits(reopened, PURGED_WORDS) == []
        assert _page_hits(reopened, PURGED_WORDS) == []
        assert reopened.search("allotment")
    finally:
        reopened.lock()
