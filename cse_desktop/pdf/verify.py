"""Checking a signed PDF and saying what was found in plain words.

Outcomes, worst first:
- UNREADABLE: not a PDF, or too damaged to read.
- NOT_SIGNED: no digital signature, so nothing can be said about changes.
- ALTERED: the signed bytes no longer match the signature, or something other than
  signature upkeep was added after signing.
- UNKNOWN_SIGNER: unchanged, but the certificate was not issued by a certificate authority
  we trust (for example a local identity made on a device before enrolment).
- VALID: unchanged, and signed by a certificate from a trusted certificate authority.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from cse_desktop.crypto.identity import LOCAL_IDENTITY_OU
from cse_desktop.pdf.text import when_long

log = logging.getLogger(__name__)


class Verdict(StrEnum):
    VALID = "valid"
    UNKNOWN_SIGNER = "unknown_signer"
    ALTERED = "altered"
    NOT_SIGNED = "not_signed"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class VerificationResult:
    verdict: Verdict
    message: str  # one or two plain-English sentences for people
    signer_name: str | None = None
    signed_at: datetime | None = None
    local_identity: bool = False  # signed with a self-signed "local identity" certificate
    intact: bool = False  # the signed bytes match the signature
    trusted: bool = False  # the certificate chains to a trusted certificate authority
    details: tuple[str, ...] = field(default_factory=tuple)  # for "Show details"

    @property
    def is_valid(self) -> bool:
        return self.verdict is Verdict.VALID

    @property
    def is_unaltered(self) -> bool:
        return self.verdict in (Verdict.VALID, Verdict.UNKNOWN_SIGNER)


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a full traceback for every untrusted certificate; the result says it."""
    logger = logging.getLogger("pyhanko")
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(before)


def _trust_roots(trusted_ca_pems: Iterable[bytes]) -> list[asn1_x509.Certificate]:
    roots: list[asn1_x509.Certificate] = []
    for pem in trusted_ca_pems:
        roots.extend(load_certs_from_pemder_data(pem))
    return roots


def _common_name(cert: asn1_x509.Certificate) -> str:
    subject = cert.subject.native
    return str(subject.get("common_name") or "an unnamed signer")


def _is_local_identity(cert: asn1_x509.Certificate) -> bool:
    unit = cert.subject.native.get("organizational_unit_name")
    units = unit if isinstance(unit, list) else [unit]
    return cert.self_signed != "no" and LOCAL_IDENTITY_OU in [u for u in units if u]


def _changed_after_signing(status: object) -> bool:
    coverage = getattr(status, "coverage", None)
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return False
    level = getattr(status, "modification_level", None)
    if coverage == SignatureCoverageLevel.ENTIRE_REVISION and level is not None:
        return level not in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
    return True


def _validate(embedded: Any, roots: list[asn1_x509.Certificate],
              moment: datetime | None) -> Any:
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment)
    with _quiet_pyhanko():
        return validate_pdf_signature(embedded, signer_validation_context=context)


def verify_pdf_bytes(data: bytes, trusted_ca_pems: Iterable[bytes] = (), *,
                     now: datetime | None = None) -> VerificationResult:
    """Check the last signature in the PDF (ours sign once; a later one covers earlier ones).

    The certificate is checked as of ``now`` (default: the current time).  If it is no longer
    valid then (it expired) but was valid at the signing time the signature states, the PDF
    is still reported valid, saying so: a paper record outlives its signer's certificate.
    There is no revocation check (the app works offline).
    """
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        log.info("PDF could not be read: %s", exc)
        return VerificationResult(
            Verdict.UNREADABLE,
            "DAMAGED: this file could not be read as a PDF, so it cannot be checked. It may "
            "have been changed or cut short.", details=(str(exc),))
    if not signatures:
        return VerificationResult(
            Verdict.NOT_SIGNED,
            "NOT SIGNED: this PDF has no digital signature, so there is no way to tell whether "
            "it was changed.")
    embedded = signatures[-1]
    expired_since = False
    try:
        roots = _trust_roots(trusted_ca_pems)
        status = _validate(embedded, roots, now)
        claimed = status.signer_reported_dt
        if roots and not status.trusted and status.intact and status.valid and claimed:
            at_signing = _validate(embedded, roots, claimed)
            if at_signing.trusted:
                status, expired_since = at_signing, True
    except Exception as exc:
        log.info("signature could not be checked: %s", exc)
        return VerificationResult(
            Verdict.ALTERED,
            "ALTERED: this document was changed after it was signed (its signature could not "
            "be checked).", details=(str(exc),))
    cert = status.signing_cert
    name = _common_name(cert)
    signed_at = status.signer_reported_dt
    local = _is_local_identity(cert)
    details = [status.summary(), f"Certificate: {cert.subject.human_friendly}"]
    if not status.intact or not status.valid:
        return VerificationResult(
            Verdict.ALTERED,
            "ALTERED: this document was changed after it was signed. Do not rely on it; ask "
            "for a fresh copy from the app.",
            signer_name=name, signed_at=signed_at, local_identity=local,
            details=tuple(details))
    if _changed_after_signing(status):
        return VerificationResult(
            Verdict.ALTERED,
            "ALTERED: something was added to this document after it was signed. Do not rely "
            "on it; ask for a fresh copy from the app.",
            signer_name=name, signed_at=signed_at, local_identity=local, intact=True,
            details=tuple(details))
    when_text = f" on {when_long(signed_at)}" if signed_at else ""
    if status.trusted:
        since = (" The signer's certificate has expired since, but was valid when it was "
                 "signed." if expired_since else "")
        return VerificationResult(
            Verdict.VALID,
            f"Valid: signed by {name}{when_text}. Not changed since it was signed.{since}",
            signer_name=name, signed_at=signed_at, intact=True, trusted=True,
            details=tuple(details))
    who = ("local identity, not verified by the partnership" if local
           else "certificate not issued by the partnership")
    return VerificationResult(
        Verdict.UNKNOWN_SIGNER,
        f"Signed by an unknown signer ({who}). The certificate gives the name {name}; it was "
        f"signed{when_text}. Not changed since it was signed, but the app cannot confirm who "
        "the signer is.",
        signer_name=name, signed_at=signed_at, local_identity=local, intact=True,
        details=tuple(details))
