"""The service's internal certificate authority.

It issues practitioners' signing certificates at device enrolment (from the device's CSR; only
the public key is taken from the CSR, the name comes from the service's user record) and the
TLS certificate of a local or demo install.  The CA key lives in the server's data directory,
readable only by the service account.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from . import timeutil

CA_KEY = "ca.key"
CA_CERT = "ca.pem"
TLS_KEY = "tls.key"
TLS_CERT = "tls.pem"


class CsrError(ValueError):
    """The certificate signing request could not be used."""


# Lifetimes of what the internal CA issues (stated in the README).  Devices renew their
# practitioner certificate at sync once less than RENEW_WHEN_LIFE_LEFT of it is left; the
# service renews its own TLS certificate at start on the same rule.
CA_DAYS = 10 * 365
PRACTITIONER_DAYS = 2 * 365
TLS_DAYS = 825
RENEW_WHEN_LIFE_LEFT = 0.25


def life_left(cert: x509.Certificate, now: dt.datetime) -> float:
    """The share of ``cert``'s lifetime still to run at ``now`` (0.0 once expired)."""
    whole = (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds()
    left = (cert.not_valid_after_utc - now).total_seconds()
    return 0.0 if whole <= 0 else max(0.0, min(1.0, left / whole))


def _cap(text: str) -> str:
    """X.509 name parts are at most 64 characters."""
    return (text.strip() or "-")[:64]


def _now() -> dt.datetime:
    return timeutil.now()


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass(frozen=True)
class CertificateAuthority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @classmethod
    def load_or_create(cls, data_dir: Path, organisation: str) -> CertificateAuthority:
        key_path, cert_path = Path(data_dir) / CA_KEY, Path(data_dir) / CA_CERT
        if key_path.exists() and cert_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            return cls(key, x509.load_pem_x509_certificate(cert_path.read_bytes()))
        key = ec.generate_private_key(ec.SECP384R1())
        name = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, "cse-desktop service certificate authority"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cap(organisation)),
        ])
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA384())
        )
        _write_private(key_path, _key_pem(key))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cls(key, cert)

    def _builder(self, subject: x509.Name, public_key: ec.EllipticCurvePublicKey,
                 days: int) -> x509.CertificateBuilder:
        now = _now()
        return (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.key.public_key()), critical=False)
        )

    def issue_practitioner(self, csr_pem: str, *, name: str, role: str, organisation: str,
                           user_id: str, days: int = PRACTITIONER_DAYS) -> x509.Certificate:
        """A signing certificate for a practitioner's key (from a verified CSR)."""
        try:
            csr = x509.load_pem_x509_csr(csr_pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise CsrError("The certificate request is not a valid PEM CSR.") from exc
        if not csr.is_signature_valid:
            raise CsrError("The certificate request's signature does not match its key.")
        public_key = csr.public_key()
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            raise CsrError("The certificate request must use an elliptic-curve key.")
        subject = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, _cap(name)),
            x509.NameAttribute(NameOID.TITLE, _cap(role)),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cap(organisation)),
            x509.NameAttribute(NameOID.USER_ID, _cap(user_id)),
        ])
        return (
            self._builder(subject, public_key, days)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .sign(self.key, hashes.SHA384())
        )

    def ensure_tls_certificate(self, data_dir: Path, hosts: list[str]) -> tuple[Path, Path]:
        """The TLS certificate of a local or demo install, made on first start and made again
        at a start when less than a quarter of its life is left (or it has expired)."""
        key_path, cert_path = Path(data_dir) / TLS_KEY, Path(data_dir) / TLS_CERT
        if key_path.exists() and cert_path.exists():
            current = x509.load_pem_x509_certificate(cert_path.read_bytes())
            if life_left(current, _now()) >= RENEW_WHEN_LIFE_LEFT:
                return cert_path, key_path
        key = ec.generate_private_key(ec.SECP256R1())
        names: list[x509.GeneralName] = []
        for host in dict.fromkeys(["localhost", "127.0.0.1", "::1", socket.gethostname(), *hosts]):
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        cert = (
            self._builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cse-server")]),
                          key.public_key(), TLS_DAYS)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(self.key, hashes.SHA384())
        )
        _write_private(key_path, _key_pem(key))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                              + self.certificate_pem.encode("ascii"))
        return cert_path, key_path


def certificate_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
