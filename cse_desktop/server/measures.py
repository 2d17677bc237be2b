"""``GET /api/v1/measures``: the partnership's performance measures, computed in SQL.

The same figures as the desktop app (``cse_desktop.domain.measures``, where every measure
is defined in words) for the same records, but counted by the database so that they scale on
PostgreSQL.  Only team leads (their own team) and administrators (any team, or the whole
partnership) may ask.  Queries are SQLAlchemy Core and run on SQLite and PostgreSQL: the only
differences, kept in :class:`_Sql`, are reading times and expanding JSON lists.

Records are stored as the client's JSON (``records.payload``); answers are read with the JSON
path operators of each database.  Times are compared as instants (SQLite: milliseconds since
1970 from ``julianday``; PostgreSQL: ``timestamptz``), so time zone offsets are honoured.

For speed on PostgreSQL each record's JSON is parsed once (JSONB, in a materialised CTE),
episodes are paired with their interviews by grouping rather than by a join whose size the
planner cannot guess, and every month end is counted in one statement.  81,000 synthetic
records (5,000 children) take about 2.5 s; the answer is exactly the app's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.selectable import CTE

from ..domain import measures as m
from ..domain import periods
from ..forms import RHI_DEADLINE_HOURS, FormLibrary, RiskLevel, default_library
from ..forms.model import FormDefinition
from . import audit, timeutil
from .access import visible_records
from .devices import authenticate
from .errors import ApiError
from .identity import Caller
from .models import assignments, records, users

_DEADLINE = timedelta(hours=RHI_DEADLINE_HOURS)
_MS_PER_DAY = 86_400_000
_UNIX_EPOCH_JULIAN_DAY = 2440587.5
# Python's parse_datetime accepts exactly this shape (a time zone is required).
_PG_DATETIME = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
                r"(Z|[+-][0-9]{2}:[0-9]{2})$")
_GLOB_START = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]*"
_GLOB_ZONE = "*[+-][0-9][0-9]:[0-9][0-9]"
_ACTION_TYPES = [t.value for t in m.ACTION_TYPES]
_DECLINED = list(m.DECLINED)


class _Sql:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self.pg = conn.dialect.name == "postgresql"

    def doc(self) -> ColumnElement[Any]:
        """The stored record as JSON.  PostgreSQL parses it once into JSONB, so reading many
        answers of one record does not parse the text again for each."""
        if self.pg:
            return cast(records.c.payload, JSONB)
        return type_coerce(records.c.payload, JSON)

    def materialized(self, cte: CTE) -> CTE:
        """Compute a CTE once (PostgreSQL would otherwise inline it into a nested loop)."""
        return cte.prefix_with("MATERIALIZED", dialect="postgresql")

    @staticmethod
    def text(doc: Any, *path: str) -> ColumnElement[str]:
        return doc[path].as_string()

    def moment(self, value: ColumnElement[str]) -> ColumnElement[Any]:
        """An ISO 8601 text with a time zone as a comparable instant; NULL if unreadable."""
        if self.pg:
            return case((value.op("~")(_PG_DATETIME), cast(value, DateTime(timezone=True))),
                        else_=None)
        millis = cast(func.round((func.julianday(value) - _UNIX_EPOCH_JULIAN_DAY)
                                 * _MS_PER_DAY), BigInteger)
        readable = and_(value.op("GLOB")(_GLOB_START),
                        or_(value.op("GLOB")("*Z"), value.op("GLOB")(_GLOB_ZONE)))
        return case((readable, millis), else_=None)

    def param(self, moment: datetime) -> Any:
        """A Python instant in the form ``moment()`` gives."""
        if self.pg:
            return literal(moment, DateTime(timezone=True))
        utc = moment.astimezone(UTC)
        return literal(round((utc - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1000),
                       BigInteger)

    def plus_deadline(self, instant: ColumnElement[Any]) -> ColumnElement[Any]:
        if self.pg:
            return instant + literal(_DEADLINE)
        return instant + int(_DEADLINE.total_seconds() * 1000)

    def elements(self, doc: Any, *path: str) -> Any:
        """A table of the items of a JSON list (no rows when it is not a list), with columns
        ``value`` (JSON) and ``kind`` ('string', 'object', ...)."""
        if self.pg:
            listed = doc[path]
            safe = case((func.jsonb_typeof(listed) == "array", listed),
                        else_=cast(literal("[]"), JSONB))
            items = func.jsonb_array_elements(safe).table_valued("value").render_derived()
            return items, items.c.value, func.jsonb_typeof(items.c.value)
        json_path = "$." + ".".join(path)
        items = func.json_each(doc, json_path).table_valued("value", "type", "atom")
        return items, items.c.value, items.c.type

    def item_text(self, item: Any, key: str) -> ColumnElement[str]:
        if self.pg:
            return type_coerce(item, JSONB)[key].as_string()
        return func.json_extract(item, f"$.{key}")

    def atom_text(self, items: Any, value: Any) -> ColumnElement[str]:
        """A list item that is a string, as text."""
        if self.pg:
            return value.op("#>>", return_type=String)(literal_column("'{}'"))
        return items.c.atom

    def is_string(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        return kind == ("string" if self.pg else "text")

    def is_object(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        return kind == "object"

    def date_before(self, text_value: ColumnElement[str], day: date) -> ColumnElement[bool]:
        """``text_value`` starts with a YYYY-MM-DD date before ``day``."""
        head = func.substr(text_value, 1, 10)
        if self.pg:
            return and_(text_value.op("~")(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"),
                        head.collate("C") < day.isoformat())
        return and_(text_value.op("GLOB")("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"),
                    head < day.isoformat())

    @staticmethod
    def ids(column: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.aggregate_strings(column, ",")


def _split(joined: str | None) -> tuple[str, ...]:
    return tuple(sorted({i for i in (joined or "").split(",") if i}))


# -- scope ------------------------------------------------------------------------------------


def _scope(caller: Caller, team_id: str | None) -> tuple[ColumnElement[bool], str]:
    """Which records count: what the caller may see, narrowed to one team if asked."""
    if not caller.leads_team:
        raise ApiError(403, "forbidden", "Performance measures are for team leads and "
                                         "administrators.")
    where = and_(records.c.deleted == false(), visible_records(caller))
    if team_id is None:
        if caller.sees_everything:
            return where, "Whole partnership"
        team_id = caller.team_id
        if team_id is None:
            return where, "Your caseload"
    elif not caller.sees_everything and team_id != caller.team_id:
        raise ApiError(403, "forbidden", "You can see the measures of your own team only.")
    members = select(users.c.id).where(users.c.team_id == team_id)
    team_children = select(assignments.c.child_id).where(assignments.c.user_id.in_(members))
    return and_(where, records.c.child_id.in_(team_children)), f"Team {team_id}"


# -- the queries ------------------------------------------------------------------------------


class _Queries:
    """One method per measure.  Each record type is read straight from ``records`` (so the
    planner knows how many there are) into a CTE computed once, with the answers it needs
    already taken out of the JSON."""

    def __init__(self, conn: Connection, where: ColumnElement[bool], period: periods.Period,
                 library: FormLibrary) -> None:
        self.conn, self.where, self.period, self.library = conn, where, period, library
        self.sql = _Sql(conn)
        self.start, self.end = self.sql.param(period.start), self.sql.param(period.end)
        self.episodes = self._episodes()
        self.interviews = self._interviews()

    def base(self, name: str, *kinds: str, signed: bool = False) -> CTE:
        """Records of these types the caller may see (id, child_id, state, doc), each record's
        JSON parsed once: PostgreSQL would otherwise parse it again for every answer read."""
        doc = self.sql.doc()
        query = (select(records.c.id, records.c.child_id, records.c.state, doc.label("doc"))
                 .where(self.where, records.c.record_type.in_(kinds)))
        if signed:
            query = query.where(records.c.state == "signed")
        return self.sql.materialized(query.cte(name))

    def answer(self, source: Any, *path: str) -> ColumnElement[str]:
        return self.sql.text(source.c.doc, "data", *path)

    def created(self, source: Any) -> ColumnElement[Any]:
        return self.sql.moment(self.sql.text(source.c.doc, "created_at"))

    def _episodes(self) -> CTE:
        """Missing (not absent) episodes: when they went and came back."""
        raw = self.base("raw_episodes", "missing_episode")
        moment = self.sql.moment
        return self.sql.materialized(
            select(raw.c.id, raw.c.child_id,
                   moment(self.answer(raw, "went_missing_at")).label("went"),
                   moment(self.answer(raw, "returned_at")).label("returned"))
            .where(func.coalesce(self.answer(raw, "missing_or_absent"), "") != "absent")
            .cte("episodes"))

    def _interviews(self) -> CTE:
        """Each episode's interview: signed before draft, then the earliest saved."""
        raw = self.base("raw_interviews", "return_interview")
        moment = self.sql.moment
        episode_id = self.answer(raw, "episode_id")
        rank = func.row_number().over(
            partition_by=episode_id,
            order_by=[case((raw.c.state == "signed", 0), else_=1), self.created(raw), raw.c.id])
        ranked = (select(raw.c.id, raw.c.child_id, raw.c.state,
                         episode_id.label("episode_id"),
                         self.answer(raw, "outcome").label("outcome"),
                         moment(self.answer(raw, "offered_at")).label("offered"),
                         moment(self.answer(raw, "completed_at")).label("completed"),
                         rank.label("rank"))
                  .subquery("ranked_interviews"))
        return self.sql.materialized(
            select(ranked).where(ranked.c.rank == 1).cte("interviews"))

    # -- return home interviews ---------------------------------------------------------------

    def _paired(self) -> Any:
        """Each missing episode returned in the period beside its interview (if any).

        Paired by grouping on the episode id rather than by a join: the database then never
        needs to guess how many rows a JSON filter keeps (a bad guess makes a nested loop)."""
        ep, rhi = self.episodes, self.interviews
        moment_type = ep.c.returned.type

        def blank(kind: Any) -> Any:
            return cast(null(), kind)

        both = union_all(
            select(ep.c.id.label("episode_id"), ep.c.child_id, ep.c.returned,
                   blank(moment_type).label("offered"), blank(moment_type).label("completed"),
                   blank(String()).label("outcome"), literal(1).label("is_episode"),
                   literal(0).label("is_interview"))
            .where(ep.c.returned >= self.start, ep.c.returned < self.end),
            select(rhi.c.episode_id, blank(String()), blank(moment_type), rhi.c.offered,
                   rhi.c.completed, rhi.c.outcome, literal(0), literal(1)),
        ).subquery("both_sides")
        return (select(both.c.episode_id, func.max(both.c.child_id).label("child_id"),
                       func.max(both.c.returned).label("returned"),
                       func.max(both.c.offered).label("offered"),
                       func.max(both.c.completed).label("completed"),
                       func.max(both.c.outcome).label("outcome"),
                       func.max(both.c.is_interview).label("has_interview"))
                .group_by(both.c.episode_id)
                .having(func.max(both.c.is_episode) == 1)
                .subquery("paired"))

    def rhi_figures(self) -> list[m.Figure]:
        pair = self._paired()
        deadline = self.sql.plus_deadline(pair.c.returned)
        offered = and_(pair.c.offered.is_not(None), pair.c.offered <= deadline)
        completed = and_(pair.c.outcome == "completed", pair.c.completed.is_not(None),
                         pair.c.completed <= deadline)
        recorded = and_(pair.c.has_interview == 1, func.coalesce(pair.c.outcome, "") != "")
        flags = {
            "base": true(), "offered": offered, "completed": completed, "recorded": recorded,
            "declined": and_(recorded, pair.c.outcome.in_(_DECLINED)),
            "by_child": and_(recorded, pair.c.outcome == "declined_by_child"),
            "by_parent": and_(recorded, pair.c.outcome == "declined_by_parent_carer"),
        }
        counts = self.conn.execute(
            select(*[func.coalesce(func.sum(case((flag, 1), else_=0)), 0).label(name)
                     for name, flag in flags.items()])).one()
        children: dict[str, list[str]] = defaultdict(list)
        per_child = (select(pair.c.child_id,
                            *[func.max(case((flag, 1), else_=0)).label(name)
                              for name, flag in flags.items()])
                     .group_by(pair.c.child_id))
        for row in self.conn.execute(per_child).mappings():
            for name in flags:
                if row[name]:
                    children[name].append(row["child_id"])
        ids = {name: tuple(sorted(children[name])) for name in flags}
        base, recorded_n = int(counts.base), int(counts.recorded)

        def figure(key: str, label: str, name: str, of: str) -> m.Figure:
            return m.Figure(key, label, int(counts._mapping[name]),
                            base if of == "base" else recorded_n, ids[name], ids[of],
                            m.EPISODES if of == "base" else m.INTERVIEWS)

        return [
            figure("rhi_offered_in_time", "RHIs offered within 72 hours", "offered", "base"),
            figure("rhi_completed_in_time", "RHIs completed within 72 hours", "completed",
                   "base"),
            figure("rhi_declined", "RHIs declined", "declined", "recorded"),
            figure("rhi_declined_by_child", "RHIs declined by the child", "by_child",
                   "recorded"),
            figure("rhi_declined_by_parent", "RHIs declined by a parent or carer",
                   "by_parent", "recorded"),
        ]

    # -- risk levels --------------------------------------------------------------------------

    def _level(self, raw: Any) -> ColumnElement[str]:
        """The checklist's risk level, scored in SQL from its form definition's weights."""
        whens = []
        version = cast(raw.c.doc["form_version"].as_string(), Integer)
        for number in self.library.versions("warning_signs"):
            definition = self.library.get("warning_signs", number)
            whens.append((version == number, _level_expression(definition, raw.c.doc,
                                                               self.sql)))
        return case(*whens, else_=None)

    def risk_by_month(self) -> list[m.MonthRisk]:
        """Every month end in one statement: each checklist is scored once."""
        ends = periods.month_ends(self.period.start, self.period.end)
        if not ends:
            return []
        raw = self.base("raw_checklists", "warning_signs", signed=True)
        assessed = func.coalesce(self.sql.moment(self.answer(raw, "assessed_at")),
                                 self.created(raw))
        checklists = self.sql.materialized(
            select(raw.c.id, raw.c.child_id, assessed.label("assessed"),
                   self.created(raw).label("created"), self._level(raw).label("level"))
            .cte("checklists"))
        month_ends = union_all(*[
            select(literal(index).label("month"), self.sql.param(as_at).label("as_at"))
            for index, (_month, as_at) in enumerate(ends)]).subquery("month_ends")
        rank = func.row_number().over(
            partition_by=[month_ends.c.month, checklists.c.child_id],
            order_by=[checklists.c.assessed.desc(), checklists.c.created.desc(),
                      checklists.c.id.desc()])
        latest = (select(month_ends.c.month, checklists.c.child_id, checklists.c.level,
                         rank.label("rank"))
                  .select_from(month_ends)
                  .join(checklists, checklists.c.assessed < month_ends.c.as_at)
                  .subquery("latest"))
        rows = self.conn.execute(
            select(latest.c.month, latest.c.level,
                   self.sql.ids(latest.c.child_id).label("ids"))
            .where(latest.c.rank == 1).group_by(latest.c.month, latest.c.level)).all()
        found: dict[int, dict[str, tuple[str, ...]]] = defaultdict(dict)
        for row in rows:
            found[int(row.month)][row.level] = _split(row.ids)
        # Everyone who could be counted: the children here, and anyone with a signed checklist.
        everyone = set(self.conn.execute(
            select(records.c.child_id).distinct()
            .where(self.where, or_(records.c.record_type == "child",
                                   and_(records.c.record_type == "warning_signs",
                                        records.c.state == "signed")))).scalars().all())
        months = []
        for index, (month, as_at) in enumerate(ends):
            by_level = found[index]
            assessed_ids = {i for ids in by_level.values() for i in ids}
            figures = [m.Figure(f"risk_{level.value}", level.label,
                                len(by_level.get(level.value, ())), None,
                                by_level.get(level.value, ()), unit=m.CHILDREN)
                       for level in m.LEVELS]
            not_assessed = tuple(sorted(everyone - assessed_ids))
            figures.append(m.Figure(f"risk_{m.NOT_ASSESSED}", "Not yet assessed",
                                    len(not_assessed), None, not_assessed, unit=m.CHILDREN))
            months.append(m.MonthRisk(month, as_at, tuple(figures)))
        return months

    # -- repeat missing, referrals, actions ---------------------------------------------------

    def repeat_missing(self) -> m.Figure:
        ep = self.episodes
        window = self.sql.param(periods.repeat_window_start(self.period.end))
        rows = self.conn.execute(
            select(ep.c.child_id)
            .where(ep.c.went >= window, ep.c.went < self.end)
            .group_by(ep.c.child_id)
            .having(func.count() >= m.REPEAT_THRESHOLD)).scalars().all()
        ids = tuple(sorted(rows))
        return m.Figure("repeat_missing", "Children missing 3 or more times in the last 90 days",
                        len(ids), None, ids, unit=m.CHILDREN)

    def referrals(self) -> list[m.Figure]:
        raw = self.base("signed_interviews", "return_interview", signed=True)
        returned = self.sql.moment(self.answer(raw, "returned_at"))
        items, value, kind = self.sql.elements(raw.c.doc, "data", "referrals")
        chosen = (select(raw.c.id, raw.c.child_id,
                         self.sql.atom_text(items, value).label("agency"))
                  .select_from(raw).join(items, true())
                  .where(returned >= self.start, returned < self.end, self.sql.is_string(kind))
                  .distinct().subquery("chosen"))
        rows = self.conn.execute(
            select(chosen.c.agency, func.count().label("n"),
                   self.sql.ids(chosen.c.child_id).label("ids"))
            .group_by(chosen.c.agency)).all()
        found = {row.agency: (int(row.n), _split(row.ids)) for row in rows}
        options = m.referral_options(self.library)
        known = {value for value, _ in options}
        options += [(value, value) for value in sorted(found) if value not in known]
        return [m.Figure(f"referral_{value}", label, found.get(value, (0, ()))[0], None,
                         found.get(value, (0, ()))[1], unit=m.INTERVIEWS)
                for value, label in options]

    def overdue_actions(self, today: date) -> m.Figure:
        raw = self.base("with_actions", *_ACTION_TYPES)
        items, value, kind = self.sql.elements(raw.c.doc, "data", "actions")
        due = self.sql.item_text(value, "due_date")
        done = func.coalesce(self.sql.item_text(value, "done"), "")
        overdue = (select(raw.c.child_id)
                   .select_from(raw).join(items, true())
                   .where(self.sql.is_object(kind), done != "yes",
                          self.sql.date_before(due, today))
                   .subquery("overdue"))
        row = self.conn.execute(select(func.count().label("n"),
                                       self.sql.ids(overdue.c.child_id).label("ids"))).one()
        ids = _split(row.ids)
        return m.Figure("overdue_actions", "Open actions overdue", int(row.n), None, ids,
                        unit=m.ACTIONS)

    def children_in_scope(self) -> int:
        return int(self.conn.execute(
            select(func.count(func.distinct(records.c.child_id)))
            .where(self.where, records.c.record_type == "child")).scalar() or 0)


def _level_expression(definition: FormDefinition, doc: Any, sql: _Sql) -> ColumnElement[str]:
    """The SQL twin of ``score_checklist`` for one checklist version: the sum of the weights
    of the indicators answered yes, the thresholds, and the override indicators."""
    scoring = definition.scoring
    if scoring is None:
        raise ValueError(f"{definition.key} has no scoring rule")
    score: ColumnElement[Any] = literal(0)
    overrides: list[ColumnElement[bool]] = []
    for field in definition.indicator_fields():
        if field.show_if is not None:
            raise ValueError(f"{definition.key}: conditional indicators cannot be scored in SQL")
        yes = sql.text(doc, "data", field.id, "answer") == "yes"
        if field.override:
            overrides.append(yes)
        if field.weight:
            score = score + case((yes, field.weight), else_=0)
    any_override = or_(*overrides) if overrides else false()
    whens = []
    for threshold in sorted(scoring.thresholds, key=lambda th: th.min_score, reverse=True):
        level = threshold.level
        raised = RiskLevel.highest(level, scoring.override_level) \
            if scoring.override_level is not None else level
        whens.append((score >= threshold.min_score,
                      case((any_override, raised.value), else_=level.value)))
    lowest = min(scoring.thresholds, key=lambda th: th.min_score).level
    lowest_raised = RiskLevel.highest(lowest, scoring.override_level) \
        if scoring.override_level is not None else lowest
    return case(*whens, else_=case((any_override, lowest_raised.value), else_=lowest.value))


def compute(engine_or_conn: Engine | Connection, caller: Caller, period: periods.Period, *,
            team_id: str | None = None, today: date | None = None,
            library: FormLibrary | None = None) -> m.Measures:
    """The measures the caller may see, for the period and (optionally) one team."""
    where, scope = _scope(caller, team_id)
    library = library or default_library()
    today = today or timeutil.today()

    def run(conn: Connection) -> m.Measures:
        q = _Queries(conn, where, period, library)
        offered, completed, declined, by_child, by_parent = q.rhi_figures()
        return m.Measures(
            period=period, today=today, offered_in_time=offered, completed_in_time=completed,
            declined=declined, declined_by_child=by_child, declined_by_parent=by_parent,
            risk_by_month=tuple(q.risk_by_month()), repeat_missing=q.repeat_missing(),
            referrals=tuple(q.referrals()), overdue_actions=q.overdue_actions(today),
            scope=scope, children_in_scope=q.children_in_scope())

    if isinstance(engine_or_conn, Connection):
        return run(engine_or_conn)
    with engine_or_conn.connect() as conn:
        return run(conn)


# -- the endpoint -----------------------------------------------------------------------------


def parse_moment(text: str, name: str) -> datetime:
    """A date (midnight in England) or a date and time with a time zone."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), periods.local_zone())
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(400, "invalid_period", f"{name} must be a date (YYYY-MM-DD) or a date "
                                              "and time with a time zone.") from exc
    if moment.utcoffset() is None:
        raise ApiError(400, "invalid_period", f"{name} needs a time zone, e.g. 2026-01-01T00:00"
                                              ":00+00:00, or give a date only.")
    return moment


class FigureOut(BaseModel):
    key: str = Field(description="Stable name, e.g. rhi_offered_in_time, risk_high, "
                                 "referral_mash.")
    label: str
    count: int = Field(description="What is counted: episodes, interviews, children, "
                                   "actions or referrals.")
    base: int | None = Field(description="The denominator of a percentage (null for counts).")
    percent: float | None = Field(description="count / base as a percentage, one decimal.")
    child_ids: list[str] = Field(description="The children counted.")
    base_child_ids: list[str] = Field(description="The children in the denominator.")
    unit: str = Field(description="What count and base count, plural: \"missing episodes\", "
                                  "\"interviews\", \"children\" or \"actions\".")


class PeriodOut(BaseModel):
    start: str
    end: str = Field(description="Not included.")
    label: str


class MonthRiskOut(BaseModel):
    month: str = Field(description="First day of the month.")
    as_at: str = Field(description="Checklists assessed before this moment count.")
    levels: list[FigureOut]


class MeasuresOut(BaseModel):
    period: PeriodOut
    today: str = Field(description="Actions due before this day are overdue.")
    scope: str
    children_in_scope: int
    figures: list[FigureOut] = Field(description="RHIs offered and completed within 72 "
                                                 "hours, declined (all, by the child, by a "
                                                 "parent or carer), repeat missing, overdue "
                                                 "actions.")
    risk_by_month: list[MonthRiskOut]
    referrals: list[FigureOut]


_bearer = HTTPBearer(auto_error=False, description="The token issued at device enrolment.")


def _caller(request: Request,
            credentials: Annotated[HTTPAuthorizationCredentials | None,
                                   Depends(_bearer)]) -> Caller:
    client = request.client
    return authenticate(request.app.state.engine,
                        credentials.credentials if credentials else None,
                        getattr(request.app.state, "guards", None),
                        str(client[0]) if client else "")


router = APIRouter()


@router.get("/api/v1/measures", tags=["measures"], response_model=MeasuresOut,
            responses={400: {"description": "The period cannot be used."},
                       401: {"description": "Not enrolled, or the device was revoked."},
                       403: {"description": "Not a team lead or administrator, or another "
                                            "team than the caller's."}})
def get_measures(
        request: Request,
        who: Annotated[Caller, Depends(_caller)],
        start: Annotated[str, Query(max_length=40, description="First day (YYYY-MM-DD, "
                                    "midnight in England) or an ISO date and time.")],
        end: Annotated[str, Query(max_length=40, description="The day after the last one "
                                  "(not included), same forms as start.")],
        team_id: Annotated[str | None, Query(max_length=100)] = None,
        today: Annotated[date | None, Query(description="For overdue actions (default: "
                                                        "today in England).")] = None,
) -> dict[str, Any]:
    """Performance measures for ``[start, end)``: RHIs offered and completed within 72 hours,
    declined, children at each risk level at each month end, repeat missing, referrals by
    agency and overdue actions, each with the ids of the children it counts.  Team leads see
    their own team; administrators any team (``team_id``) or the whole partnership.  403 for
    anyone else."""
    first, last = parse_moment(start, "start"), parse_moment(end, "end")
    if last <= first:
        raise ApiError(400, "invalid_period", "The period must end after it starts.")
    if last - first > timedelta(days=3 * 366):
        raise ApiError(400, "invalid_period", "Ask for three years or less at a time.")
    engine: Engine = request.app.state.engine
    period = periods.Period(first, last, f"{start} to {end}")
    try:
        with engine.begin() as conn:
            result = compute(conn, who, period, team_id=team_id, today=today)
            audit.log(conn, who, "measures", detail=f"{period.label}; {result.scope}")
    except ApiError as refusal:
        audit.log_refusal(engine, who, "measures_refused",
                          detail=f"{refusal.code}: {period.label}; team {team_id or '-'}")
        raise
    return m.to_dict(result)


__all__ = ["compute", "get_measures", "parse_moment", "router"]
