"""The review queue: clashes the practitioner resolves field by field.

Both versions are kept in full (in the store's ``conflicts`` table) until the practitioner
chooses; the local version stays in place and its queued changes wait in the outbox.  After
the choice, the resolved version is queued with the server's revision as its base.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ..records import Actor, Record, from_iso
from ..store import Store, StoredConflict
from ..store.connection import Connection
from .merge import DELETED, MISSING, merged_record, same_content, three_way

Choice = Literal["mine", "theirs"]


@dataclass(frozen=True)
class FieldClash:
    field: str
    mine: Any
    theirs: Any
    before: Any  # the value both sides started from (MISSING when the field was new)


@dataclass(frozen=True)
class Conflict:
    id: int
    record_id: str
    fields: tuple[str, ...]
    local: Record
    remote: Record
    base: Record | None
    detected_at: datetime
    remote_changed_by: str | None
    remote_changed_at: datetime | None

    @property
    def signed_on_service(self) -> bool:
        return self.remote.is_signed

    @property
    def signed_here(self) -> bool:
        return self.local.is_signed and not self.remote.is_signed

    def clashes(self) -> list[FieldClash]:
        base = self.base.data if self.base else {}
        out = []
        for name in self.fields:
            if name == DELETED:
                out.append(FieldClash(name, self.local.deleted, self.remote.deleted,
                                      self.base.deleted if self.base else False))
            else:
                out.append(FieldClash(name, self.local.data.get(name, MISSING),
                                      self.remote.data.get(name, MISSING),
                                      base.get(name, MISSING)))
        return out


def apply_clean_merge(store: Store, conn: Connection, actor: Actor, local: Record,
                      remote: Record, merged: Record | None) -> bool:
    """Take the server's version as the new base and queue ``merged`` on top of it (when it
    differs).  Returns True when something was queued."""
    store.put_remote(remote, conn=conn)
    store.drop_pending(local.id, conn=conn)
    if merged is None or same_content(merged, remote):
        return False
    store.enqueue(merged, remote.revision, actor, "sync_merge", conn=conn)
    return True


class ConflictQueue:
    def __init__(self, store: Store, actor: Actor) -> None:
        self.store, self.actor = store, actor

    # -- reading -----------------------------------------------------------------------------

    def count(self) -> int:
        return self.store.conflict_count()

    def open_record_ids(self) -> set[str]:
        return self.store.open_conflict_record_ids()

    def open(self) -> list[Conflict]:
        return [self._conflict(stored) for stored in self.store.open_conflicts()]

    def get(self, conflict_id: int) -> Conflict:
        for conflict in self.open():
            if conflict.id == conflict_id:
                return conflict
        raise KeyError("That conflict has already been resolved.")

    @staticmethod
    def _conflict(stored: StoredConflict) -> Conflict:
        detected = from_iso(stored.detected_at)
        assert detected is not None
        return Conflict(
            id=stored.id, record_id=stored.record_id, fields=stored.fields,
            local=stored.local, remote=stored.remote, base=stored.base,
            detected_at=detected, remote_changed_by=stored.remote_changed_by,
            remote_changed_at=from_iso(stored.remote_changed_at),
        )

    # -- written by the sync client ------------------------------------------------------------

    def add(self, conn: Connection, fields: tuple[str, ...], local: Record, remote: Record,
            base: Record | None, changed_by: str | None = None,
            changed_at: str | None = None) -> None:
        self.store.add_conflict(fields, local, remote, base, changed_by=changed_by,
                                changed_at=changed_at, conn=conn)

    def refresh_remote(self, conn: Connection, remote: Record) -> None:
        """A newer server version arrived for a record under review: compare with that."""
        stored = self.store.open_conflict(remote.id, conn=conn)
        if stored is None or stored.remote.revision == remote.revision:
            return
        base = stored.base
        local = self.store.find(remote.id)
        if local is None:
            return
        result = three_way(base, local, remote)
        if result.clean:
            apply_clean_merge(self.store, conn, self.actor, local, remote,
                              merged_record(local, remote, result, self.store.clock.now()))
            self.store.resolve_conflict(stored.id, {"merged": "automatically"}, conn=conn)
        else:
            self.add(conn, result.clashes, local, remote, base)

    # -- the practitioner's choice -------------------------------------------------------------

    def resolve(self, conflict_id: int, choices: dict[str, Choice]) -> Record:
        """Apply the practitioner's choice per clashing field (unchosen fields keep 'mine').

        Returns the version now on this device.  The other side's values stay in the
        conflict history, so nothing is lost either way.
        """
        conflict = self.get(conflict_id)
        local = self.store.find(conflict.record_id) or conflict.local
        remote = conflict.remote
        resolution: dict[str, Any]
        with self.store.transaction() as conn:
            if remote.is_signed:
                # The service's version is signed and final: it is kept; the local values
                # remain in this conflict's history (add an addendum to record them).
                apply_clean_merge(self.store, conn, self.actor, local, remote, None)
                outcome, resolution = remote, {"kept": "signed version from the service"}
            elif local.is_signed:
                self.store.requeue(local, remote.revision, conn=conn)
                outcome, resolution = local, {"kept": "signed version from this device"}
            else:
                result = three_way(conflict.base, local, remote)
                overrides: dict[str, Any] = {}
                deleted = None
                for name in result.clashes:
                    side = remote if choices.get(name) == "theirs" else local
                    if name == DELETED:
                        deleted = side.deleted
                    else:
                        overrides[name] = side.data.get(name, MISSING)
                outcome = merged_record(local, remote, result, self.store.clock.now(),
                                        overrides, deleted)
                if not apply_clean_merge(self.store, conn, self.actor, local, remote, outcome):
                    outcome = remote
                resolution = {"choices": dict(choices)}
            self.store.resolve_conflict(conflict_id, resolution, conn=conn)
        self.store.audit(self.actor, "resolve_conflict", record_id=conflict.record_id,
                         child_id=conflict.local.child_id,
                         detail=json.dumps(resolution, ensure_ascii=False))
        return outcome
