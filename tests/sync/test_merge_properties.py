"""Properties of the three-way merge: nothing decided silently, nothing lost."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import Record, RecordType
from cse_desktop.sync.merge import DELETED, three_way

KEYS = st.sampled_from(["summary", "location", "people_present", "actions", "sensitive"])
VALUES = st.one_of(st.none(), st.booleans(), st.text(max_size=5),
                   st.lists(st.text(max_size=3), max_size=2))
DATA = st.dictionaries(KEYS, VALUES, max_size=5)


def record(data: dict[str, Any], deleted: bool = False) -> Record:
    now = SYSTEM_CLOCK.now()
    return Record(id="r1", record_type=RecordType.CASE_NOTE, form_id="case_note",
                  form_version=1, data=data, author="Test Person", device_id="d",
                  created_at=now, updated_at=now, child_id="c1", deleted=deleted)


MISSING = object()


@given(DATA, DATA, DATA)
def test_merge_takes_one_sided_changes_and_flags_real_clashes(
        base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any]) -> None:
    result = three_way(record(base), record(local), record(remote))
    for key in set(base) | set(local) | set(remote):
        b, mine, theirs = (d.get(key, MISSING) for d in (base, local, remote))
        merged = result.data.get(key, MISSING)
        if mine == theirs:
            assert merged == mine and key not in result.clashes
        elif mine == b:
            assert merged == theirs and key not in result.clashes
        elif theirs == b:
            assert merged == mine and key not in result.clashes
        else:
            # A real clash: flagged, and the local value is kept until someone chooses.
            assert key in result.clashes and merged == mine


@given(DATA, DATA)
def test_merge_with_itself_or_unchanged_side_is_clean(base: dict[str, Any],
                                                       changed: dict[str, Any]) -> None:
    assert three_way(record(base), record(changed), record(base)).data == changed
    assert three_way(record(base), record(base), record(changed)).data == changed
    assert three_way(record(base), record(changed), record(changed)).clean


@given(DATA, DATA)
def test_delete_against_an_edit_is_a_clash(base: dict[str, Any], edited: dict[str, Any]) -> None:
    result = three_way(record(base), record(base, deleted=True), record(edited))
    if edited != base:
        assert DELETED in result.clashes
    else:
        assert result.clean and result.deleted
