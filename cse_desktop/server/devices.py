"""Device enrolment with a one-time code, and recognising an enrolled device by its token."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import Engine, insert, select, update

from ..records import Role
from . import audit
from .ca import CertificateAuthority, CsrError, certificate_pem
from .config import ServerSettings
from .errors import ApiError, not_enrolled
from .identity import Caller
from .models import devices, enrolment_codes, users
from .schemas import EnrolRequest, EnrolResponse, UserInfo
from .timeutil import aware, now
from .tokens import hash_secret, new_token, normalise_code

INVALID_CODE = ("This enrolment code is not valid. It may be mistyped, already used or "
                "expired. Ask your administrator for a new one.")


def enrol(engine: Engine, ca: CertificateAuthority, settings: ServerSettings,
          request: EnrolRequest) -> EnrolResponse:
    code_hash = hash_secret(normalise_code(request.enrolment_code))
    with engine.begin() as conn:
        row = conn.execute(
            select(enrolment_codes, users.c.name, users.c.role, users.c.team_id, users.c.active)
            .join(users, users.c.id == enrolment_codes.c.user_id)
            .where(enrolment_codes.c.code_hash == code_hash)).first()
        expires = aware(row.expires_at) if row is not None else None
        if row is None or row.used_at is not None or not row.active or (
                expires is not None and expires < now()):
            audit.log(conn, None, "enrol_refused", detail="unknown, used or expired code")
            raise ApiError(400, "invalid_enrolment_code", INVALID_CODE)
        role = Role(row.role)
        try:
            cert = ca.issue_practitioner(request.csr_pem, name=row.name, role=role.label,
                                         organisation=settings.organisation,
                                         user_id=row.user_id)
        except CsrError as exc:
            raise ApiError(400, "invalid_csr", str(exc)) from exc
        device_id, token = str(uuid.uuid4()), new_token()
        conn.execute(insert(devices).values(
            id=device_id, user_id=row.user_id, name=request.device_name,
            token_hash=hash_secret(token), certificate_serial=format(cert.serial_number, "x"),
            enrolled_at=now()))
        conn.execute(update(enrolment_codes).where(enrolment_codes.c.code_hash == code_hash)
                     .values(used_at=now(), device_id=device_id))
        audit.log(conn, None, "enrol", user_id=row.user_id,
                  detail=f"device {device_id} ({request.device_name})")
    return EnrolResponse(
        device_id=device_id, token=token, certificate_pem=certificate_pem(cert),
        ca_certificate_pem=ca.certificate_pem,
        user=UserInfo(user_id=row.user_id, name=row.name, role=role.value, team_id=row.team_id),
        organisation=settings.organisation,
        recovery_public_key_pem=settings.recovery_public_key_pem,
    )


def revoked_message(revoked_at: object, reason: str | None) -> str:
    when = aware(revoked_at).strftime("%d %B %Y") if revoked_at else "recently"  # type: ignore[arg-type]
    text = f"This device was withdrawn from the service by an administrator on {when}."
    if reason:
        text += f" Reason given: {reason}."
    return text


def authenticate(engine: Engine, token: str | None) -> Caller:
    """The caller behind a bearer token, or ApiError(401)."""
    if not token:
        raise not_enrolled()
    with engine.begin() as conn:
        row = conn.execute(
            select(devices, users.c.name.label("user_name"), users.c.role, users.c.team_id,
                   users.c.active)
            .join(users, users.c.id == devices.c.user_id)
            .where(devices.c.token_hash == hash_secret(token))).first()
        if row is None:
            raise not_enrolled()
        if row.revoked_at is not None:
            raise ApiError(401, "device_revoked", revoked_message(row.revoked_at,
                                                                  row.revoked_reason))
        if not row.active:
            raise ApiError(401, "user_inactive", "Your account has been closed. Ask your "
                                                 "administrator if this is a mistake.")
        last_seen = aware(row.last_seen_at)
        if last_seen is None or now() - last_seen > timedelta(minutes=1):
            conn.execute(update(devices).where(devices.c.id == row.id)
                         .values(last_seen_at=now()))
    return Caller(user_id=row.user_id, name=row.user_name, role=Role(row.role),
                  team_id=row.team_id, device_id=row.id, device_name=row.name)


def user_info(caller: Caller) -> UserInfo:
    return UserInfo(user_id=caller.user_id, name=caller.name, role=caller.role.value,
                    team_id=caller.team_id)
