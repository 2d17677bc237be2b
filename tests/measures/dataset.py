"""A small synthetic caseload with every edge case the measures must get right.

Built through the real services (Casework on an encrypted store).  The expected figures are
worked out by hand in ``EXPECTED`` below, not by running the code under test.

The period is the first quarter of 2026 in England: 1 January 00:00 GMT (= 00:00 UTC) to
1 April 00:00 BST (= 31 March 23:00 UTC), end not included.  Times below are UTC.

Children (allocated worker): A, B, C (Sam Lee); D, E, F (Ola Ade).

Missing episodes, by return time, and their interviews (RHIs):
  A1  returned 10 Jan 09:00; signed RHI offered and completed at exactly 72 h -> in time;
      referrals MASH + police
  A2  returned 1 Feb 12:00; signed RHI offered at 72 h + 1 minute -> late; completed late;
      referrals police
  B3  went missing 30 Dec 2025, returned 2 Jan 10:00 (spans the period start) -> in period;
      signed RHI declined by the child, offered in time; referrals MASH
  B4  went missing 30 Mar, returned 2 Apr (spans the period end) -> not in period
  C5  returned 10 Feb; DRAFT RHI declined by parent/carer, offered in time; referral SARC
      (a draft: not counted in referrals)
  C6  returned 5 Mar; only an empty draft RHI (no offer, no outcome)
  D7  ABSENT (whereabouts known), returned 20 Jan, RHI in time -> left out of the episode
      measures; its signed RHI (referrals none) still counts in referrals by agency
  D8  returned 31 Mar 23:30 UTC = 1 Apr 00:30 BST -> after the period; signed RHI, health
  D9  returned 31 Mar 22:30 UTC = 23:30 BST -> in period; signed RHI offered in time,
      child not found; referrals none
  E1-E3  went missing 31 Dec 2025 23:00 (exactly 90 days before the end, 31 Mar 23:00),
      5 Feb, 5 Mar; returned in the period; no RHIs  -> E is a repeat missing child
  F1-F3  went missing 31 Dec 2025 22:59 (one minute outside the 90 days), 1 Feb, 1 Mar;
      returned in the period; no RHIs  -> F has only 2 in the window

Warning-signs checklists (signed unless noted):
  A  15 Jan high (override: disclosed sexual abuse); 10 Mar medium (3 + 3 + 1 = 7)
  B  1 Feb 00:00 exactly, low (1) -> not at the end of January, low from February
  C  10 Jan high, but a DRAFT -> ignored: C is never assessed
  D  1 Nov 2025 no apparent risk (0); 31 Mar 22:59 UTC high (3+3+3+3+3 = 15)
  E  31 Mar 23:30 UTC (after the period) medium -> not assessed in the period
  F  none

Actions (today = 10 April 2026):
  A1's RHI: due 9 Apr (overdue), due 10 Apr (due today: not overdue), due 1 Mar but done
  C: a draft case note with an action due 1 Feb (overdue); E's checklist: due 20 Apr
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cse_desktop.forms import RiskLevel, default_library, score_checklist
from cse_desktop.services.casework import Casework
from cse_desktop.services.session import Session

TODAY = date(2026, 4, 10)
SAM, OLA = "Sam Lee", "Ola Ade"


@dataclass
class Built:
    children: dict[str, str] = field(default_factory=dict)  # letter -> child id
    episodes: dict[str, str] = field(default_factory=dict)

    def ids(self, letters: str) -> tuple[str, ...]:
        return tuple(sorted(self.children[c] for c in letters))


def _indicators(yes: tuple[str, ...] = ()) -> dict[str, Any]:
    definition = default_library().get("warning_signs")
    return {f.id: {"answer": "yes" if f.id in yes else "no"}
            for f in definition.indicator_fields()}


def _rhi_answers(offered: str, outcome: str, *, completed: str | None = None,
                 referrals: tuple[str, ...] = ("none",), late: bool = False,
                 actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "offered_at": offered, "outcome": outcome, "interviewer_independent": "yes",
        "consent_to_share": "yes", "referrals": list(referrals),
    }
    if completed:
        answers["completed_at"] = completed
    if outcome == "completed":
        answers["childs_words"] = "Synthetic words for a test."
    if late:
        answers["late_reason"] = "Synthetic reason: the child was away."
    if actions:
        answers["actions"] = actions
    return answers


class Builder:
    def __init__(self, session: Session, passphrase: str) -> None:
        self.work = Casework(session)
        self.passphrase = passphrase
        self.built = Built()

    def child(self, letter: str, worker: str) -> str:
        record = self.work.add_child({"first_name": f"Child{letter}", "last_name": "Synthetic",
                                      "date_of_birth": "2011-05-05", "allocated_worker": worker})
        self.built.children[letter] = record.id
        return record.id

    def episode(self, name: str, letter: str, went: str, back: str | None,
                kind: str = "missing") -> str:
        answers = {"missing_or_absent": kind, "went_missing_at": went,
                   "reported_by": "parent_carer"}
        if back:
            answers["returned_at"] = back
        record = self.work.record_episode(self.built.children[letter], answers)
        self.built.episodes[name] = record.id
        return record.id

    def rhi(self, episode: str, answers: dict[str, Any], *, sign: bool = True) -> str:
        draft = self.work.start_return_interview(self.built.episodes[episode])
        data = {**draft.data, **answers}
        if sign:
            self.work.sign(draft.id, data, self.passphrase, None)
        else:
            self.work.save_draft(draft.id, data)
        return draft.id

    def checklist(self, letter: str, assessed: str, yes: tuple[str, ...] = (), *,
                  sign: bool = True, actions: list[dict[str, Any]] | None = None) -> str:
        child_id = self.built.children[letter]
        draft = self.work.start_draft("warning_signs", child_id)
        data = {**draft.data, "assessed_at": assessed, **_indicators(yes)}
        if actions:
            data["actions"] = actions
        if _is_high(data):  # the form's rule: high risk needs a view and an action (done here)
            data["professional_judgement"] = "High risk: strategy meeting held."
            data.setdefault("actions", [{"what": "Strategy meeting", "owner": SAM,
                                         "done": "yes"}])
        if sign:
            self.work.sign(draft.id, data, self.passphrase, None)
        else:
            self.work.save_draft(draft.id, data)
        return draft.id


def build(session: Session, passphrase: str) -> Built:
    b = Builder(session, passphrase)
    for letter in "ABC":
        b.child(letter, SAM)
    for letter in "DEF":
        b.child(letter, OLA)

    b.episode("A1", "A", "2026-01-09T18:00:00+00:00", "2026-01-10T09:00:00+00:00")
    b.rhi("A1", _rhi_answers("2026-01-13T09:00:00+00:00", "completed",
                             completed="2026-01-13T09:00:00+00:00",
                             referrals=("mash", "police"), actions=[
        {"what": "Call school", "owner": "Sam Lee", "due_date": "2026-04-09"},
        {"what": "Health check", "owner": "School nurse", "due_date": "2026-04-10"},
        {"what": "Strategy meeting", "owner": "MASH", "due_date": "2026-03-01", "done": "yes"},
        {"what": "Follow up", "owner": "Sam Lee"},
    ]))
    b.episode("A2", "A", "2026-01-31T20:00:00+00:00", "2026-02-01T12:00:00+00:00")
    b.rhi("A2", _rhi_answers("2026-02-04T12:01:00+00:00", "completed",
                             completed="2026-02-04T13:00:00+00:00", referrals=("police",),
                             late=True))
    b.episode("B3", "B", "2025-12-30T20:00:00+00:00", "2026-01-02T10:00:00+00:00")
    b.rhi("B3", _rhi_answers("2026-01-03T10:00:00+00:00", "declined_by_child",
                             referrals=("mash",)))
    b.episode("B4", "B", "2026-03-30T20:00:00+01:00", "2026-04-02T10:00:00+01:00")
    b.episode("C5", "C", "2026-02-09T10:00:00+00:00", "2026-02-10T10:00:00+00:00")
    b.rhi("C5", _rhi_answers("2026-02-11T10:00:00+00:00", "declined_by_parent_carer",
                             referrals=("sarc_isva",)), sign=False)
    b.episode("C6", "C", "2026-03-04T10:00:00+00:00", "2026-03-05T10:00:00+00:00")
    b.rhi("C6", {}, sign=False)
    b.episode("D7", "D", "2026-01-19T10:00:00+00:00", "2026-01-20T10:00:00+00:00",
              kind="absent")
    b.rhi("D7", _rhi_answers("2026-01-20T12:00:00+00:00", "declined_by_child"))
    b.episode("D8", "D", "2026-03-31T20:00:00+00:00", "2026-03-31T23:30:00+00:00")
    b.rhi("D8", _rhi_answers("2026-04-01T10:00:00+00:00", "completed",
                             completed="2026-04-01T11:00:00+00:00", referrals=("health",)))
    b.episode("D9", "D", "2026-03-31T20:00:00+00:00", "2026-03-31T23:30:00+01:00")
    b.rhi("D9", _rhi_answers("2026-04-01T10:00:00+00:00", "child_not_found"))
    for name, went, back in (
            ("E1", "2025-12-31T23:00:00+00:00", "2026-01-02T10:00:00+00:00"),
            ("E2", "2026-02-05T10:00:00+00:00", "2026-02-06T10:00:00+00:00"),
            ("E3", "2026-03-05T10:00:00+00:00", "2026-03-06T10:00:00+00:00")):
        b.episode(name, "E", went, back)
    for name, went, back in (
            ("F1", "2025-12-31T22:59:00+00:00", "2026-01-02T10:00:00+00:00"),
            ("F2", "2026-02-01T10:00:00+00:00", "2026-02-02T10:00:00+00:00"),
            ("F3", "2026-03-01T10:00:00+00:00", "2026-03-02T10:00:00+00:00")):
        b.episode(name, "F", went, back)

    b.checklist("A", "2026-01-15T10:00:00+00:00", ("disclosed_sexual_abuse",))
    b.checklist("A", "2026-03-10T10:00:00+00:00",
                ("missing_repeatedly", "older_boyfriend_girlfriend", "absent_from_school"))
    b.checklist("B", "2026-02-01T00:00:00+00:00", ("absent_from_school",))
    b.checklist("C", "2026-01-10T10:00:00+00:00", ("disclosed_sexual_abuse",), sign=False)
    b.checklist("D", "2025-11-01T10:00:00+00:00")
    b.checklist("D", "2026-03-31T22:59:00+00:00",
                ("missing_repeatedly", "returns_with_unexplained_injury",
                 "older_boyfriend_girlfriend", "picked_up_by_unknown_cars", "gang_association"))
    b.checklist("E", "2026-03-31T23:30:00+00:00",
                ("missing_repeatedly", "older_boyfriend_girlfriend", "absent_from_school"),
                actions=[{"what": "Review", "owner": "Ola Ade", "due_date": "2026-04-20"}])
    b.work.quick_note(b.built.children["C"], {
        "occurred_at": "2026-01-20T10:00:00+00:00", "contact_type": "phone",
        "summary": "Synthetic note.",
        "actions": [{"what": "Visit", "owner": "Sam Lee", "due_date": "2026-02-01"}]})
    return b.built


def _is_high(answers: dict[str, Any]) -> bool:
    definition = default_library().get("warning_signs")
    return score_checklist(definition, answers).level is RiskLevel.HIGH
