"""Signing identities: the practitioner's key pair and certificate.

Two kinds:
- issued by the central service's certificate authority at device enrolment (a CSR is made
  here, the certificate comes back), or
- a local self-signed identity for offline-only installs, clearly marked as such
  (``self_signed`` is True and the certificate's OU says "Local identity - not verified").

The private key is kept only inside the encrypted database (as PEM in the store's meta); this
module never writes files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..clock import SYSTEM_CLOCK

LOCAL_IDENTITY_OU = "Local identity - not verified by the partnership"


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def private_key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),  # it only ever lives inside the encrypted database
    )


def subject_name(name: str, role: str, organisation: str, unit: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(NameOID.TITLE, role or "Practitioner"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation or "Safeguarding partnership"),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    return x509.Name(attributes)


def make_csr(key: ec.EllipticCurvePrivateKey, name: str, role: str, organisation: str) -> bytes:
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(subject_name(name, role, organisation))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class SigningIdentity:
    private_key_pem: bytes
    certificate_pem: bytes
    chain_pem: tuple[bytes, ...] = field(default_factory=tuple)  # issuing CA(s), if any
    self_signed: bool = False

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem)

    @property
    def private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.private_key_pem, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key

    @property
    def not_valid_before(self) -> dt.datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_valid_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    def usable_at(self, now: dt.datetime) -> bool:
        """Whether the certificate is valid at ``now`` (not expired, not yet to come)."""
        return self.not_valid_before <= now <= self.not_valid_after

    def life_left(self, now: dt.datetime) -> float:
        """The share of the certificate's lifetime still to run at ``now``: 1.0 when new, 0.0
        once expired."""
        whole = (self.not_valid_after - self.not_valid_before).total_seconds()
        left = (self.not_valid_after - now).total_seconds()
        return 0.0 if whole <= 0 else max(0.0, min(1.0, left / whole))

    @property
    def signer_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else "Unknown"

    @property
    def description(self) -> str:
        if self.self_signed:
            return f"{self.signer_name} (local identity, not verified by the partnership)"
        issuer = self.certificate.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
        by = str(issuer[0].value) if issuer else "the partnership"
        return f"{self.signer_name} (certificate issued by {by})"

    def to_dict(self) -> dict[str, object]:
        return {
            "private_key_pem": self.private_key_pem.decode(),
            "certificate_pem": self.certificate_pem.decode(),
            "chain_pem": [c.decode() for c in self.chain_pem],
            "self_signed": self.self_signed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SigningIdentity:
        chain = data.get("chain_pem") or []
        assert isinstance(chain, list)
        return cls(
            private_key_pem=str(data["private_key_pem"]).encode(),
            certificate_pem=str(data["certificate_pem"]).encode(),
            chain_pem=tuple(str(c).encode() for c in chain),
            self_signed=bool(data.get("self_signed", False)),
        )


def create_local_identity(name: str, role: str, organisation: str, *,
                          valid_days: int = 3 * 365,
                          now: dt.datetime | None = None) -> SigningIdentity:
    """A self-signed identity for an install that has not been enrolled with the service,
    valid from ``now`` (the session's clock)."""
    key = generate_private_key()
    subject = subject_name(name, role, organisation, LOCAL_IDENTITY_OU)
    now = now or SYSTEM_CLOCK.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(
        private_key_pem=private_key_pem(key),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        self_signed=True,
    )
