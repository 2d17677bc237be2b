"""Filling the DEMO store with a synthetic caseload, through the same use cases as real work.

Everything goes through :class:`Casework` (validation, audit, outbox), so the demo looks and
behaves exactly like real records.  Most forms are signed, as they would be after a few months'
work; a few are left as drafts so the "drafts" filter and the resume-a-draft flow have
something to show, and recent episodes are left without an interview so some are due or
overdue.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..crypto.keyfile import KdfParams
from ..demo.synthetic import SyntheticChild, generate_caseload
from .casework import Casework
from .errors import ServiceError
from .session import Session

DEMO_PASSPHRASE = "demo-passphrase"
DEMO_NAME = "Demo Practitioner"
# The demo passphrase is printed on the unlock screen, so slow key stretching would protect
# nothing; a light setting keeps creating the demo (hundreds of signatures) quick.
DEMO_KDF = KdfParams.fast_for_tests()  # the floor: quick, and still accepted
# Which children get a draft to finish, and a recent return still waiting for its interview.
DRAFT_NOTE_EVERY = 5
DRAFT_INTERVIEW_EVERY = 8
RECENT_RETURN_EVERY = 6

Progress = Callable[[int, int], None]


def _without(answers: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if k not in keys}


def recent_return(index: int, now: datetime) -> dict[str, Any]:
    """A made-up episode that ended a few hours to a few days ago, with no interview yet."""
    returned = now - timedelta(hours=6 + (index * 17) % 110)
    return {
        "missing_or_absent": "missing",
        "went_missing_at": (returned - timedelta(hours=9 + index % 20)).isoformat(),
        "returned_at": returned.isoformat(),
        "reported_by": "parent_carer",
        "where_found": "Town centre bus station",
    }


class _Loader:
    def __init__(self, session: Session, passphrase: str, now: datetime) -> None:
        self.work = Casework(session)
        self.passphrase = passphrase
        self.now = now

    def _sign(self, record_id: str, answers: dict[str, Any]) -> None:
        # Incomplete synthetic answers stay a draft, as real ones would.
        with contextlib.suppress(ServiceError):
            self.work.sign(record_id, answers, self.passphrase, None)

    def load_child(self, index: int, synthetic: SyntheticChild) -> str:
        work = self.work
        child = work.add_child(synthetic.child)
        interviews = [e for e in synthetic.episodes if e.rhi is not None]
        for episode in synthetic.episodes:
            recorded = work.record_episode(child.id, _without(episode.answers, "child_id"))
            if episode.rhi is None:
                continue
            draft = work.start_return_interview(recorded.id)
            answers = {**episode.rhi, "child_id": child.id, "episode_id": recorded.id}
            work.save_draft(draft.id, answers)
            if not (index % DRAFT_INTERVIEW_EVERY == 3 and episode is interviews[-1]):
                self._sign(draft.id, answers)
        if index % RECENT_RETURN_EVERY == 2:
            work.record_episode(child.id, recent_return(index, self.now))
        for checklist in synthetic.checklists:
            draft = work.start_draft("warning_signs", child.id, checklist)
            self._sign(draft.id, {**checklist, "child_id": child.id})
        for position, note in enumerate(synthetic.notes, start=1):
            saved = work.quick_note(child.id, _without(note, "child_id"))
            newest = position == len(synthetic.notes)
            if not (index % DRAFT_NOTE_EVERY == 0 and newest):
                self._sign(saved.id, {**note, "child_id": child.id})
        return child.id


def load_demo_caseload(session: Session, n_children: int = 40, *, seed: int = 7,
                       passphrase: str = DEMO_PASSPHRASE, now: datetime | None = None,
                       progress: Progress | None = None) -> list[str]:
    """Add ``n_children`` synthetic children with their records; returns the child ids.

    Only ever for a store created with ``demo=True``: real records must never be mixed with
    made-up ones.
    """
    if not session.is_demo:
        raise ServiceError("Synthetic records can only be added to the DEMO store.")
    now = now or session.clock.now()
    loader = _Loader(session, passphrase, now)
    children = generate_caseload(n_children, seed=seed, now=now)
    ids = []
    for done, synthetic in enumerate(children, start=1):
        ids.append(loader.load_child(done - 1, synthetic))
        if progress is not None:
            progress(done, len(children))
    return ids
