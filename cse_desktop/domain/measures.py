"""The partnership's local performance measures, exactly as defined in the domain brief.

For a period ``[start, end)`` (``end`` not included) and optionally a set of children:

- RHIs offered within 72 h (%): missing episodes whose child returned in the period with an
  interview offered at or before ``returned_at + 72 h``, over all missing episodes returned in
  the period.
- RHIs completed within 72 h (%): same denominator; outcome "completed" and ``completed_at``
  at or before the deadline.  Exactly 72 hours counts as in time.
- Declined (%): interviews declined by the child or by a parent/carer, over the interviews
  recorded (with an outcome) for the episodes returned in the period.
- Children at each risk level at the end of each month of the period: each child's latest
  signed warning-signs checklist assessed before the month ended (or before the period
  ended, for its last, partial month).  Unsigned checklists are ignored.
- Repeat missing: children with 3 or more missing episodes starting in the 90 days before
  the end of the period.
- Referrals by agency: how often each ``referrals`` value was chosen on signed return home
  interviews whose child returned in the period.
- Overdue actions: open actions (not marked done) whose due date is before today.

Choices the brief leaves open, made here (and by the central service in the same way):
- "Absent" episodes (whereabouts known) are not missing episodes: they are left out of the
  RHI and repeat-missing measures.
- An episode's interview is the one linked to it by ``episode_id``; a signed interview wins
  over a draft, then the earliest saved.  As in the caseload, a draft's times count.
- Every figure carries the ids of the children it counts, so a screen can show them.

Plain Python: no Qt, no store, no SQL; shared by the app, its PDFs and the central service.
``cse_desktop.services.measures.MeasuresService`` reads the local store.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..forms import FormLibrary, RiskLevel, parse_datetime, score_checklist
from ..records import Record, RecordType
from .caseload import actions_of, episode_statuses
from .periods import Period, month_ends, repeat_window_start

REPEAT_THRESHOLD = 3
DECLINED = ("declined_by_child", "declined_by_parent_carer")
ACTION_TYPES = (RecordType.RETURN_INTERVIEW, RecordType.WARNING_SIGNS, RecordType.CASE_NOTE)
NOT_ASSESSED = "not_assessed"
LEVELS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NO_APPARENT)


EPISODES = "missing episodes"
INTERVIEWS = "interviews"
CHILDREN = "children"
ACTIONS = "actions"
SINGULAR = {EPISODES: "missing episode", INTERVIEWS: "interview", CHILDREN: "child",
            ACTIONS: "action"}


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number, and the children behind it.

    ``count`` is what is counted (episodes, interviews, children, actions or choices);
    ``base`` is the denominator for a percentage (None for a plain count).  ``child_ids`` are
    the children counted; ``base_child_ids`` the children in the denominator.  ``unit`` says
    what is counted (plural: "missing episodes", "interviews", "children", "actions"), so
    that "19 of 33 missing episodes" is never read as 19 of 33 children.
    """

    key: str
    label: str
    count: int
    base: int | None = None
    child_ids: tuple[str, ...] = ()
    base_child_ids: tuple[str, ...] = ()
    unit: str = ""

    @property
    def percent(self) -> float | None:
        if self.base is None or self.base == 0:
            return None
        return 100.0 * self.count / self.base

    def units(self, number: int) -> str:
        """The unit for ``number`` of them: "1 child", "2 children"."""
        return SINGULAR.get(self.unit, self.unit) if number == 1 else self.unit

    def amount(self) -> str:
        """"7 of 9 missing episodes", "1 of 1 interview", "4 children" (no per cent)."""
        number = self.count if self.base is None else self.base
        unit = f" {self.units(number)}" if self.unit else ""
        if self.base is None:
            return f"{self.count}{unit}"
        return f"{self.count} of {self.base}{unit}"

    def text(self) -> str:
        """"7 of 9 missing episodes (77.8%)", "0 of 0 missing episodes (none in the period)"
        or "4 children"."""
        if self.base is None:
            return self.amount()
        if self.base == 0:
            return f"{self.amount()} (none in the period)"
        return f"{self.amount()} ({self.percent:.1f}%)"


@dataclass(frozen=True)
class MonthRisk:
    month: date  # first day of the month
    as_at: datetime  # checklists assessed before this moment count
    levels: tuple[Figure, ...]  # high, medium, low, no apparent risk, not assessed

    def figure(self, key: str) -> Figure:
        return next(f for f in self.levels if f.key.endswith(key))


@dataclass(frozen=True)
class Measures:
    period: Period
    today: date
    offered_in_time: Figure
    completed_in_time: Figure
    declined: Figure
    declined_by_child: Figure
    declined_by_parent: Figure
    risk_by_month: tuple[MonthRisk, ...]
    repeat_missing: Figure
    referrals: tuple[Figure, ...]
    overdue_actions: Figure
    scope: str = "All children"
    children_in_scope: int = 0

    def headline(self) -> tuple[Figure, ...]:
        return (self.offered_in_time, self.completed_in_time, self.declined,
                self.declined_by_child, self.declined_by_parent, self.repeat_missing,
                self.overdue_actions)

    def all_figures(self) -> list[Figure]:
        figures = list(self.headline())
        for month in self.risk_by_month:
            figures.extend(month.levels)
        figures.extend(self.referrals)
        return figures


def _ids(items: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(sorted({i for i in items if i}))


# -- the calculation --------------------------------------------------------------------------


@dataclass
class _Sorted:
    children: list[Record] = field(default_factory=list)
    episodes: list[Record] = field(default_factory=list)
    interviews: list[Record] = field(default_factory=list)
    checklists: list[Record] = field(default_factory=list)
    with_actions: list[Record] = field(default_factory=list)


def _sort(records: Iterable[Record], children: Collection[str] | None) -> _Sorted:
    out = _Sorted()
    for record in records:
        if record.deleted:
            continue
        if children is not None and record.child_id not in children:
            continue
        kind = record.record_type
        if kind is RecordType.CHILD:
            out.children.append(record)
        elif kind is RecordType.MISSING_EPISODE:
            out.episodes.append(record)
        elif kind is RecordType.RETURN_INTERVIEW:
            out.interviews.append(record)
        elif kind is RecordType.WARNING_SIGNS:
            out.checklists.append(record)
        if kind in ACTION_TYPES:
            out.with_actions.append(record)
    # A fixed order, so "the earliest saved interview" is the same everywhere.
    out.interviews.sort(key=lambda r: (r.created_at, r.id))
    return out


def is_missing(episode: Record) -> bool:
    """A missing episode, not an absence (whereabouts known)."""
    return episode.data.get("missing_or_absent") != "absent"


def _rhi_figures(data: _Sorted, period: Period) -> list[Figure]:
    statuses = episode_statuses([e for e in data.episodes if is_missing(e)], data.interviews,
                                period.start)
    in_period = [s for s in statuses if period.contains(s.returned_at)]
    base = len(in_period)
    base_children = _ids(s.episode.child_id for s in in_period)
    offered = [s for s in in_period if s.offered_in_time]
    completed = [s for s in in_period if s.completed_in_time]
    recorded = [s for s in in_period if s.interview is not None
                and s.interview.data.get("outcome")]
    recorded_children = _ids(s.episode.child_id for s in recorded)

    def outcome(values: tuple[str, ...]) -> list[Any]:
        return [s for s in recorded if s.interview and s.interview.data.get("outcome") in values]

    declined = outcome(DECLINED)
    by_child = outcome(("declined_by_child",))
    by_parent = outcome(("declined_by_parent_carer",))
    return [
        Figure("rhi_offered_in_time", "RHIs offered within 72 hours", len(offered), base,
               _ids(s.episode.child_id for s in offered), base_children, EPISODES),
        Figure("rhi_completed_in_time", "RHIs completed within 72 hours", len(completed), base,
               _ids(s.episode.child_id for s in completed), base_children, EPISODES),
        Figure("rhi_declined", "RHIs declined", len(declined), len(recorded),
               _ids(s.episode.child_id for s in declined), recorded_children, INTERVIEWS),
        Figure("rhi_declined_by_child", "RHIs declined by the child", len(by_child),
               len(recorded), _ids(s.episode.child_id for s in by_child), recorded_children,
               INTERVIEWS),
        Figure("rhi_declined_by_parent", "RHIs declined by a parent or carer", len(by_parent),
               len(recorded), _ids(s.episode.child_id for s in by_parent), recorded_children,
               INTERVIEWS),
    ]


def _assessed_at(record: Record, library: FormLibrary) -> datetime:
    field_id = library.get(record.form_id, record.form_version).occurred_at_field
    return parse_datetime(record.data.get(field_id or "")) or record.created_at


def _risk_by_month(data: _Sorted, period: Period, library: FormLibrary) -> list[MonthRisk]:
    scored: dict[str, list[tuple[datetime, datetime, str, RiskLevel]]] = defaultdict(list)
    for checklist in data.checklists:
        if not checklist.is_signed or not checklist.child_id:
            continue
        definition = library.get(checklist.form_id, checklist.form_version)
        level = score_checklist(definition, checklist.data).level
        scored[checklist.child_id].append(
            (_assessed_at(checklist, library), checklist.created_at, checklist.id, level))
    all_children = {c.child_id or c.id for c in data.children} | set(scored)
    months = []
    for month, as_at in month_ends(period.start, period.end):
        by_level: dict[str, list[str]] = defaultdict(list)
        for child_id in sorted(all_children):
            before = [s for s in scored.get(child_id, []) if s[0] < as_at]
            key = max(before)[3].value if before else NOT_ASSESSED
            by_level[key].append(child_id)
        figures = [Figure(f"risk_{level.value}", level.label, len(by_level[level.value]), None,
                          tuple(by_level[level.value]), unit=CHILDREN) for level in LEVELS]
        figures.append(Figure(f"risk_{NOT_ASSESSED}", "Not yet assessed",
                              len(by_level[NOT_ASSESSED]), None, tuple(by_level[NOT_ASSESSED]),
                              unit=CHILDREN))
        months.append(MonthRisk(month, as_at, tuple(figures)))
    return months


def _repeat_missing(data: _Sorted, period: Period) -> Figure:
    window = Period(repeat_window_start(period.end), period.end)
    starts: Counter[str] = Counter()
    for episode in data.episodes:
        if is_missing(episode) and episode.child_id and window.contains(
                parse_datetime(episode.data.get("went_missing_at"))):
            starts[episode.child_id] += 1
    repeat = _ids(c for c, n in starts.items() if n >= REPEAT_THRESHOLD)
    return Figure("repeat_missing", "Children missing 3 or more times in the last 90 days",
                  len(repeat), None, repeat, unit=CHILDREN)


def referral_options(library: FormLibrary) -> list[tuple[str, str]]:
    """(value, label) of every agency an RHI can refer to, in the form's order."""
    definition = library.get("return_interview")
    field_def = next(f for f in definition.fields() if f.id == "referrals")
    return [(o.value, o.label) for o in field_def.options]


def _referrals(data: _Sorted, period: Period, library: FormLibrary) -> list[Figure]:
    counted: dict[str, list[str]] = defaultdict(list)
    for interview in data.interviews:
        if not interview.is_signed:
            continue
        if not period.contains(parse_datetime(interview.data.get("returned_at"))):
            continue
        values = interview.data.get("referrals")
        if not isinstance(values, list):
            continue
        for value in {v for v in values if isinstance(v, str)}:
            counted[value].append(interview.child_id or "")
    options = referral_options(library)
    known = {value for value, _ in options}
    options += [(value, value) for value in sorted(counted) if value not in known]
    return [Figure(f"referral_{value}", label, len(counted[value]), None, _ids(counted[value]),
                   unit=INTERVIEWS) for value, label in options]


def _overdue_actions(data: _Sorted, today: date) -> Figure:
    by_record = {r.id: r.child_id for r in data.with_actions}
    overdue = [a for a in actions_of(data.with_actions) if a.is_overdue(today)]
    return Figure("overdue_actions", "Open actions overdue", len(overdue), None,
                  _ids(by_record.get(a.record_id) for a in overdue), unit=ACTIONS)


def compute_measures(records: Iterable[Record], library: FormLibrary, period: Period, *,
                     children: Collection[str] | None = None, today: date,
                     scope: str = "All children") -> Measures:
    """Every measure for ``period`` from these records (only ``children``, if given)."""
    wanted = set(children) if children is not None else None
    data = _sort(records, wanted)
    offered, completed, declined, by_child, by_parent = _rhi_figures(data, period)
    return Measures(
        period=period,
        today=today,
        offered_in_time=offered,
        completed_in_time=completed,
        declined=declined,
        declined_by_child=by_child,
        declined_by_parent=by_parent,
        risk_by_month=tuple(_risk_by_month(data, period, library)),
        repeat_missing=_repeat_missing(data, period),
        referrals=tuple(_referrals(data, period, library)),
        overdue_actions=_overdue_actions(data, today),
        scope=scope,
        children_in_scope=len(data.children),
    )


# -- CSV --------------------------------------------------------------------------------------

CSV_HEADER = ("measure", "breakdown", "period_start", "period_end", "as_at", "count",
              "denominator", "percent", "children")


def _csv_row(measures: Measures, figure: Figure, measure: str, breakdown: str,
             as_at: datetime | None, with_ids: bool) -> list[str]:
    percent = figure.percent
    row = [measure, breakdown, measures.period.start.isoformat(),
           measures.period.end.isoformat(), as_at.isoformat() if as_at else "",
           str(figure.count), "" if figure.base is None else str(figure.base),
           "" if percent is None else f"{percent:.1f}", str(len(figure.child_ids))]
    if with_ids:
        row.append(" ".join(figure.child_ids))
    return row


def to_csv(measures: Measures, *, include_child_ids: bool = False) -> str:
    """The measures as CSV for analysts: one row per figure, counts and percentages.

    Child ids are left out unless asked for (data minimisation); "children" is how many.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*CSV_HEADER, *(["child_ids"] if include_child_ids else [])])
    ids = include_child_ids
    for figure in measures.headline():
        writer.writerow(_csv_row(measures, figure, figure.label, "", None, ids))
    for month in measures.risk_by_month:
        for figure in month.levels:
            writer.writerow(_csv_row(measures, figure, "Children at each risk level",
                                     f"{month.month:%Y-%m} {figure.label}", month.as_at, ids))
    for figure in measures.referrals:
        writer.writerow(_csv_row(measures, figure, "Referrals by agency", figure.label,
                                 None, ids))
    return buffer.getvalue()


# -- JSON (the central service answers with the same shape) ----------------------------------


def figure_to_dict(figure: Figure) -> dict[str, Any]:
    percent = figure.percent
    return {"key": figure.key, "label": figure.label, "count": figure.count,
            "base": figure.base, "percent": None if percent is None else round(percent, 1),
            "child_ids": list(figure.child_ids), "base_child_ids": list(figure.base_child_ids),
            "unit": figure.unit}


def to_dict(measures: Measures) -> dict[str, Any]:
    """Plain JSON-ready data: what ``GET /api/v1/measures`` answers."""
    return {
        "period": {"start": measures.period.start.isoformat(),
                   "end": measures.period.end.isoformat(), "label": measures.period.label},
        "today": measures.today.isoformat(),
        "scope": measures.scope,
        "children_in_scope": measures.children_in_scope,
        "figures": [figure_to_dict(f) for f in measures.headline()],
        "risk_by_month": [{"month": m.month.isoformat(), "as_at": m.as_at.isoformat(),
                           "levels": [figure_to_dict(f) for f in m.levels]}
                          for m in measures.risk_by_month],
        "referrals": [figure_to_dict(f) for f in measures.referrals],
    }
