"""Renewing the practitioner's signing certificate at sync, before it runs out.

The service's internal CA issues practitioner certificates for two years.  At each sync, once
less than a quarter of the certificate's life is left (or it has expired, or the laptop was
off-line past its end), the device makes a new key pair, sends a certificate request and keeps
the new identity in the encrypted store.  The old key is dropped: PDFs signed with it stay
valid, since their signatures were made while the old certificate was valid.
"""

from __future__ import annotations

from ..crypto.identity import SigningIdentity, generate_private_key, make_csr, private_key_pem
from ..records import Actor
from ..store import Store
from .transport import Transport

RENEW_WHEN_LIFE_LEFT = 0.25  # the same rule as the service's (server.ca.RENEW_WHEN_LIFE_LEFT)


def renewal_due(identity: SigningIdentity, store: Store) -> bool:
    """Whether a partnership certificate should be renewed now (never a local identity)."""
    return not identity.self_signed and identity.life_left(store.clock.now()) \
        < RENEW_WHEN_LIFE_LEFT


def renew_if_due(store: Store, transport: Transport, actor: Actor) -> bool:
    """Renew the enrolled signing certificate when it is due; True when it was renewed."""
    stored = store.get_meta("signing_identity")
    if not stored:
        return False
    current = SigningIdentity.from_dict(stored)
    if not renewal_due(current, store):
        return False
    key = generate_private_key()
    organisation = str((store.get_meta("organisation") or {}).get("name") or "")
    csr = make_csr(key, current.signer_name, actor.role.label, organisation)
    answer = transport.renew_certificate(csr.decode("ascii"))
    renewed = SigningIdentity(
        private_key_pem=private_key_pem(key),
        certificate_pem=str(answer["certificate_pem"]).encode("ascii"),
        chain_pem=(str(answer["ca_certificate_pem"]).encode("ascii"),),
        self_signed=False,
    )
    with store.transaction():
        store.set_meta("signing_identity", renewed.to_dict())
    store.audit(actor, "certificate_renewed",
                detail=f"signing certificate renewed, valid until "
                       f"{renewed.not_valid_after:%Y-%m-%d}")
    return True
