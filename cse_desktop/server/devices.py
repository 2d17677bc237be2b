"""Device enrolment with a one-time code, and recognising an enrolled device by its token.

The code is claimed with one conditional UPDATE (``... WHERE used_at IS NULL``): of any number
of simultaneous enrolments with one code exactly one changes the row, on SQLite and on
PostgreSQL alike, and only that one goes on to enrol a device.  Failures are audited in their
own transaction and counted per client address and per code (429 past the limit).
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from ..clock import SYSTEM_CLOCK, Clock
from ..records import Role
from . import audit
from .ca import CertificateAuthority, CsrError, certificate_pem
from .config import ServerSettings
from .errors import ApiError, not_enrolled
from .identity import Caller
from .models import devices, enrolment_codes, users
from .ratelimit import FailureLimiter
from .schemas import EnrolRequest, EnrolResponse, UserInfo
from .timeutil import aware, now
from .tokens import hash_secret, new_token, normalise_code

INVALID_CODE = ("This enrolment code is not valid. It may be mistyped, already used or "
                "expired. Ask your administrator for a new one.")


@dataclass
class Guards:
    """The service's failure counters (one set per server process)."""

    enrol_by_address: FailureLimiter
    enrol_by_code: FailureLimiter
    auth_by_address: FailureLimiter

    @classmethod
    def from_settings(cls, settings: ServerSettings, clock: Clock = SYSTEM_CLOCK) -> Guards:
        window = settings.failure_window_seconds
        return cls(FailureLimiter(settings.enrol_failures_per_address, window, clock),
                   FailureLimiter(settings.enrol_failures_per_code, window, clock),
                   FailureLimiter(settings.auth_failures_per_address, window, clock))


class _Undo(Exception):
    """Leaves the enrolment transaction, rolling the claim back."""

    def __init__(self, problem: str, user_id: str | None, csr: bool = False) -> None:
        super().__init__(problem)
        self.problem, self.user_id, self.csr = problem, user_id, csr


def enrol(engine: Engine, ca: CertificateAuthority, settings: ServerSettings,
          request: EnrolRequest, guards: Guards | None = None, address: str = "") -> EnrolResponse:
    code_hash = hash_secret(normalise_code(request.enrolment_code))
    if guards:
        guards.enrol_by_address.check(address)
        guards.enrol_by_code.check(code_hash)

    def refuse(detail: str, user_id: str | None = None) -> ApiError:
        audit.log_refusal(engine, None, "enrol_refused", user_id=user_id,
                          detail=f"{detail} (from {address or 'unknown address'})")
        if guards:
            guards.enrol_by_address.failed(address)
            guards.enrol_by_code.failed(code_hash)
        return ApiError(400, "invalid_enrolment_code", INVALID_CODE)

    try:
        with engine.begin() as conn:
            at = now()
            # The claim: only one transaction can move used_at from NULL.  Everything below
            # runs only for the winner; any failure rolls the claim back with the rest.
            claimed = conn.execute(
                update(enrolment_codes)
                .where(enrolment_codes.c.code_hash == code_hash,
                       enrolment_codes.c.used_at.is_(None))
                .values(used_at=at)).rowcount
            row = conn.execute(
                select(enrolment_codes, users.c.name, users.c.role, users.c.team_id,
                       users.c.active)
                .join(users, users.c.id == enrolment_codes.c.user_id)
                .where(enrolment_codes.c.code_hash == code_hash)).first() if claimed == 1 else None
            expires = aware(row.expires_at) if row is not None else None
            if row is None:
                raise _Undo("unknown or already used code", None)
            if not row.active:
                raise _Undo("code of a closed account", row.user_id)
            if expires is not None and expires < at:
                raise _Undo("expired code", row.user_id)
            role = Role(row.role)
            try:
                cert = ca.issue_practitioner(request.csr_pem, name=row.name, role=role.label,
                                             organisation=settings.organisation,
                                             user_id=row.user_id)
            except CsrError as exc:
                raise _Undo(str(exc), row.user_id, csr=True) from exc
            device_id, token = str(uuid.uuid4()), new_token()
            conn.execute(insert(devices).values(
                id=device_id, user_id=row.user_id, name=request.device_name,
                token_hash=hash_secret(token),
                certificate_serial=format(cert.serial_number, "x"), enrolled_at=at))
            conn.execute(update(enrolment_codes).where(enrolment_codes.c.code_hash == code_hash)
                         .values(device_id=device_id))
            audit.log(conn, None, "enrol", user_id=row.user_id,
                      detail=f"device {device_id} ({request.device_name})")
    except _Undo as undo:
        if undo.csr:
            audit.log_refusal(engine, None, "enrol_refused", user_id=undo.user_id,
                              detail=f"invalid certificate request (from {address or 'unknown'})")
            raise ApiError(400, "invalid_csr", undo.problem) from None
        raise refuse(undo.problem, undo.user_id) from None
    return EnrolResponse(
        device_id=device_id, token=token, certificate_pem=certificate_pem(cert),
        ca_certificate_pem=ca.certificate_pem,
        user=UserInfo(user_id=row.user_id, name=row.name, role=role.value, team_id=row.team_id),
        organisation=settings.organisation,
        organisation_logo_png=(base64.b64encode(settings.organisation_logo_png).decode("ascii")
                               if settings.organisation_logo_png else None),
        recovery_public_key_pem=settings.recovery_public_key_pem,
    )


def revoked_message(revoked_at: datetime | None, reason: str | None) -> str:
    moment = aware(revoked_at)
    when = moment.strftime("%d %B %Y") if moment else "recently"
    text = f"This device was withdrawn from the service by an administrator on {when}."
    if reason:
        text += f" Reason given: {reason}."
    return text


def authenticate(engine: Engine, token: str | None, guards: Guards | None = None,
                 address: str = "") -> Caller:
    """The caller behind a bearer token, or ApiError(401) (audited, and counted against the
    client's address: 429 after too many)."""
    if not token:
        raise not_enrolled()
    if guards:
        guards.auth_by_address.check(address)
    with engine.begin() as conn:
        row = conn.execute(
            select(devices, users.c.name.label("user_name"), users.c.role, users.c.team_id,
                   users.c.active)
            .join(users, users.c.id == devices.c.user_id)
            .where(devices.c.token_hash == hash_secret(token))).first()
        refusal: ApiError | None = None
        if row is None:
            refusal = not_enrolled()
        elif row.revoked_at is not None:
            refusal = ApiError(401, "device_revoked", revoked_message(row.revoked_at,
                                                                      row.revoked_reason))
        elif not row.active:
            refusal = ApiError(401, "user_inactive", "Your account has been closed. Ask your "
                                                     "administrator if this is a mistake.")
        else:
            last_seen = aware(row.last_seen_at)
            if last_seen is None or now() - last_seen > timedelta(minutes=1):
                conn.execute(update(devices).where(devices.c.id == row.id)
                             .values(last_seen_at=now()))
    if refusal is not None:
        if row is None and guards:
            guards.auth_by_address.failed(address)  # a guessed token; a revoked one is known
        audit.log_refusal(engine, None, "auth_refused",
                          user_id=None if row is None else row.user_id,
                          detail=f"{refusal.code}"
                                 + ("" if row is None else f" (device {row.id})")
                                 + f" from {address or 'unknown address'}")
        raise refusal
    assert row is not None
    return Caller(user_id=row.user_id, name=row.user_name, role=Role(row.role),
                  team_id=row.team_id, device_id=row.id, device_name=row.name)


def user_info(caller: Caller) -> UserInfo:
    return UserInfo(user_id=caller.user_id, name=caller.name, role=caller.role.value,
                    team_id=caller.team_id)
