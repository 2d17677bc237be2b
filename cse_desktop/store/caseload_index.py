"""The caseload read model: one row per child, kept in the store with the records.

Opening, filtering, sorting and searching the caseload reads only this table (and the search
index), so it costs what is shown rather than every record held.  Every write of a record
refreshes its child's row in the same transaction (``refresh``); purges do too.  Everything
that depends on the time of day (an interview due or already overdue) is worked out when the
table is read: the row keeps the earliest deadline still open, never the state.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..forms.deadlines import rhi_deadline
from ..forms.values import parse_datetime
from ..records import Record, RecordState, RecordType, child_display_name, to_iso
from .connection import Connection

# The schema migration that adds the table; stores migrated past it are filled at unlock.
SCHEMA = """
    -- One row per child: the caseload list reads only this (see store/caseload_index.py).
    CREATE TABLE caseload_index (
        child_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        date_of_birth TEXT,
        local_reference TEXT NOT NULL DEFAULT '',
        risk_level TEXT,
        risk_assessed_at TEXT,
        rhi_deadline TEXT,
        has_draft INTEGER NOT NULL DEFAULT 0,
        episodes INTEGER NOT NULL DEFAULT 0,
        last_activity TEXT
    );
    CREATE INDEX caseload_by_name ON caseload_index (name_key, child_id);
    CREATE INDEX caseload_by_deadline ON caseload_index (rhi_deadline);
    -- Whose each live record is, by rowid: a search finds rowids in records_fts and maps
    -- them to children here, without reading the (large) records rows.  Kept by triggers.
    CREATE TABLE search_owner (rowid INTEGER PRIMARY KEY, child_id TEXT NOT NULL);
    INSERT INTO search_owner (rowid, child_id)
        SELECT rowid, child_id FROM records WHERE deleted = 0 AND child_id IS NOT NULL;
    CREATE TRIGGER search_owner_insert AFTER INSERT ON records
        WHEN NEW.deleted = 0 AND NEW.child_id IS NOT NULL
        BEGIN INSERT OR REPLACE INTO search_owner (rowid, child_id)
              VALUES (NEW.rowid, NEW.child_id); END;
    CREATE TRIGGER search_owner_update AFTER UPDATE OF child_id, deleted ON records
        BEGIN DELETE FROM search_owner WHERE rowid = OLD.rowid;
              INSERT INTO search_owner (rowid, child_id) SELECT NEW.rowid, NEW.child_id
              WHERE NEW.deleted = 0 AND NEW.child_id IS NOT NULL; END;
    CREATE TRIGGER search_owner_delete AFTER DELETE ON records
        BEGIN DELETE FROM search_owner WHERE rowid = OLD.rowid; END;
"""

# Records whose unsigned drafts count as "a draft to finish" on the child's row.
_DRAFT_TYPES = (RecordType.WARNING_SIGNS.value, RecordType.RETURN_INTERVIEW.value,
                RecordType.CASE_NOTE.value, RecordType.ADDENDUM.value)

_COLUMNS = ("child_id, name, date_of_birth, local_reference, risk_level, risk_assessed_at, "
            "rhi_deadline, has_draft, episodes, last_activity")


def moment_key(moment: datetime) -> str:
    """A UTC time written so that text order is time order (the deadline column and ``now``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


@dataclass(frozen=True)
class IndexRow:
    """One child's row as stored (text values; the services turn them into a ChildRow)."""

    child_id: str
    name: str
    date_of_birth: str | None
    local_reference: str
    risk_level: str | None
    risk_assessed_at: str | None
    rhi_deadline: str | None
    has_draft: bool
    episodes: int
    last_activity: str | None


@dataclass(frozen=True)
class CaseloadQuery:
    """Which children to list: the search text and filters of the caseload screen."""

    text: str = ""  # an FTS5 query (already made safe), '' for everyone
    risk_levels: frozenset[str] | None = None
    rhi_due_or_overdue: bool = False
    has_draft: bool = False


@dataclass(frozen=True)
class CaseloadCounts:
    """How many children match, and how many of them need something."""

    children: int = 0
    overdue: int = 0
    due: int = 0
    drafts: int = 0


@dataclass
class CaseloadPage:
    rows: list[IndexRow] = field(default_factory=list)
    counts: CaseloadCounts = field(default_factory=CaseloadCounts)


# -- keeping it up to date -------------------------------------------------------------------


def owner_of(conn: Connection, record_id: str) -> str | None:
    """The child a stored record belongs to now (before it is rewritten), if any."""
    row = conn.execute("SELECT child_id, record_type FROM records WHERE id = ?",
                       (record_id,)).fetchone()
    if row is None:
        return None
    return record_id if row[1] == RecordType.CHILD.value else row[0]


def children_of(record: Record) -> set[str]:
    """The caseload rows a write of ``record`` can change."""
    ids = {record.child_id} if record.child_id else set()
    if record.record_type is RecordType.CHILD:
        ids.add(record.id)
    return ids


# Children whose rows wait to be recomputed at the end of a deferred unit of work, by
# connection (see ``deferred``).  The store serialises use of each connection.
_pending: dict[int, set[str]] = {}


@contextmanager
def deferred(conn: Connection) -> Iterator[None]:
    """Within this block, ``refresh`` only notes which children changed; their rows are
    recomputed once each when the block ends without an error (still inside the caller's
    transaction).  For bulk writes: a sync batch or an import touches a child many times."""
    if id(conn) in _pending:
        yield  # already deferred by an outer block
        return
    pending = _pending[id(conn)] = set()
    try:
        yield
    finally:
        del _pending[id(conn)]
    refresh(conn, pending)


def refresh(conn: Connection, child_ids: Iterable[str | None]) -> None:
    """Recompute the rows of these children from their records (inside the caller's
    transaction).  A child that is gone or deleted loses its row."""
    wanted = {c for c in child_ids if c}
    pending = _pending.get(id(conn))
    if pending is not None:
        pending.update(wanted)
        return
    for child_id in wanted:
        row = _compute(conn, child_id)
        if row is None:
            conn.execute("DELETE FROM caseload_index WHERE child_id = ?", (child_id,))
            continue
        conn.execute(
            f"INSERT OR REPLACE INTO caseload_index ({_COLUMNS}, name_key) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (row.child_id, row.name, row.date_of_birth, row.local_reference, row.risk_level,
             row.risk_assessed_at, row.rhi_deadline, int(row.has_draft), row.episodes,
             row.last_activity, row.name.casefold()))


def rebuild(conn: Connection) -> int:
    """Recompute every row (after a migration or a reindex)."""
    conn.execute("DELETE FROM caseload_index")
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM records WHERE record_type = ? AND deleted = 0",
        (RecordType.CHILD.value,))]
    refresh(conn, ids)
    return len(ids)


def _compute(conn: Connection, child_id: str) -> IndexRow | None:
    child = conn.execute(
        "SELECT data, updated_at FROM records WHERE id = ? AND record_type = ? AND deleted = 0",
        (child_id, RecordType.CHILD.value)).fetchone()
    if child is None:
        return None
    data = json.loads(child[0])
    risk = conn.execute(
        "SELECT occurred_at, risk_level FROM records WHERE child_id = ? AND record_type = ?"
        " AND deleted = 0 AND state = ? AND risk_level IS NOT NULL AND risk_level != ''"
        " ORDER BY coalesce(occurred_at, '') DESC, rowid ASC LIMIT 1",
        (child_id, RecordType.WARNING_SIGNS.value, RecordState.SIGNED.value)).fetchone()
    has_draft = conn.execute(
        "SELECT 1 FROM records WHERE child_id = ? AND deleted = 0 AND state = ?"
        f" AND record_type IN ({','.join('?' * len(_DRAFT_TYPES))}) LIMIT 1",
        (child_id, RecordState.DRAFT.value, *_DRAFT_TYPES)).fetchone() is not None
    episodes = conn.execute(
        "SELECT id, data, updated_at FROM records WHERE child_id = ? AND record_type = ?"
        " AND deleted = 0", (child_id, RecordType.MISSING_EPISODE.value)).fetchall()
    last = max([_moment(child[1]), *(_moment(e[2]) for e in episodes)])
    deadline = _open_deadline(conn, child_id, episodes) if episodes else None
    dob = data.get("date_of_birth")
    return IndexRow(
        child_id=child_id,
        name=child_display_name(data),
        date_of_birth=dob if isinstance(dob, str) else None,
        local_reference=str(data.get("local_reference") or ""),
        risk_level=risk[1] if risk else None,
        risk_assessed_at=risk[0] if risk else None,
        rhi_deadline=moment_key(deadline) if deadline else None,
        has_draft=has_draft,
        episodes=len(episodes),
        last_activity=to_iso(last),
    )


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _open_deadline(conn: Connection, child_id: str,
                   episodes: list[tuple[str, str, str]]) -> datetime | None:
    """The earliest 72-hour deadline of the child's episodes with no interview offered yet."""
    # The interview that speaks for an episode: the newest signed one, else the newest
    # (the same choice as the child's overview).
    chosen: dict[str, tuple[bool, Any]] = {}
    for state, raw in conn.execute(
            "SELECT state, data FROM records WHERE child_id = ? AND record_type = ?"
            " AND deleted = 0 ORDER BY coalesce(occurred_at, created_at) DESC, created_at DESC",
            (child_id, RecordType.RETURN_INTERVIEW.value)):
        answers = json.loads(raw)
        episode_id = answers.get("episode_id")
        if not isinstance(episode_id, str):
            continue
        signed = state == RecordState.SIGNED.value
        known = chosen.get(episode_id)
        if known is None or (signed and not known[0]):
            chosen[episode_id] = (signed, answers.get("offered_at"))
    earliest: datetime | None = None
    for episode_id, raw, _updated in episodes:
        answers = json.loads(raw)
        if answers.get("missing_or_absent") == "absent":
            continue  # an absence starts no 72-hour clock
        returned = parse_datetime(answers.get("returned_at"))
        if returned is None:
            continue
        try:
            deadline = rhi_deadline(returned)
        except OverflowError:
            continue
        interview = chosen.get(episode_id)
        if interview is not None and parse_datetime(interview[1]) is not None:
            continue  # offered: nothing outstanding
        if earliest is None or deadline < earliest:
            earliest = deadline
    return earliest


# -- reading it ------------------------------------------------------------------------------


def _where(query: CaseloadQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.text:
        clauses.append(
            "child_id IN (SELECT o.child_id FROM records_fts JOIN search_owner o"
            " ON o.rowid = records_fts.rowid WHERE records_fts MATCH ?)")
        params.append(query.text)
    if query.risk_levels is not None:
        levels = sorted(query.risk_levels)
        clauses.append(f"risk_level IN ({','.join('?' * len(levels))})" if levels else "0")
        params.extend(levels)
    if query.rhi_due_or_overdue:
        clauses.append("rhi_deadline IS NOT NULL")
    if query.has_draft:
        clauses.append("has_draft = 1")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def counts(conn: Connection, query: CaseloadQuery, now: datetime) -> CaseloadCounts:
    """How many children match, and how many have an interview overdue / due, or a draft."""
    where, params = _where(query)
    row = conn.execute(
        "SELECT count(*), coalesce(sum(rhi_deadline < ?), 0), coalesce(sum(rhi_deadline >= ?), 0),"
        f" coalesce(sum(has_draft), 0) FROM caseload_index{where}",
        (moment_key(now), moment_key(now), *params)).fetchone()
    return CaseloadCounts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def page(conn: Connection, query: CaseloadQuery, now: datetime, *, offset: int = 0,
         limit: int | None = None, order: str = "name", descending: bool = False
         ) -> CaseloadPage:
    """The matching children in ``order`` (see ORDERS; name order breaks ties), one page of
    them with ``offset``/``limit``, and the counts for all that match, in one query."""
    where, params = _where(query)
    direction = "DESC" if descending else "ASC"
    keys = ", ".join(f"{key} {direction}" for key in ORDERS[order])
    if not query.text:
        # No search: the page comes straight off an index and the counts from one pass over
        # the small table; cheaper than counting alongside.
        sql = f"SELECT {_COLUMNS} FROM caseload_index{where} ORDER BY {keys}, name_key, child_id"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, int(limit), max(0, int(offset))]
        rows = [IndexRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9])
                for r in conn.execute(sql, params)]
        return CaseloadPage(rows, counts(conn, query, now))
    # A search: its matches are found once, and counted alongside the page.
    stamp = moment_key(now)
    sql = (f"SELECT {_COLUMNS}, count(*) OVER (), coalesce(sum(rhi_deadline < ?) OVER (), 0),"
           " coalesce(sum(rhi_deadline >= ?) OVER (), 0), coalesce(sum(has_draft) OVER (), 0)"
           f" FROM caseload_index{where} ORDER BY {keys}, name_key, child_id")
    params = [stamp, stamp, *params]
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = [*params, int(limit), max(0, int(offset))]
    found = conn.execute(sql, params).fetchall()
    rows = [IndexRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9])
            for r in found]
    if found:
        first = found[0]
        return CaseloadPage(rows, CaseloadCounts(int(first[10]), int(first[11]),
                                                 int(first[12]), int(first[13])))
    if offset > 0 or limit == 0:
        return CaseloadPage(rows, counts(conn, query, now))  # past the end: count anyway
    return CaseloadPage(rows, CaseloadCounts())


# Sort orders the caseload screen offers, as SQL sort keys (ascending); the Python sort keys
# in ui/caseload_view.py give the same order when every row is loaded.
ORDERS: dict[str, tuple[str, ...]] = {
    "name": ("name_key",),
    "age": ("date_of_birth IS NOT NULL", "date_of_birth DESC"),
    "reference": ("lower(local_reference)",),
    "risk": ("CASE risk_level WHEN 'no_apparent' THEN 0 WHEN 'low' THEN 1 WHEN 'medium'"
             " THEN 2 WHEN 'high' THEN 3 ELSE -1 END",),
    "rhi": ("rhi_deadline IS NULL", "rhi_deadline"),
    "drafts": ("has_draft",),
    "last_activity": ("last_activity",),
}
