"""Children withdrawn from the caseload that cannot leave because the service refused some
of their changes.

A withdrawn child with changes still waiting is kept until they are accepted.  A change the
service *refused* (for example because the practitioner may no longer write to that child) is
never accepted, so the child would never leave.  Here the practitioner sees those changes,
saves them (and anything else unsent for the child) into an encrypted rescue bundle for their
administrator, and then lets the child go: its records and queued changes are removed from this
computer, audited, in one transaction after the bundle is safely on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..sync import rescue
from ..sync.client import BLOCKED_KEY, WITHDRAWN_KEY, WITHDRAWN_REASON
from .errors import ServiceError
from .session import Session


@dataclass(frozen=True)
class RefusedChange:
    change_id: str
    record_id: str
    what: str  # e.g. "Case note", plain words
    reason: str  # the service's reason, as sent


@dataclass(frozen=True)
class KeptChild:
    """A withdrawn child still on this computer because of changes not accepted."""

    child_id: str
    name: str
    refused: tuple[RefusedChange, ...]
    waiting: int  # changes not yet sent or answered (they may still be accepted)


def _name(data: dict[str, object]) -> str:
    name = " ".join(str(data.get(k) or "") for k in ("first_name", "last_name")).strip()
    return name or str(data.get("name") or "A child")


class WithdrawnChildren:
    """What the practitioner can do about withdrawn children kept on this computer."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store

    def kept(self) -> list[KeptChild]:
        """Withdrawn children still here, with the changes the service refused."""
        withdrawn = list(self.store.get_sync_state(WITHDRAWN_KEY, []) or [])
        blocked = dict(self.store.get_sync_state(BLOCKED_KEY, {}) or {})
        pending = self.store.pending_changes(limit=10**9)
        result = []
        for child_id in withdrawn:
            ids = set(self.store.child_record_ids(child_id))
            child = self.store.find(child_id)
            mine = [c for c in pending if c.record_id in ids]
            refused = tuple(
                RefusedChange(c.change_id, c.record_id, c.record.record_type.label,
                              blocked[c.change_id])
                for c in mine if c.change_id in blocked)
            result.append(KeptChild(child_id, _name(child.data if child else {}), refused,
                                    len(mine) - len(refused)))
        return result

    def rescue_and_release(self, child_id: str, directory: Path | None = None) -> Path:
        """Save the child's unsent work to a rescue bundle, then remove the child.

        Returns the bundle's path (give it to the administrator).  Only for a child the service
        has withdrawn; nothing is removed if the bundle cannot be written.
        """
        if child_id not in (self.store.get_sync_state(WITHDRAWN_KEY, []) or []):
            raise ServiceError("Only a child the service has taken off your caseload can be "
                               "let go this way.")
        ids = set(self.store.child_record_ids(child_id))
        child = self.store.find(child_id)
        name = _name(child.data if child else {})
        bundle = rescue.write_bundle(
            self.store, f"{WITHDRAWN_REASON}; changes not accepted by the service",
            directory, record_ids=ids)
        actor = self.session.actor
        with self.store.transaction() as conn:
            for record_id in sorted(ids):
                self.store.drop_pending(record_id, conn=conn)
            blocked = dict(self.store.get_sync_state(BLOCKED_KEY, {}) or {})
            live = {c.change_id for c in self.store.pending_changes(limit=10**9)}
            self.store.set_sync_state(BLOCKED_KEY, {k: v for k, v in blocked.items()
                                                    if k in live}, conn=conn)
            removed = self.store.remove_child(child_id, actor, WITHDRAWN_REASON, conn=conn)
            if removed is None:  # cannot happen: its queue was just emptied
                raise ServiceError(f"{name} could not be removed. Nothing was changed.")
            withdrawn = [c for c in self.store.get_sync_state(WITHDRAWN_KEY, []) or []
                         if c != child_id]
            self.store.set_sync_state(WITHDRAWN_KEY, withdrawn, conn=conn)
            self.store.audit(actor, "rescue_and_release", child_id=child_id,
                             detail=f"unsent changes saved to {bundle.name}", conn=conn)
        return bundle


__all__ = ["KeptChild", "RefusedChange", "WithdrawnChildren"]
