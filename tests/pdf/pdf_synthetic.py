"""Synthetic casework for the PDF tests and the benchmark, saved through the real Store.

Every name, place and reference here is invented.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from cse_desktop.clock import Clock, FixedClock
from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.forms import FormLibrary
from cse_desktop.records import Actor, Record, RecordType, Role, Signature, new_id
from cse_desktop.services.indexing import make_indexer
from cse_desktop.store import Store

CHILD_NAME = "Zoë Nowak"
LONG_STORY = (
    "Zoë said she stayed at a flat above the launderette on Wiśniewski Street with two older "
    "lads she knows from the park. She said one of them, who calls himself “Kai”, bought her "
    "food and a new phone and told her she owed him for it. "
) * 12


def signature_png(name: str = "Siobhán") -> bytes:
    """A drawn-looking signature: a scribble on a transparent background."""
    image = Image.new("RGBA", (360, 110), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    points = [(10 + i * 7, 60 + int(25 * ((-1) ** i) * (1 - i / 50))) for i in range(48)]
    pen.line(points, fill=(20, 30, 90, 255), width=4, joint="curve")
    pen.line([(30, 92), (330, 84)], fill=(20, 30, 90, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Casework:
    store: Store
    library: FormLibrary
    worker: Actor
    lead: Actor
    child: Record
    episode: Record
    interview: Record
    checklist: Record
    note: Record
    addendum: Record
    records: dict[str, Record]


# The moment the synthetic casework is built around; the store runs on a clock stopped there,
# so "overdue", ages and "today" on the PDFs mean the same on any date the tests run.
FIXTURE_NOW = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


def open_store(folder: Path, library: FormLibrary, clock: Clock | None = None) -> Store:
    return Store.create(folder, "pass", kdf=KdfParams.fast_for_tests(),
                        indexer=make_indexer(library), clock=clock or FixedClock(FIXTURE_NOW))


def _record(library: FormLibrary, form_id: str, data: dict[str, Any], actor: Actor,
            child_id: str | None, at: datetime) -> Record:
    definition = library.get(form_id)
    return Record(id=new_id(), record_type=RecordType(definition.record_type),
                  form_id=form_id, form_version=definition.version, data=data,
                  author=actor.name, device_id=actor.device_id, created_at=at, updated_at=at,
                  child_id=child_id)


def _sign(store: Store, record: Record, actor: Actor, at: datetime,
          image: bytes | None = None) -> Record:
    signature = Signature(actor.name, actor.role.label, at, image)
    return store.sign(record.id, signature, actor)


def indicators(yes: list[str], not_known: list[str] | None = None) -> dict[str, Any]:
    from cse_desktop.forms import default_library

    answers: dict[str, Any] = {}
    for field in default_library().get("warning_signs").indicator_fields():
        answer = "yes" if field.id in yes else "no"
        if field.id in (not_known or []):
            answer = "not_known"
        answers[field.id] = {"answer": answer}
    return answers


def build(folder: Path, library: FormLibrary, *, now: datetime | None = None) -> Casework:
    now = now or FIXTURE_NOW
    store = open_store(folder, library, FixedClock(now))
    store.set_meta("organisation", {"name": "Northfield Safeguarding Partnership",
                                    "logo_path": None})
    device = store.device_id
    worker = Actor("u-siobhan", "Siobhán Ó Briain", Role.OUTREACH_WORKER, device)
    lead = Actor("u-lukasz", "Łukasz Wiśniewski", Role.TEAM_LEAD, device)

    child = store.add(_record(library, "child", {
        "first_name": "Zoë", "last_name": "Nowak", "preferred_name": "Zo",
        "date_of_birth": "2011-03-03", "gender": "female", "local_reference": "NF-204817",
        "nhs_number": "943 476 5919", "address": "14 Larch Close, Northfield",
        "placement_type": "foster_care", "in_care": "yes",
        "school_or_college": "Northfield Academy", "allocated_worker": worker.name,
    }, worker, None, now - timedelta(days=90)), worker)

    went = now - timedelta(days=6)
    returned = now - timedelta(days=5)
    episode = store.add(_record(library, "missing_episode", {
        "child_id": child.id, "missing_or_absent": "missing",
        "went_missing_at": went.isoformat(), "returned_at": returned.isoformat(),
        "reported_by": "foster_carer", "where_found": "Bus station, Northfield",
        "police_reference": "NP-26-118204", "notes": "Found by police after a call from staff.",
    }, worker, child.id, went), worker)

    interview = store.add(_record(library, "return_interview", {
        "child_id": child.id, "episode_id": episode.id,
        "went_missing_at": went.isoformat(), "returned_at": returned.isoformat(),
        "reported_by": "foster_carer", "where_found": "Bus station, Northfield",
        "police_reference": "NP-26-118204", "placement_type": "foster_care",
        "offered_at": (returned + timedelta(hours=20)).isoformat(),
        "outcome": "completed",
        "completed_at": (returned + timedelta(hours=30)).isoformat(),
        "interviewer_independent": "yes",
        "location_of_interview": "Café on the high street",
        "where_stayed": LONG_STORY,
        "who_with": "Two older lads; one called “Kai”, about 19.",
        "travel": ["public_transport", "car_unknown"],
        "push_factors": ["placement_unhappy"],
        "pull_factors": ["older_associates", "gifts_or_money"],
        "harm_experienced": "no",
        "risk_indicators": ["sexual_exploitation", "criminal_exploitation"],
        "childs_words": "I just wanted to be somewhere I wasn't being watched all the time.",
        "child_wants": "To see her nan in Gdańsk at Christmas.",
        "consent_to_share": "yes", "share_with": ["police", "social_care"],
        "referrals": ["mash", "police"],
        "safety_plan": "Agreed a code word with her foster carer; phone numbers saved.",
        "actions": [
            {"what": "Strategy meeting request to MASH", "owner": "Łukasz Wiśniewski",
             "due_date": (now - timedelta(days=2)).date().isoformat(), "done": "no"},
            {"what": "Share intelligence form with police about “Kai”",
             "owner": "Siobhán Ó Briain",
             "due_date": (now + timedelta(days=5)).date().isoformat(), "done": "no"},
        ],
    }, worker, child.id, returned + timedelta(hours=30)), worker)
    interview = _sign(store, interview, worker, returned + timedelta(hours=31), signature_png())

    earlier = store.add(_record(library, "warning_signs", {
        "child_id": child.id, "assessed_at": (now - timedelta(days=40)).isoformat(),
        **indicators(["missing_overnight", "low_self_esteem"]),
        "professional_judgement": "Some worries, nothing specific yet.",
    }, worker, child.id, now - timedelta(days=40)), worker)
    _sign(store, earlier, worker, now - timedelta(days=40))

    checklist = store.add(_record(library, "warning_signs", {
        "child_id": child.id, "assessed_at": (now - timedelta(days=4)).isoformat(),
        **indicators(["missing_repeatedly", "missing_overnight", "older_boyfriend_girlfriend",
                      "unexplained_money_or_gifts", "multiple_phones_or_sim_cards",
                      "found_with_adults_of_concern"],
                     not_known=["substance_misuse"]),
        "professional_judgement": "High risk of sexual exploitation; strategy meeting needed.",
        "actions": [{"what": "Book sexual health appointment", "owner": "School nurse",
                     "due_date": (now + timedelta(days=10)).date().isoformat(), "done": "no"}],
    }, worker, child.id, now - timedelta(days=4)), worker)
    checklist = _sign(store, checklist, worker, now - timedelta(days=4), signature_png())

    note = store.add(_record(library, "case_note", {
        "child_id": child.id, "occurred_at": (now - timedelta(days=1)).isoformat(),
        "contact_type": "face_to_face", "location": "Northfield Academy",
        "people_present": "Zoë, Siobhán", "summary": "Met at school. Zoë was quiet but talked "
        "about wanting to move placement.", "childs_voice": "“Nobody listens to me.”",
        "sensitive": "no",
    }, worker, child.id, now - timedelta(days=1)), worker)

    addendum = store.add_addendum(interview.id, _record(library, "addendum", {
        "reason": "The police reference was wrong.",
        "text": "The police reference is NP-26-118240, not NP-26-118204.",
    }, worker, child.id, now - timedelta(hours=20)), worker)
    addendum = _sign(store, addendum, worker, now - timedelta(hours=19), signature_png())

    records = {r.id: r for r in (child, episode, interview, checklist, note, addendum)}
    return Casework(store, library, worker, lead, child, episode, interview, checklist, note,
                    addendum, records)


def add_chronology(work: Casework, count: int) -> None:
    """Many case notes for the benchmark (one transaction)."""
    start = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    notes = []
    for index in range(count):
        at = start + timedelta(hours=17 * index)
        notes.append(_record(work.library, "case_note", {
            "child_id": work.child.id, "occurred_at": at.isoformat(),
            "contact_type": "phone", "summary": f"Call {index}: checked in with Zoë about "
            "school and home; no new concerns raised.", "sensitive": "no",
        }, work.worker, work.child.id, at))
    work.store.add_many(notes, work.worker)
