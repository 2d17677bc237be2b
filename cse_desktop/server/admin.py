"""Administration: teams, users, caseloads, enrolment codes, devices.  Used by the CLI and by
the demo script; every action is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from ..records import Role
from . import audit
from .access import can_see_child
from .config import MAX_ENROLMENT_CODE_HOURS
from .db import lock_feed
from .feed import next_seq, restamp_child
from .identity import Caller
from .models import assignments, devices, enrolment_codes, teams, users, withdrawals
from .timeutil import aware, now
from .tokens import hash_secret, new_enrolment_code


class AdminError(Exception):
    """Something the administrator can fix; the message says what."""


@dataclass(frozen=True)
class DeviceRow:
    device_id: str
    user: str
    name: str
    enrolled_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


def _user_id(engine: Engine, username_or_id: str) -> str:
    with engine.connect() as conn:
        found = conn.execute(select(users.c.id).where(
            (users.c.username == username_or_id) | (users.c.id == username_or_id))).scalar()
    if found is None:
        raise AdminError(f"There is no user called {username_or_id!r}.")
    return str(found)


def create_team(engine: Engine, name: str) -> str:
    team_id = str(uuid.uuid4())
    with engine.begin() as conn:
        if conn.execute(select(teams.c.id).where(teams.c.name == name)).first():
            raise AdminError(f"A team called {name!r} already exists.")
        conn.execute(insert(teams).values(id=team_id, name=name, created_at=now()))
        audit.log(conn, None, "admin_create_team", detail=name)
    return team_id


def team_id_by_name(engine: Engine, name: str) -> str:
    with engine.connect() as conn:
        found = conn.execute(select(teams.c.id).where(
            (teams.c.name == name) | (teams.c.id == name))).scalar()
    if found is None:
        raise AdminError(f"There is no team called {name!r}.")
    return str(found)


def create_user(engine: Engine, username: str, name: str, role: Role | str,
                team: str | None = None) -> str:
    role = Role(role)
    team_id = team_id_by_name(engine, team) if team else None
    user_id = str(uuid.uuid4())
    with engine.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == username)).first():
            raise AdminError(f"The username {username!r} is taken.")
        conn.execute(insert(users).values(id=user_id, username=username, name=name,
                                          role=role.value, team_id=team_id, active=True,
                                          created_at=now()))
        audit.log(conn, None, "admin_create_user", user_id=user_id,
                  detail=f"{username} ({role.value})")
    return user_id


def assign(engine: Engine, username: str, child_id: str) -> None:
    """Add a child to a practitioner's caseload (their devices then pull its records)."""
    user_id = _user_id(engine, username)
    with engine.begin() as conn:
        lock_feed(conn)
        already = conn.execute(select(assignments.c.user_id).where(
            assignments.c.user_id == user_id, assignments.c.child_id == child_id)).first()
        if already:
            return
        conn.execute(insert(assignments).values(user_id=user_id, child_id=child_id,
                                                assigned_at=now()))
        restamp_child(conn, child_id)
        audit.log(conn, None, "admin_assign", user_id=user_id, child_id=child_id)


def unassign(engine: Engine, username: str, child_id: str) -> bool:
    """Take a child out of a practitioner's caseload.  Everyone who can no longer see the child
    because of it (the user, and team leads who saw it only through them) gets a "withdrawn"
    feed entry, so their devices remove the child and its records at their next sync.  False
    when the child was not in the caseload (nothing is changed)."""
    user_id = _user_id(engine, username)
    with engine.begin() as conn:
        lock_feed(conn)
        removed = conn.execute(delete(assignments).where(
            assignments.c.user_id == user_id, assignments.c.child_id == child_id)).rowcount
        if not removed:
            return False
        user = conn.execute(select(users).where(users.c.id == user_id)).one()
        affected = [user]
        if user.team_id:
            affected += conn.execute(select(users).where(
                users.c.team_id == user.team_id, users.c.id != user_id,
                users.c.role == Role.TEAM_LEAD.value)).all()
        at = now()
        for person in affected:
            caller = Caller(person.id, person.name, Role(person.role), person.team_id, "", "")
            if can_see_child(conn, caller, child_id):
                continue  # still theirs (another assignment, or through their team)
            conn.execute(insert(withdrawals).values(
                seq=next_seq(conn, child_id), user_id=person.id, child_id=child_id,
                withdrawn_at=at))
            audit.log(conn, None, "admin_withdraw", user_id=person.id, child_id=child_id,
                      detail="child withdrawn from this user's devices")
        audit.log(conn, None, "admin_unassign", user_id=user_id, child_id=child_id)
    return True


def create_enrolment_code(engine: Engine, username: str, hours: int = 72) -> str:
    """A one-time code, shown once; only its hash is kept.  Valid for at most 7 days."""
    if not 1 <= hours <= MAX_ENROLMENT_CODE_HOURS:
        raise AdminError(f"An enrolment code can be valid for 1 to {MAX_ENROLMENT_CODE_HOURS} "
                         f"hours (7 days), not {hours}.")
    user_id = _user_id(engine, username)
    with engine.connect() as conn:
        active = conn.execute(select(users.c.active).where(users.c.id == user_id)).scalar()
    if not active:
        raise AdminError(f"{username!r} has been deactivated: no enrolment code can be made.")
    code = new_enrolment_code()
    with engine.begin() as conn:
        conn.execute(insert(enrolment_codes).values(
            code_hash=hash_secret(code), user_id=user_id, created_at=now(),
            expires_at=now() + timedelta(hours=hours)))
        audit.log(conn, None, "admin_enrolment_code", user_id=user_id)
    return code


def revoke_device(engine: Engine, device_id: str, reason: str = "") -> None:
    with engine.begin() as conn:
        found = conn.execute(select(devices.c.id, devices.c.user_id).where(
            devices.c.id == device_id)).first()
        if found is None:
            raise AdminError(f"There is no device {device_id!r}. See `cse-server admin "
                             "list-devices`.")
        conn.execute(update(devices).where(devices.c.id == device_id)
                     .values(revoked_at=now(), revoked_reason=reason or None))
        audit.log(conn, None, "admin_revoke_device", user_id=found.user_id,
                  detail=f"device {device_id}: {reason}")


def list_devices(engine: Engine, username: str | None = None) -> list[DeviceRow]:
    query = (select(devices, users.c.username).join(users, users.c.id == devices.c.user_id)
             .order_by(devices.c.enrolled_at))
    if username:
        query = query.where(users.c.id == _user_id(engine, username))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [DeviceRow(r.id, r.username, r.name, aware(r.enrolled_at),  # type: ignore[arg-type]
                      aware(r.last_seen_at), aware(r.revoked_at)) for r in rows]


def deactivate_user(engine: Engine, username: str, reason: str = "") -> int:
    """Close a user's account: they can no longer enrol or use the service, and every device
    of theirs is revoked (wiped at its next sync).  Returns how many devices were revoked."""
    user_id = _user_id(engine, username)
    at = now()
    why = reason or "account closed by an administrator"
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(active=False))
        revoked = conn.execute(update(devices).where(
            devices.c.user_id == user_id, devices.c.revoked_at.is_(None))
            .values(revoked_at=at, revoked_reason=why)).rowcount
        conn.execute(update(enrolment_codes).where(
            enrolment_codes.c.user_id == user_id, enrolment_codes.c.used_at.is_(None))
            .values(used_at=at))
        audit.log(conn, None, "admin_deactivate_user", user_id=user_id,
                  detail=f"{revoked} device(s) revoked: {why}")
    return int(revoked or 0)


def remove_user(engine: Engine, username: str, reassign_to: str | None = None,
                reason: str = "") -> list[str]:
    """Deactivate a user and empty their caseload: each child goes to ``reassign_to`` (a user
    name) when given, otherwise it is only taken away (assign it later).  The user's name stays
    on their records and in the audit trail.  Returns the child ids moved or taken away."""
    user_id = _user_id(engine, username)
    if reassign_to is not None:
        target = _user_id(engine, reassign_to)
        if target == user_id:
            raise AdminError("Choose someone else to take over the caseload.")
        with engine.connect() as conn:
            if not conn.execute(select(users.c.active).where(users.c.id == target)).scalar():
                raise AdminError(f"{reassign_to!r} has been deactivated and cannot take over a "
                                 "caseload.")
    deactivate_user(engine, username, reason)
    with engine.connect() as conn:
        children = list(conn.execute(select(assignments.c.child_id).where(
            assignments.c.user_id == user_id).order_by(assignments.c.child_id)).scalars())
    for child_id in children:
        if reassign_to is not None:
            assign(engine, reassign_to, child_id)
        unassign(engine, username, child_id)
    with engine.begin() as conn:
        audit.log(conn, None, "admin_remove_user", user_id=user_id,
                  detail=f"{len(children)} child(ren) "
                         + (f"reassigned to {reassign_to}" if reassign_to else "unassigned"))
    return children
