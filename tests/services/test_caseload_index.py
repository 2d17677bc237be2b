"""The caseload read model (store/caseload_index.py) against a full recomputation.

Random sequences of what happens to a caseload — children added, renamed and deleted,
episodes, interviews offered or not, checklists and notes saved, signed and deleted, records
arriving from the service, changes accepted by it, children withdrawn and records purged —
must leave the read model saying exactly what recomputing from every record says.  And a
search that matches more than 5,000 children lists every one of them, with the count.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cse_desktop.clock import FixedClock
from cse_desktop.crypto import KdfParams
from cse_desktop.forms import RiskLevel
from cse_desktop.records import Record, RecordState, RecordType, Role, Signature, new_id
from cse_desktop.services.caseload import Caseload, CaseloadFilter
from cse_desktop.services.session import Session, first_run
from cse_desktop.store import SignedRecordImmutable, StoreError

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NAMES = ("Amara", "Zoë", "Łukasz", "mum", "Mumtaz", "Ola", "Bo")
INDICATORS = ("missing_repeatedly", "missing_overnight", "absent_from_school",
              "older_boyfriend_girlfriend", "associates_with_older_adults")

FILTERS = (
    CaseloadFilter(),
    CaseloadFilter(text="mum"),
    CaseloadFilter(text="zoe"),
    CaseloadFilter(text="lukasz park"),
    CaseloadFilter(rhi_due_or_overdue=True),
    CaseloadFilter(has_draft=True),
    CaseloadFilter(risk_levels={RiskLevel.MEDIUM, RiskLevel.HIGH}),
    CaseloadFilter(risk_levels={RiskLevel.NO_APPARENT, RiskLevel.LOW}, has_draft=True),
    CaseloadFilter(text="mum", rhi_due_or_overdue=True),
)

# Each step: (what, a number to pick a target with, a number to vary the answers with).
STEPS = st.lists(st.tuples(
    st.sampled_from(["child", "rename", "delete", "episode", "interview", "offer", "checklist",
                     "note", "sign", "remote", "remote_child", "remote_batch", "accept",
                     "withdraw", "purge", "time"]),
    st.integers(0, 1_000), st.integers(0, 1_000)), min_size=1, max_size=40)


class World:
    """One practitioner's store and the ids of what is in it (for picking targets)."""

    def __init__(self, session: Session, clock: FixedClock) -> None:
        self.session, self.clock = session, clock
        self.store = session.store
        self.actor = session.actor

    def ids(self, record_type: RecordType, *, drafts_only: bool = False) -> list[str]:
        return sorted(r.id for r in self.store.records(record_type=record_type)
                      if not (drafts_only and r.is_signed))

    def record(self, kind: RecordType, form_id: str, data: dict[str, Any],
               child_id: str | None, **extra: Any) -> Record:
        now = self.clock.now()
        return Record(new_id(), kind, form_id, 1, data, self.actor.name, self.actor.device_id,
                      now, now, child_id=child_id, **extra)

    def child_answers(self, n: int) -> dict[str, Any]:
        return {"first_name": NAMES[n % len(NAMES)], "last_name": ["Park", "Nowak", "Mum"][n % 3],
                "date_of_birth": f"20{10 + n % 8}-0{1 + n % 9}-1{n % 9}",
                "local_reference": f"LA-{n}"}

    def pick(self, ids: list[str], n: int) -> str | None:
        return ids[n % len(ids)] if ids else None

    def step(self, what: str, n: int, m: int) -> None:
        self.clock.advance(seconds=1 + m % 7)
        store, actor = self.store, self.actor
        children = self.ids(RecordType.CHILD)
        child = self.pick(children, n)
        if what == "child":
            store.add(self.record(RecordType.CHILD, "child", self.child_answers(m), None), actor)
        elif what == "rename" and child:
            store.update(child, self.child_answers(m + 1), actor)
        elif what == "delete":
            target = self.pick(self.ids(RecordType.CHILD) + self.ids(RecordType.CASE_NOTE,
                                                                     drafts_only=True), n)
            if target:
                with contextlib.suppress(SignedRecordImmutable):
                    store.delete_draft(target, actor)
        elif what == "episode" and child:
            returned = START + timedelta(hours=(m % 200) - 120)
            store.add(self.record(RecordType.MISSING_EPISODE, "missing_episode", {
                "missing_or_absent": "absent" if m % 5 == 0 else "missing",
                "went_missing_at": (returned - timedelta(hours=9)).isoformat(),
                "returned_at": returned.isoformat() if m % 7 else None}, child), actor)
        elif what == "interview":
            episode = self.pick(self.ids(RecordType.MISSING_EPISODE), n)
            if episode:
                source = store.get(episode)
                answers = {"episode_id": episode,
                           "returned_at": source.data.get("returned_at")}
                if m % 2:
                    answers["offered_at"] = self.clock.now().isoformat()
                store.add(self.record(RecordType.RETURN_INTERVIEW, "return_interview", answers,
                                      source.child_id), actor)
        elif what == "offer":
            interview = self.pick(self.ids(RecordType.RETURN_INTERVIEW, drafts_only=True), n)
            if interview:
                data = dict(store.get(interview).data)
                data["offered_at"] = None if m % 4 == 0 else self.clock.now().isoformat()
                store.update(interview, data, actor)
        elif what == "checklist" and child:
            answers = {"assessed_at": (START - timedelta(days=m % 30)).isoformat(),
                       **{key: {"answer": "yes" if (m >> i) & 1 else "no"}
                          for i, key in enumerate(INDICATORS)}}
            store.add(self.record(RecordType.WARNING_SIGNS, "warning_signs", answers, child),
                      actor)
        elif what == "note" and child:
            store.add(self.record(RecordType.CASE_NOTE, "case_note", {
                "occurred_at": self.clock.now().isoformat(),
                "summary": f"Spoke with mum about week {m}"}, child), actor)
        elif what == "sign":
            drafts = [i for t in (RecordType.WARNING_SIGNS, RecordType.RETURN_INTERVIEW,
                                  RecordType.CASE_NOTE) for i in self.ids(t, drafts_only=True)]
            target = self.pick(sorted(drafts), n)
            if target:
                store.sign(target, Signature(actor.name, actor.role.label, self.clock.now()),
                           actor)
        elif what == "remote":  # a record pulled from the service (sync)
            if child:
                when = START - timedelta(days=m % 40)
                store.put_remote(self.record(
                    RecordType.WARNING_SIGNS, "warning_signs",
                    {"assessed_at": when.isoformat(),
                     INDICATORS[m % 5]: {"answer": "yes"}}, child,
                    state=RecordState.SIGNED if m % 2 else RecordState.DRAFT,
                    signature=Signature("Remote Worker", "Social worker", when)
                    if m % 2 else None))
        elif what == "remote_child":  # a child pulled from the service, new or changed
            if child and m % 2:
                current = store.get(child)
                store.put_remote(current.with_changes(data=self.child_answers(m),
                                                      revision=current.revision + 1))
            else:
                record = self.record(RecordType.CHILD, "child", self.child_answers(m), None)
                store.put_remote(record.with_changes(child_id=record.id))
        elif what == "remote_batch":  # one pulled batch: a new child, its records, a change
            record = self.record(RecordType.CHILD, "child", self.child_answers(m), None)
            record = record.with_changes(child_id=record.id)
            when = (START - timedelta(days=m % 9)).isoformat()
            with store.transaction() as conn:
                store.put_remote(record, conn)
                store.put_remote(self.record(
                    RecordType.WARNING_SIGNS, "warning_signs",
                    {"assessed_at": when, INDICATORS[n % 5]: {"answer": "yes"}}, record.id,
                    state=RecordState.SIGNED,
                    signature=Signature("Remote Worker", "Social worker", self.clock.now())),
                    conn)
                if child:
                    current = store.get(child)
                    store.put_remote(current.with_changes(data=self.child_answers(n),
                                                          revision=current.revision + 1), conn)
                    store.remove_child(child, actor, "withdrawn", conn)
        elif what == "accept":  # the service accepted everything waiting
            store.acknowledge([c.change_id for c in store.pending_changes(limit=10_000)])
        elif what == "withdraw" and child:  # the child left this caseload (sync withdrawal)
            store.remove_child(child, actor, "withdrawn from caseload")
        elif what == "purge":
            target = self.pick(self.ids(RecordType.WARNING_SIGNS)
                               + self.ids(RecordType.MISSING_EPISODE), n)
            if target:
                store.purge([target], actor, "retention period over")
        elif what == "time":
            self.clock.advance(hours=m % 90)

    def check(self) -> None:
        caseload = Caseload(self.session)
        for now in (self.clock.now(), self.clock.now() + timedelta(hours=30)):
            for filters in FILTERS:
                expected = caseload.rows_recomputed(filters, now=now)
                assert caseload.rows(filters, now=now) == expected, filters
                page = caseload.page(filters, offset=1, limit=2, now=now)
                assert page.rows == expected[1:3]
                assert page.counts.children == len(expected)
                assert page.counts.drafts == sum(r.has_draft for r in expected)
                assert page.counts.overdue == sum(r.rhi_state.value == "overdue"
                                                  for r in expected)
                assert page.counts.due == sum(r.rhi_state.value == "due" for r in expected)


def _session(folder: Path, clock: FixedClock) -> Session:
    return first_run(folder / "data", "correct horse battery", name="Rhiannon Testwood",
                     role=Role.OUTREACH_WORKER, kdf=KdfParams.fast_for_tests(), clock=clock)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
@example(steps=[("child", 0, 3), ("checklist", 0, 3), ("sign", 0, 0), ("purge", 0, 0)])
@example(steps=[("child", 0, 1), ("episode", 0, 1), ("note", 0, 2), ("accept", 0, 0),
                ("withdraw", 0, 0), ("child", 0, 2)])
@example(steps=[("child", 0, 1), ("episode", 0, 1), ("interview", 0, 2), ("offer", 0, 1),
                ("time", 0, 80), ("delete", 0, 0), ("remote_child", 0, 2)])
def test_read_model_agrees_with_full_recomputation(steps: list[tuple[str, int, int]]) -> None:
    clock = FixedClock(START)
    with tempfile.TemporaryDirectory() as folder:
        session = _session(Path(folder), clock)
        try:
            world = World(session, clock)
            for what, n, m in steps:
                # A refused step (e.g. signing twice) changes nothing; the rows must still agree.
                with contextlib.suppress(StoreError):
                    world.step(what, n, m)
            world.check()
            session.store.rebuild_caseload_index()  # rebuilding from scratch agrees too
            world.check()
        finally:
            session.lock()


def test_search_beyond_five_thousand_returns_every_match_with_its_count(tmp_path: Path) -> None:
    clock = FixedClock(START)
    session = _session(tmp_path, clock)
    try:
        world = World(session, clock)
        now = clock.now()
        records = [world.record(RecordType.CHILD, "child",
                                {"first_name": f"Child{i:05d}", "last_name": "Mumford"}, None)
                   for i in range(5_600)]
        records = [r.with_changes(child_id=r.id) for r in records]
        others = [world.record(RecordType.CHILD, "child",
                               {"first_name": f"Other{i}", "last_name": "Smith"}, None)
                  for i in range(50)]
        # Notes that mention the word about other children count too (and each child once).
        notes = [world.record(RecordType.CASE_NOTE, "case_note",
                              {"occurred_at": now.isoformat(), "summary": "Met mum at home"},
                              other.id) for other in others[:20]]
        session.store.add_many([*records, *others, *notes], session.actor)
        caseload = Caseload(session)

        rows = caseload.rows(CaseloadFilter(text="mum"), now=now)
        assert len(rows) == 5_620 == len({r.child_id for r in rows})
        page = caseload.page(CaseloadFilter(text="mum"), offset=5_600, limit=100, now=now)
        assert page.counts.children == 5_620
        assert len(page.rows) == 20
        assert rows[-20:] == page.rows
        assert caseload.page(CaseloadFilter(), limit=10, now=now).counts.children == 5_650
    finally:
        session.lock()


def test_a_store_from_before_the_read_model_gets_it_filled_at_unlock(tmp_path: Path) -> None:
    from cse_desktop.services.session import unlock

    clock = FixedClock(START)
    session = _session(tmp_path, clock)
    world = World(session, clock)
    for step in (("child", 0, 1), ("child", 0, 2), ("episode", 1, 3), ("note", 0, 4)):
        world.step(*step)
    expected = Caseload(session).rows_recomputed(now=clock.now())
    conn = session.store._conn  # put the database back as version 4 left it
    for statement in ("DROP TABLE caseload_index", "DROP TABLE search_owner",
                      "DROP TRIGGER search_owner_insert", "DROP TRIGGER search_owner_update",
                      "DROP TRIGGER search_owner_delete",
                      "DROP TABLE record_timestamps"):  # made by migration 6
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 4")
    session.lock()
    session = unlock(tmp_path / "data", "correct horse battery", clock=clock)
    try:
        assert len(expected) == 2
        assert Caseload(session).rows(now=clock.now()) == expected
        found = Caseload(session).rows(CaseloadFilter(text="mum"), now=clock.now())
        assert found == Caseload(session).rows_recomputed(CaseloadFilter(text="mum"),
                                                          now=clock.now())
    finally:
        session.lock()
