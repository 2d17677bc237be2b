"""Enrolling this computer with the service: key pair, CSR, token, certificate.

Everything the service returns is kept in the encrypted store's meta ("enrolment" and
"signing_identity"), never in plain files.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from typing import Any

from ..crypto.identity import SigningIdentity, generate_private_key, make_csr, private_key_pem
from ..crypto.keyfile import load_recovery_public_key
from ..records import Role, to_iso
from ..store import Store
from .errors import SyncError
from .tls import Verify, ssl_context
from .transport import Transport


@dataclass(frozen=True)
class Enrolment:
    base_url: str
    device_id: str
    token: str
    user: dict[str, Any]
    ca_certificate_pem: str
    organisation: str
    enrolled_at: str

    @classmethod
    def load(cls, store: Store) -> Enrolment | None:
        data = store.get_meta("enrolment")
        if not data:
            return None
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})

    def save(self, store: Store) -> None:
        store.set_meta("enrolment", dict(self.__dict__))


class EnrolmentRefused(SyncError):
    pass


def enrol(store: Store, base_url: str, code: str, actor_name: str | None = None, *,
          device_name: str | None = None, verify: Verify = True,
          transport: Transport | None = None) -> Enrolment:
    """Enrol with a one-time code.  Raises SyncError subclasses with plain messages.

    ``actor_name`` only fills the certificate request; the certificate's name comes from the
    service's user record.  Afterwards the store's "user" meta is the service's user, so a
    session opened from now on acts as that user.
    """
    base_url = base_url.strip().rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise EnrolmentRefused("The service address should start with https://")
    user = store.get_meta("user") or {}
    organisation = (store.get_meta("organisation") or {}).get("name", "")
    key = generate_private_key()
    csr = make_csr(key, str(actor_name or user.get("name") or "Practitioner"),
                   Role(user.get("role") or Role.OUTREACH_WORKER.value).label, organisation)
    own_transport = transport is None
    transport = transport or Transport(base_url, None, ssl_context(verify), retries=1)
    try:
        answer = transport.enrol(code.strip(), device_name or platform.node() or "Desktop",
                                 csr.decode("ascii"))
    finally:
        if own_transport:
            transport.close()
    previous = Enrolment.load(store)
    if previous and previous.user.get("user_id") != answer["user"]["user_id"] and (
            store.count() or store.pending_count()):
        raise EnrolmentRefused("This computer holds records of another practitioner's "
                               "enrolment. It cannot be enrolled for someone else.")
    enrolment = Enrolment(
        base_url=base_url, device_id=answer["device_id"], token=answer["token"],
        user=dict(answer["user"]), ca_certificate_pem=answer["ca_certificate_pem"],
        organisation=answer.get("organisation", organisation),
        enrolled_at=to_iso(store.clock.now()) or "",
    )
    identity = SigningIdentity(
        private_key_pem=private_key_pem(key),
        certificate_pem=answer["certificate_pem"].encode("ascii"),
        chain_pem=(answer["ca_certificate_pem"].encode("ascii"),),
        self_signed=False,
    )
    with store.transaction():
        enrolment.save(store)
        store.set_meta("signing_identity", identity.to_dict())
        store.set_meta("user", {"user_id": answer["user"]["user_id"],
                                "name": answer["user"]["name"], "role": answer["user"]["role"],
                                "team_id": answer["user"].get("team_id")})
        org = dict(store.get_meta("organisation") or {})
        org["name"] = enrolment.organisation
        logo = answer.get("organisation_logo_png")
        if logo:  # kept in the encrypted store; the documents decode and check it
            org["logo_png_b64"] = logo
            org.pop("logo_path", None)
        store.set_meta("organisation", org)
        recovery = answer.get("recovery_public_key_pem")
        if recovery:
            store.set_meta("recovery_public_key", recovery)
    if recovery:
        store.add_recovery_key(load_recovery_public_key(recovery.encode("ascii")))
    return enrolment
