"""Field-by-field three-way merge of a draft against the last version both sides agreed on.

A field changed on one side only takes that side's value; a field changed on both sides to
different values is a clash, which the practitioner resolves.  Nothing is decided silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..records import Record

DELETED = "(deleted)"  # pseudo-field name for a delete on one side and an edit on the other
_MISSING = object()


@dataclass(frozen=True)
class MergeResult:
    data: dict[str, Any]
    deleted: bool
    clashes: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.clashes


def _pick(base: Any, local: Any, remote: Any) -> tuple[Any, bool]:
    """(value, clash)."""
    if local == remote:
        return local, False
    if local == base:
        return remote, False
    if remote == base:
        return local, False
    return local, True


def three_way(base: Record | None, local: Record, remote: Record) -> MergeResult:
    base_data = base.data if base is not None else {}
    merged: dict[str, Any] = {}
    clashes: list[str] = []
    for key in sorted(set(base_data) | set(local.data) | set(remote.data)):
        value, clash = _pick(base_data.get(key, _MISSING), local.data.get(key, _MISSING),
                             remote.data.get(key, _MISSING))
        if clash:
            clashes.append(key)
        if value is not _MISSING:
            merged[key] = value
    base_deleted = base.deleted if base is not None else False
    deleted, clash = _pick(base_deleted, local.deleted, remote.deleted)
    if not clash and local.deleted != remote.deleted:
        # One side deleted the draft, the other changed it: ask rather than lose the edit.
        edited_side = remote if local.deleted else local
        if edited_side.data != base_data:
            clash = True
    if clash:
        clashes.append(DELETED)
        deleted = local.deleted
    if local.is_signed or remote.is_signed:
        # A signed record cannot take the other side's changes: every difference is a clash.
        clashes = sorted({*clashes, *(k for k in set(local.data) | set(remote.data)
                                      if local.data.get(k, _MISSING)
                                      != remote.data.get(k, _MISSING))})
    return MergeResult(data=merged, deleted=bool(deleted), clashes=tuple(clashes))


def merged_record(local: Record, remote: Record, result: MergeResult, now: datetime,
                  overrides: dict[str, Any] | None = None,
                  deleted: bool | None = None) -> Record:
    """The version to send: the server's record with the merged answers, one revision on."""
    data = dict(result.data)
    for key, value in (overrides or {}).items():
        if value is _MISSING:
            data.pop(key, None)
        else:
            data[key] = value
    return remote.with_changes(
        data=data,
        deleted=result.deleted if deleted is None else deleted,
        revision=remote.revision + 1,
        updated_at=now,
        device_id=local.device_id,
        form_version=max(local.form_version, remote.form_version),
    )


def same_content(a: Record, b: Record) -> bool:
    return (a.data == b.data and a.deleted == b.deleted and a.state == b.state
            and a.form_version == b.form_version)


MISSING = _MISSING
