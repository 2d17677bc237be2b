"""Fixtures for the PDF tests: a store filled with synthetic casework, signing identities."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the dialog tests need no display

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cse_desktop.crypto.identity import (
    SigningIdentity,
    create_local_identity,
    generate_private_key,
    private_key_pem,
    subject_name,
)
from cse_desktop.forms import FormLibrary, default_library

sys.path.insert(0, str(Path(__file__).parent))

import pdf_synthetic


@pytest.fixture(scope="session")
def library() -> FormLibrary:
    return default_library()


@pytest.fixture
def work(tmp_path: Path, library: FormLibrary) -> Iterator[pdf_synthetic.Casework]:
    built = pdf_synthetic.build(tmp_path / "records", library)
    yield built
    built.store.close()


@pytest.fixture(scope="session")
def local_identity() -> SigningIdentity:
    return create_local_identity("Łukasz Wiśniewski", "Team lead", "Northfield Partnership")


class Partnership:
    """A (test) partnership certificate authority that issues practitioners' certificates,
    the way the central service does at enrolment."""

    def __init__(self, name: str = "Northfield Partnership CA") -> None:
        self.now = dt.datetime.now(dt.UTC)  # pyHanko checks certificates against real time
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.certificate = (
            x509.CertificateBuilder().subject_name(self.name).issuer_name(self.name)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(self.now - dt.timedelta(days=1))
            .not_valid_after(self.now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(self, name: str, role: str = "Outreach worker") -> SigningIdentity:
        key = generate_private_key()
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject_name(name, role, "Northfield Partnership"))
            .issuer_name(self.name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - dt.timedelta(hours=1))
            .not_valid_after(self.now + dt.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return SigningIdentity(private_key_pem(key),
                               cert.public_bytes(serialization.Encoding.PEM), (self.pem,), False)


@pytest.fixture(scope="session")
def partnership() -> Partnership:
    return Partnership()


@pytest.fixture(scope="session")
def ca_identity(partnership: Partnership) -> tuple[SigningIdentity, bytes]:
    """An identity issued by the (test) partnership CA, and the CA certificate."""
    return partnership.issue("Sam Carter", "Team lead"), partnership.pem
