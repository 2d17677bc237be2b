"""Who may see what.  Applied in SQL for the pull feed and per record everywhere else.

- A practitioner sees the children assigned to them.
- A team lead sees the children assigned to anyone in their team (and their own).
- An administrator sees everything.
- A sensitive case note is seen only by its author and by team leads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, false, or_, select, true

from .identity import Caller
from .models import assignments, records, users, withdrawals


def _children_of(caller: Caller) -> Any:
    """A subquery of the child ids in the caller's caseload."""
    if caller.leads_team and caller.team_id:
        team_members = select(users.c.id).where(users.c.team_id == caller.team_id)
        return select(assignments.c.child_id).where(
            or_(assignments.c.user_id.in_(team_members), assignments.c.user_id == caller.user_id))
    return select(assignments.c.child_id).where(assignments.c.user_id == caller.user_id)


def visible_records(caller: Caller) -> ColumnElement[bool]:
    """A WHERE clause on ``records`` keeping only what the caller may see."""
    if caller.sees_everything:
        return true()
    sensitive_ok = true() if caller.leads_team else or_(
        records.c.sensitive == false(), records.c.created_by == caller.user_id)
    return and_(records.c.child_id.in_(_children_of(caller)), sensitive_ok)


def still_withdrawn(caller: Caller) -> ColumnElement[bool]:
    """A WHERE clause on ``withdrawals`` keeping the caller's own entries for children they no
    longer see (a child assigned to them again, or seen through their team, is not withdrawn)."""
    if caller.sees_everything:
        return false()
    return and_(withdrawals.c.user_id == caller.user_id,
                withdrawals.c.child_id.not_in(_children_of(caller)))


def can_see_child(conn: Connection, caller: Caller, child_id: str) -> bool:
    if caller.sees_everything:
        return True
    query = select(exists(_children_of(caller).where(assignments.c.child_id == child_id)))
    return bool(conn.execute(query).scalar())


def can_see_record(conn: Connection, caller: Caller, row: Any) -> bool:
    """``row`` is a row of ``records`` (needs child_id, sensitive, created_by)."""
    if caller.sees_everything:
        return True
    if row.sensitive and not caller.leads_team and row.created_by != caller.user_id:
        return False
    return can_see_child(conn, caller, row.child_id)
