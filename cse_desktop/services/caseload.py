"""Reading the caseload: the children list, a child's overview, chronology and open actions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from ..clock import uk_date
from ..domain.caseload import (
    EpisodeStatus,
    OpenAction,
    RhiState,
    actions_of,
    episode_statuses,
    parse_day,
)
from ..forms import RiskLevel, RiskResult, parse_datetime, score_checklist
from ..records import Record, RecordState, RecordType, child_display_name, from_iso
from ..store.caseload_index import ORDERS, CaseloadCounts, CaseloadQuery, IndexRow
from ..store.store import fts_query
from .session import Workspace


@dataclass(frozen=True)
class ChildRow:
    child_id: str
    name: str
    date_of_birth: date | None
    local_reference: str
    risk_level: RiskLevel | None
    risk_assessed_at: datetime | None
    rhi_state: RhiState
    rhi_deadline: datetime | None
    has_draft: bool
    episodes: int
    last_activity: datetime | None

    def age(self, today: date) -> int | None:
        """Age in whole years on ``today`` (a UK date from the session's clock)."""
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


@dataclass
class CaseloadFilter:
    text: str = ""
    risk_levels: set[RiskLevel] | None = None
    rhi_due_or_overdue: bool = False
    has_draft: bool = False


@dataclass(frozen=True)
class ChronologyEntry:
    record_id: str
    record_type: RecordType
    occurred_at: datetime
    title: str
    summary: str
    state: RecordState
    author: str


@dataclass(frozen=True)
class RiskPoint:
    assessed_at: datetime
    score: int
    level: RiskLevel
    record_id: str


@dataclass
class ChildOverview:
    child: Record
    name: str
    current_risk: RiskResult | None
    risk_assessed_at: datetime | None
    risk_record_id: str | None
    today: date  # the UK date the overview was taken on (ages, overdue actions)
    episodes: list[EpisodeStatus] = field(default_factory=list)
    open_actions: list[OpenAction] = field(default_factory=list)
    risk_history: list[RiskPoint] = field(default_factory=list)


def _when(record: Record, field_id: str | None) -> datetime:
    if field_id:
        moment = parse_datetime(record.data.get(field_id))
        if moment is not None:
            return moment
        day = parse_day(record.data.get(field_id))
        if day is not None:
            return datetime(day.year, day.month, day.day, tzinfo=record.created_at.tzinfo)
    return record.created_at


SORT_ORDERS = tuple(ORDERS)  # what the caseload can be sorted by: "name", "age", ...


@dataclass(frozen=True)
class CaseloadResult:
    """One page of the caseload and the counts for everything that matched."""

    rows: list[ChildRow]
    counts: CaseloadCounts


def _child_row(row: IndexRow, now: datetime) -> ChildRow:
    deadline = from_iso(row.rhi_deadline)
    state = RhiState.NONE
    if deadline is not None:
        state = RhiState.DUE if now <= deadline else RhiState.OVERDUE
    return ChildRow(
        child_id=row.child_id,
        name=row.name,
        date_of_birth=parse_day(row.date_of_birth),
        local_reference=row.local_reference,
        risk_level=RiskLevel(row.risk_level) if row.risk_level else None,
        risk_assessed_at=parse_datetime(row.risk_assessed_at) if row.risk_level else None,
        rhi_state=state,
        rhi_deadline=deadline,
        has_draft=row.has_draft,
        episodes=row.episodes,
        last_activity=from_iso(row.last_activity),
    )


class Caseload:
    """Read models for the caseload list and the child view."""

    def __init__(self, session: Workspace) -> None:
        self.session = session
        self.store = session.store
        self.library = session.library

    def rows(self, filters: CaseloadFilter | None = None,
             now: datetime | None = None) -> list[ChildRow]:
        """Every child matching ``filters``, in name order, from the store's read model."""
        return self.page(filters, now=now).rows

    def page(self, filters: CaseloadFilter | None = None, *, offset: int = 0,
             limit: int | None = None, order: str = "name", descending: bool = False,
             now: datetime | None = None) -> CaseloadResult:
        """One page of the children matching ``filters`` (all of them without ``limit``),
        sorted by ``order`` (a key of ``SORT_ORDERS``; name order breaks ties), with how many
        match in all and how many need something.

        Reads the store's caseload read model: the cost is the rows returned plus the search,
        not every record held."""
        filters = filters or CaseloadFilter()
        now = now or self.session.clock.now()
        text = fts_query(filters.text) if filters.text.strip() else ""
        if filters.text.strip() and not text:
            return CaseloadResult([], CaseloadCounts())
        query = CaseloadQuery(
            text=text,
            risk_levels=(frozenset(level.value for level in filters.risk_levels)
                         if filters.risk_levels is not None else None),
            rhi_due_or_overdue=filters.rhi_due_or_overdue,
            has_draft=filters.has_draft,
        )
        found = self.store.caseload_page(query, now, offset=offset, limit=limit, order=order,
                                         descending=descending)
        return CaseloadResult([_child_row(row, now) for row in found.rows], found.counts)

    def rows_recomputed(self, filters: CaseloadFilter | None = None,
                        now: datetime | None = None) -> list[ChildRow]:
        """The same rows as ``rows()``, worked out from every record without the read model
        (slow: the reference the read model is checked against)."""
        filters = filters or CaseloadFilter()
        now = now or self.session.clock.now()
        store = self.store
        children = store.records(record_type=RecordType.CHILD)
        wanted: set[str] | None = None
        if filters.text.strip():
            hits = store.search(filters.text, limit=store.count() + 1)
            wanted = {h.child_id for h in hits if h.child_id}
        episodes: dict[str, list[Record]] = defaultdict(list)
        for episode in store.records(record_type=RecordType.MISSING_EPISODE):
            episodes[episode.child_id or ""].append(episode)
        interviews: dict[str, list[Record]] = defaultdict(list)
        for interview in store.records(record_type=RecordType.RETURN_INTERVIEW):
            interviews[interview.child_id or ""].append(interview)
        latest_risk: dict[str, tuple[str, str]] = {}
        drafts: set[str] = set()
        for record_type in (RecordType.WARNING_SIGNS, RecordType.RETURN_INTERVIEW,
                            RecordType.CASE_NOTE, RecordType.ADDENDUM):
            for entry in store.index_rows(record_type):
                if entry["state"] == RecordState.DRAFT.value:
                    drafts.add(entry["child_id"])
                elif record_type is RecordType.WARNING_SIGNS and entry["risk_level"]:
                    known = latest_risk.get(entry["child_id"])
                    if known is None or (entry["occurred_at"] or "") > known[0]:
                        latest_risk[entry["child_id"]] = (entry["occurred_at"] or "",
                                                          entry["risk_level"])
        result = []
        for child in children:
            if wanted is not None and child.id not in wanted:
                continue
            statuses = episode_statuses(episodes.get(child.id, []),
                                        interviews.get(child.id, []), now)
            outstanding = [s for s in statuses if s.state is not RhiState.NONE]
            rhi_state = RhiState.NONE
            deadline = None
            if outstanding:
                first = min(outstanding, key=lambda s: s.deadline or now)
                rhi_state, deadline = first.state, first.deadline
                if any(s.state is RhiState.OVERDUE for s in outstanding):
                    rhi_state = RhiState.OVERDUE
            risk = latest_risk.get(child.id)
            row = ChildRow(
                child_id=child.id,
                name=child_display_name(child.data),
                date_of_birth=parse_day(child.data.get("date_of_birth")),
                local_reference=str(child.data.get("local_reference") or ""),
                risk_level=RiskLevel(risk[1]) if risk else None,
                risk_assessed_at=parse_datetime(risk[0]) if risk else None,
                rhi_state=rhi_state,
                rhi_deadline=deadline,
                has_draft=child.id in drafts,
                episodes=len(statuses),
                last_activity=max([child.updated_at] + [e.updated_at for e in
                                   episodes.get(child.id, [])]),
            )
            if filters.risk_levels is not None and row.risk_level not in filters.risk_levels:
                continue
            if filters.rhi_due_or_overdue and row.rhi_state is RhiState.NONE:
                continue
            if filters.has_draft and not row.has_draft:
                continue
            result.append(row)
        result.sort(key=lambda r: (r.name.casefold(), r.child_id))
        return result

    def overview(self, child_id: str, now: datetime | None = None) -> ChildOverview:
        """Everything the child view opens with.  Looking is audited."""
        now = now or self.session.clock.now()
        child = self.store.get(child_id, actor=self.session.actor)
        records = self.store.records(child_id=child_id)
        by_type: dict[RecordType, list[Record]] = defaultdict(list)
        for record in records:
            by_type[record.record_type].append(record)
        history = self.risk_history(by_type[RecordType.WARNING_SIGNS])
        current = None
        assessed = None
        risk_id = None
        if history:
            latest = history[-1]
            checklist = next(r for r in records if r.id == latest.record_id)
            current = score_checklist(self.library.get(checklist.form_id, checklist.form_version),
                                      checklist.data)
            assessed, risk_id = latest.assessed_at, latest.record_id
        return ChildOverview(
            child=child,
            name=child_display_name(child.data),
            current_risk=current,
            risk_assessed_at=assessed,
            risk_record_id=risk_id,
            today=uk_date(now),
            episodes=episode_statuses(by_type[RecordType.MISSING_EPISODE],
                                      by_type[RecordType.RETURN_INTERVIEW], now),
            open_actions=actions_of(records),
            risk_history=history,
        )

    def risk_history(self, checklists: Iterable[Record]) -> list[RiskPoint]:
        points = []
        for checklist in checklists:
            if not checklist.is_signed:
                continue
            definition = self.library.get(checklist.form_id, checklist.form_version)
            result = score_checklist(definition, checklist.data)
            points.append(RiskPoint(_when(checklist, definition.occurred_at_field),
                                    result.score, result.level, checklist.id))
        points.sort(key=lambda p: p.assessed_at)
        return points

    def chronology(self, child_id: str,
                   types: set[RecordType] | None = None) -> list[ChronologyEntry]:
        """All of a child's records, newest first, one line each."""
        entries = []
        for record in self.store.records(child_id=child_id):
            if types is not None and record.record_type not in types:
                continue
            if record.record_type is RecordType.CHILD:
                continue
            try:
                definition = self.library.get(record.form_id, record.form_version)
            except KeyError:
                continue
            summary = ""
            if definition.summary_field:
                summary = str(record.data.get(definition.summary_field) or "")
            if record.record_type is RecordType.WARNING_SIGNS:
                result = score_checklist(definition, record.data)
                title = f"{definition.title}: {result.headline} (score {result.score})"
            elif record.record_type is RecordType.MISSING_EPISODE:
                kind = "Absent" if record.data.get("missing_or_absent") == "absent" else "Missing"
                title = f"{kind} episode"
                returned = parse_datetime(record.data.get("returned_at"))
                summary = summary or ("Returned" if returned else "Not yet returned")
            else:
                title = definition.title
            entries.append(ChronologyEntry(
                record.id, record.record_type, _when(record, definition.occurred_at_field),
                title, " ".join(summary.split())[:200], record.state, record.author))
        entries.sort(key=lambda e: e.occurred_at, reverse=True)
        return entries

    def open_actions(self, child_id: str | None = None) -> list[OpenAction]:
        records: list[Record] = []
        for record_type in (RecordType.RETURN_INTERVIEW, RecordType.WARNING_SIGNS,
                            RecordType.CASE_NOTE):
            records.extend(self.store.records(child_id=child_id, record_type=record_type))
        return actions_of(records)
