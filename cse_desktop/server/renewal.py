"""Renewing a practitioner's signing certificate before it runs out.

A device asks at sync when less than a quarter of its certificate's life is left (or after it
has expired: the bearer token, not the certificate, says who is asking).  The service issues a
new certificate for the key in the request, under the same internal CA and for the same user,
and records the new serial against the device.
"""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from ..records import Role
from . import audit
from .ca import CertificateAuthority, CsrError, certificate_pem
from .config import ServerSettings
from .errors import ApiError
from .identity import Caller
from .models import devices, users
from .schemas import RenewCertificateRequest, RenewCertificateResponse


def renew_certificate(engine: Engine, ca: CertificateAuthority, settings: ServerSettings,
                      caller: Caller,
                      request: RenewCertificateRequest) -> RenewCertificateResponse:
    with engine.begin() as conn:
        name = conn.execute(select(users.c.name).where(users.c.id == caller.user_id)).scalar_one()
        try:
            cert = ca.issue_practitioner(request.csr_pem, name=name,
                                         role=Role(caller.role).label,
                                         organisation=settings.organisation,
                                         user_id=caller.user_id)
        except CsrError as exc:
            raise ApiError(400, "invalid_csr", str(exc)) from exc
        serial = format(cert.serial_number, "x")
        conn.execute(update(devices).where(devices.c.id == caller.device_id)
                     .values(certificate_serial=serial))
        audit.log(conn, caller, "certificate_renewed",
                  detail=f"serial {serial}, valid until {cert.not_valid_after_utc:%Y-%m-%d}")
    return RenewCertificateResponse(certificate_pem=certificate_pem(cert),
                                    ca_certificate_pem=ca.certificate_pem)
