"""``GET /api/v1/measures``: the partnership's performance measures, computed in SQL.

The same figures as the desktop app (``cse_desktop.services.measures``, where every measure
is defined in words) for the same records, but counted by the database so that they scale on
PostgreSQL.  Only team leads (their own team) and administrators (any team, or the whole
partnership) may ask.  Queries are SQLAlchemy Core and run on SQLite and PostgreSQL: the only
differences, kept in :class:`_Sql`, are reading times and expanding JSON lists.

Records are stored as the client's JSON (``records.payload``); answers are read with the JSON
path operators of each database.  Times are compared as instants (SQLite: milliseconds since
1970 from ``julianday``; PostgreSQL: ``timestamptz``), so time zone offsets are honoured.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
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
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.sql.selectable import CTE

from ..forms import RHI_DEADLINE_HOURS, FormLibrary, RiskLevel, default_library
from ..forms.model import FormDefinition
from ..services import measures as m
from . import audit
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
        """The stored record as JSON (parsed once per row in the CTEs below)."""
        if self.pg:
            return cast(records.c.payload, JSON)
        return type_coerce(records.c.payload, JSON)

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
            safe = case((func.json_typeof(listed) == "array", listed),
                        else_=cast(literal("[]"), JSON))
            items = func.json_array_elements(safe).table_valued("value").render_derived()
            return items, items.c.value, func.json_typeof(items.c.value)
        json_path = "$." + ".".join(path)
        items = func.json_each(doc, json_path).table_valued("value", "type", "atom")
        return items, items.c.value, items.c.type

    def item_text(self, item: Any, key: str) -> ColumnElement[str]:
        if self.pg:
            return type_coerce(item, JSON)[key].as_string()
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
    def __init__(self, conn: Connection, where: ColumnElement[bool], period: m.Period,
                 library: FormLibrary) -> None:
        self.conn, self.period, self.library = conn, period, library
        self.sql = _Sql(conn)
        doc = self.sql.doc()
        t = self.sql.text
        self.live = (select(records.c.id, records.c.record_type, records.c.child_id,
                            records.c.state, doc.label("doc"))
                     .where(where).cte("live"))
        live = self.live
        self.doc = live.c.doc
        self.created = self.sql.moment(t(live.c.doc, "created_at"))
        self.start, self.end = self.sql.param(period.start), self.sql.param(period.end)
        self.episodes = self._episodes(live, t)
        self.interviews = self._interviews(live, t)

    def _episodes(self, live: CTE, t: Any) -> CTE:
        moment = self.sql.moment
        return (select(live.c.id, live.c.child_id,
                       moment(t(live.c.doc, "data", "went_missing_at")).label("went"),
                       moment(t(live.c.doc, "data", "returned_at")).label("returned"))
                .where(live.c.record_type == "missing_episode",
                       func.coalesce(t(live.c.doc, "data", "missing_or_absent"), "")
                       != "absent")
                .cte("episodes"))

    def _interviews(self, live: CTE, t: Any) -> CTE:
        """Each episode's interview: signed before draft, then the earliest saved."""
        moment = self.sql.moment
        rank = func.row_number().over(
            partition_by=t(live.c.doc, "data", "episode_id"),
            order_by=[case((live.c.state == "signed", 0), else_=1), self.created, live.c.id])
        ranked = (select(live.c.id, live.c.child_id, live.c.state,
                         t(live.c.doc, "data", "episode_id").label("episode_id"),
                         t(live.c.doc, "data", "outcome").label("outcome"),
                         moment(t(live.c.doc, "data", "offered_at")).label("offered"),
                         moment(t(live.c.doc, "data", "completed_at")).label("completed"),
                         rank.label("rank"))
                  .where(live.c.record_type == "return_interview")
                  .cte("ranked_interviews"))
        return select(ranked).where(ranked.c.rank == 1).cte("interviews")

    # -- return home interviews ---------------------------------------------------------------

    def rhi_figures(self) -> list[m.Figure]:
        ep, rhi = self.episodes, self.interviews
        deadline = self.sql.plus_deadline(ep.c.returned)
        offered = and_(rhi.c.offered.is_not(None), rhi.c.offered <= deadline)
        completed = and_(rhi.c.outcome == "completed", rhi.c.completed.is_not(None),
                         rhi.c.completed <= deadline)
        recorded = and_(rhi.c.id.is_not(None), func.coalesce(rhi.c.outcome, "") != "")
        flags = {
            "base": true(), "offered": offered, "completed": completed, "recorded": recorded,
            "declined": and_(recorded, rhi.c.outcome.in_(_DECLINED)),
            "by_child": and_(recorded, rhi.c.outcome == "declined_by_child"),
            "by_parent": and_(recorded, rhi.c.outcome == "declined_by_parent_carer"),
        }
        joined = ep.outerjoin(rhi, rhi.c.episode_id == ep.c.id)
        in_period = and_(ep.c.returned >= self.start, ep.c.returned < self.end)
        counts = self.conn.execute(
            select(*[func.coalesce(func.sum(case((flag, 1), else_=0)), 0).label(name)
                     for name, flag in flags.items()])
            .select_from(joined).where(in_period)).one()
        children: dict[str, list[str]] = defaultdict(list)
        per_child = (select(ep.c.child_id,
                            *[func.max(case((flag, 1), else_=0)).label(name)
                              for name, flag in flags.items()])
                     .select_from(joined).where(in_period).group_by(ep.c.child_id))
        for row in self.conn.execute(per_child).mappings():
            for name in flags:
                if row[name]:
                    children[name].append(row["child_id"])
        ids = {name: tuple(sorted(children[name])) for name in flags}
        base, recorded_n = int(counts.base), int(counts.recorded)

        def figure(key: str, label: str, name: str, of: str) -> m.Figure:
            return m.Figure(key, label, int(counts._mapping[name]),
                            base if of == "base" else recorded_n, ids[name], ids[of])

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

    def _level(self, doc: Any) -> ColumnElement[str]:
        """The checklist's risk level, scored in SQL from its form definition's weights."""
        whens = []
        for version in self.library.versions("warning_signs"):
            definition = self.library.get("warning_signs", version)
            whens.append((cast(doc["form_version"].as_string(), Integer) == version,
                          _level_expression(definition, doc, self.sql)))
        return case(*whens, else_=None)

    def risk_by_month(self) -> list[m.MonthRisk]:
        live, t, moment = self.live, self.sql.text, self.sql.moment
        assessed = func.coalesce(moment(t(live.c.doc, "data", "assessed_at")), self.created)
        checklists = (select(live.c.id, live.c.child_id, assessed.label("assessed"),
                             self.created.label("created"), self._level(live.c.doc)
                             .label("level"))
                      .where(live.c.record_type == "warning_signs", live.c.state == "signed",
                             live.c.doc["form_id"].as_string() == "warning_signs")
                      .cte("checklists"))
        population = (select(live.c.child_id).where(live.c.record_type == "child")
                      .union(select(checklists.c.child_id)).subquery("population"))
        everyone = _split(self.conn.execute(select(self.sql.ids(population.c.child_id)))
                          .scalar())
        months = []
        for month, as_at in m.month_ends(self.period.start, self.period.end):
            rank = func.row_number().over(
                partition_by=checklists.c.child_id,
                order_by=[checklists.c.assessed.desc(), checklists.c.created.desc(),
                          checklists.c.id.desc()])
            latest = (select(checklists.c.child_id, checklists.c.level, rank.label("rank"))
                      .where(checklists.c.assessed < self.sql.param(as_at))
                      .subquery("latest"))
            rows = self.conn.execute(
                select(latest.c.level, func.count().label("n"),
                       self.sql.ids(latest.c.child_id).label("ids"))
                .where(latest.c.rank == 1).group_by(latest.c.level)).all()
            by_level = {row.level: _split(row.ids) for row in rows}
            assessed_ids = {i for ids in by_level.values() for i in ids}
            figures = [m.Figure(f"risk_{level.value}", level.label,
                                len(by_level.get(level.value, ())), None,
                                by_level.get(level.value, ()))
                       for level in m.LEVELS]
            not_assessed = tuple(sorted(set(everyone) - assessed_ids))
            figures.append(m.Figure(f"risk_{m.NOT_ASSESSED}", "Not yet assessed",
                                    len(not_assessed), None, not_assessed))
            months.append(m.MonthRisk(month, as_at, tuple(figures)))
        return months

    # -- repeat missing, referrals, actions ---------------------------------------------------

    def repeat_missing(self) -> m.Figure:
        ep = self.episodes
        window = self.sql.param(m.repeat_window_start(self.period.end))
        rows = self.conn.execute(
            select(ep.c.child_id)
            .where(ep.c.went >= window, ep.c.went < self.end)
            .group_by(ep.c.child_id)
            .having(func.count() >= m.REPEAT_THRESHOLD)).scalars().all()
        ids = tuple(sorted(rows))
        return m.Figure("repeat_missing", "Children missing 3 or more times in the last 90 days",
                        len(ids), None, ids)

    def referrals(self) -> list[m.Figure]:
        live, t = self.live, self.sql.text
        returned = self.sql.moment(t(live.c.doc, "data", "returned_at"))
        items, value, kind = self.sql.elements(live.c.doc, "data", "referrals")
        chosen = (select(live.c.id, live.c.child_id,
                         self.sql.atom_text(items, value).label("agency"))
                  .select_from(live).join(items, true())
                  .where(live.c.record_type == "return_interview", live.c.state == "signed",
                         returned >= self.start, returned < self.end, self.sql.is_string(kind))
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
                         found.get(value, (0, ()))[1]) for value, label in options]

    def overdue_actions(self, today: date) -> m.Figure:
        live = self.live
        items, value, kind = self.sql.elements(live.c.doc, "data", "actions")
        due = self.sql.item_text(value, "due_date")
        done = func.coalesce(self.sql.item_text(value, "done"), "")
        overdue = (select(live.c.child_id)
                   .select_from(live).join(items, true())
                   .where(live.c.record_type.in_(_ACTION_TYPES), self.sql.is_object(kind),
                          done != "yes", self.sql.date_before(due, today))
                   .subquery("overdue"))
        row = self.conn.execute(select(func.count().label("n"),
                                       self.sql.ids(overdue.c.child_id).label("ids"))).one()
        ids = _split(row.ids)
        return m.Figure("overdue_actions", "Open actions overdue", int(row.n), None, ids)

    def children_in_scope(self) -> int:
        live = self.live
        return int(self.conn.execute(select(func.count(func.distinct(live.c.child_id)))
                                     .where(live.c.record_type == "child")).scalar() or 0)


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


def compute(engine_or_conn: Engine | Connection, caller: Caller, period: m.Period, *,
            team_id: str | None = None, today: date | None = None,
            library: FormLibrary | None = None) -> m.Measures:
    """The measures the caller may see, for the period and (optionally) one team."""
    where, scope = _scope(caller, team_id)
    library = library or default_library()
    today = today or m.local_today()

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
            return datetime.combine(date.fromisoformat(text), time(0), m.local_zone())
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(400, "invalid_period", f"{name} must be a date (YYYY-MM-DD) or a date "
                                              "and time with a time zone.") from exc
    if moment.utcoffset() is None:
        raise ApiError(400, "invalid_period", f"{name} needs a time zone, e.g. 2026-01-01T00:00"
                                              ":00+00:00, or give a date only.")
    return moment


_bearer = HTTPBearer(auto_error=False, description="The token issued at device enrolment.")


def _caller(request: Request,
            credentials: Annotated[HTTPAuthorizationCredentials | None,
                                   Depends(_bearer)]) -> Caller:
    return authenticate(request.app.state.engine,
                        credentials.credentials if credentials else None)


router = APIRouter()


@router.get("/api/v1/measures", tags=["measures"], response_model=dict)
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
    period = m.Period(first, last, f"{start} to {end}")
    with engine.begin() as conn:
        result = compute(conn, who, period, team_id=team_id, today=today)
        audit.log(conn, who, "measures", detail=f"{period.label}; {result.scope}")
    return m.to_dict(result)


def figures_by_key(data: dict[str, Any]) -> dict[str, tuple[int, int | None]]:
    """(count, base) for every figure in a ``to_dict`` answer: handy for comparisons."""
    out: dict[str, tuple[int, int | None]] = {}
    for figure in _all(data):
        out[figure["key"]] = (figure["count"], figure["base"])
    return out


def _all(data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield from data["figures"]
    for month in data["risk_by_month"]:
        for figure in month["levels"]:
            yield {**figure, "key": f"{month['month']}:{figure['key']}"}
    yield from data["referrals"]


__all__ = ["compute", "figures_by_key", "get_measures", "parse_moment", "router"]
