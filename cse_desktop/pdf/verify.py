"""Checking a signed PDF and saying what was found in plain words.

Every signature and time stamp in the file is checked, oldest first, with pyHanko's own
difference analysis (and the DocMDP rules of a certified document).  After the first
signature the only changes allowed are later signatures and time stamps that add nothing
visible; anything else makes the whole document ALTERED, naming what was added after whom.

Outcomes, worst first:
- UNREADABLE: not a PDF, or too damaged to read.
- NOT_SIGNED: no digital signature, so nothing can be said about changes.
- ALTERED: the signed bytes no longer match a signature, a signature was removed, or
  something other than a later signature or time stamp was added after signing.
- UNKNOWN_SIGNER: unchanged, but a signer's certificate was not issued by the partnership's
  certificate authority (for example a local identity made on a device before enrolment).
- VALID: unchanged, and every signer has a certificate from the partnership.

Separately, ``time_note`` says whether the signing time is proven: a time stamp from the
partnership's time service (a certificate from the same authority) proves the document
existed by then; otherwise the time is only what the signer's computer clock said.
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
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from cse_desktop.crypto.identity import LOCAL_IDENTITY_OU
from cse_desktop.pdf.record_proof import record_time_lines
from cse_desktop.pdf.revisions import (
    describe_changes,
    removed_signatures,
    signature_is_visible,
)
from cse_desktop.pdf.text import when_long

log = logging.getLogger(__name__)

DO_NOT_RELY = "Do not rely on it; ask for a fresh copy from the app."


class Verdict(StrEnum):
    VALID = "valid"
    UNKNOWN_SIGNER = "unknown_signer"
    ALTERED = "altered"
    NOT_SIGNED = "not_signed"
    UNREADABLE = "unreadable"


class Standing(StrEnum):
    """Who stands behind a certificate, in the words the app uses."""

    PARTNERSHIP = "partnership certificate"
    LOCAL = "local identity, not verified by the partnership"
    UNKNOWN = "certificate not issued by the partnership"


@dataclass(frozen=True)
class SignatureFinding:
    """One signature or time stamp in the file, as checked."""

    is_timestamp: bool
    name: str  # the signer's name, or the time service's name
    standing: Standing
    at: datetime | None  # claimed signing time (signature) or proven time (time stamp)
    intact: bool
    revision: int
    certified: bool = False  # a certification signature: readers refuse later edits
    expired_since: bool = False
    stamp_at: datetime | None = None  # the signature's own time stamp (PAdES B-T), if any
    stamp_by: str = ""  # the time service that made it
    stamp_standing: Standing | None = None

    def line(self, number: int) -> str:
        """One plain line for "Show details"."""
        when_text = f" on {when_long(self.at)}" if self.at else ""
        if self.is_timestamp:
            text = (f"{number}. Time stamp from {self.name} ({self.standing.value}): the "
                    f"document existed{when_text} at the latest.")
        else:
            clock = " (by the signer's computer clock)" if self.at else ""
            text = (f"{number}. Signed by {self.name} ({self.standing.value}){when_text}"
                    f"{clock}.")
            if self.certified:
                text += " Certified: later edits are not allowed."
            if self.expired_since:
                text += " The certificate has expired since, but was valid when it was signed."
            if self.stamp_at is not None and self.stamp_standing is not None:
                text += (f" Time stamp from {self.stamp_by} ({self.stamp_standing.value}): "
                         f"proves it was signed by {when_long(self.stamp_at)} at the latest.")
        return text if self.intact else text + " This signature no longer matches the file."


@dataclass(frozen=True)
class VerificationResult:
    verdict: Verdict
    message: str  # one or two plain-English sentences for people
    signer_name: str | None = None  # the first signer
    signed_at: datetime | None = None  # the first signer's claimed time
    local_identity: bool = False  # a signer used a self-signed "local identity" certificate
    intact: bool = False  # every signature matches the bytes it signed
    trusted: bool = False  # every signer's certificate chains to the partnership's authority
    details: tuple[str, ...] = field(default_factory=tuple)  # for "Show details"
    time_note: str = ""  # whether the signing time is proven, in plain words
    proven_at: datetime | None = None  # the earliest trusted time stamp after the signatures
    signatures: tuple[SignatureFinding, ...] = ()
    # Signed records' proven times carried in the PDF (time stamps over their content
    # fingerprints), one sentence each; only for a valid PDF (every signer trusted).
    record_times: tuple[str, ...] = ()

    @property
    def is_valid(self) -> bool:
        return self.verdict is Verdict.VALID

    @property
    def is_unaltered(self) -> bool:
        return self.verdict in (Verdict.VALID, Verdict.UNKNOWN_SIGNER)

    @property
    def time_proven(self) -> bool:
        return self.proven_at is not None


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a full traceback for every untrusted certificate and every rejected
    change; the result says it in plain words."""
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


def _common_name(cert: asn1_x509.Certificate | None, fallback: str) -> str:
    if cert is None:
        return fallback
    return str(cert.subject.native.get("common_name") or fallback)


def _is_local_identity(cert: asn1_x509.Certificate) -> bool:
    unit = cert.subject.native.get("organizational_unit_name")
    units = unit if isinstance(unit, list) else [unit]
    return cert.self_signed != "no" and LOCAL_IDENTITY_OU in [u for u in units if u]


def _standing(status: Any, cert: asn1_x509.Certificate | None) -> Standing:
    if status.trusted:
        return Standing.PARTNERSHIP
    if cert is not None and _is_local_identity(cert):
        return Standing.LOCAL
    return Standing.UNKNOWN


class _Altered(Exception):
    """The document was changed: the message says what, after whom."""


@dataclass
class _Checked:
    embedded: Any
    status: Any
    finding: SignatureFinding


class _Checker:
    """Checks every signature of one file, oldest first."""

    def __init__(self, reader: PdfFileReader, roots: list[asn1_x509.Certificate],
                 now: datetime | None) -> None:
        self.reader = reader
        self.roots = roots
        self.now = now
        self.checked: list[_Checked] = []

    def _context(self, moment: datetime | None) -> ValidationContext:
        return ValidationContext(trust_roots=self.roots, allow_fetching=False, moment=moment)

    def check_one(self, embedded: Any) -> _Checked:
        certified = embedded.docmdp_level is not None and self._is_certification(embedded)
        with _quiet_pyhanko():
            if embedded.sig_object_type == "/DocTimeStamp":
                stamped = validate_pdf_timestamp(embedded, validation_context=self._context(
                    self.now))
                tst_cert = stamped.signing_cert
                finding = SignatureFinding(
                    True, _common_name(tst_cert, "a time service"),
                    _standing(stamped, tst_cert), stamped.timestamp,
                    bool(stamped.intact and stamped.valid), embedded.signed_revision)
                return _Checked(embedded, stamped, finding)
            status = validate_pdf_signature(embedded,
                                            signer_validation_context=self._context(self.now))
            expired_since = False
            claimed = status.signer_reported_dt
            if self.roots and not status.trusted and status.intact and status.valid and claimed:
                at_signing = validate_pdf_signature(
                    embedded, signer_validation_context=self._context(claimed))
                if at_signing.trusted:
                    status, expired_since = at_signing, True
        cert = status.signing_cert
        stamp = status.timestamp_validity
        good = stamp if stamp is not None and bool(stamp.intact and stamp.valid) else None
        finding = SignatureFinding(
            False, _common_name(cert, "an unnamed signer"), _standing(status, cert),
            status.signer_reported_dt, bool(status.intact and status.valid),
            embedded.signed_revision, certified=certified, expired_since=expired_since,
            stamp_at=good.timestamp if good is not None else None,
            stamp_by=_common_name(good.signing_cert, "a time service") if good is not None else "",
            stamp_standing=_standing(good, good.signing_cert) if good is not None else None)
        return _Checked(embedded, status, finding)

    def _is_certification(self, embedded: Any) -> bool:
        try:
            perms = self.reader.root["/Perms"]
            return bool(perms.raw_get("/DocMDP").idnum == embedded.sig_object.container_ref
                        .idnum)
        except Exception:
            return False

    # -- the rules -----------------------------------------------------------------------------

    def _later_signers(self, after: int) -> str:
        later = [c.finding for c in self.checked[after + 1:]]
        if not later:
            return ""
        names = "; ".join(
            f"a time stamp from {f.name}" if f.is_timestamp
            else f"a signature by {f.name} ({f.standing.value})" for f in later)
        return f" Added after that: {names}, which does not make the change acceptable."

    def _who(self, index: int) -> str:
        finding = self.checked[index].finding
        if finding.is_timestamp:
            return f"the time stamp from {finding.name} was added"
        return f"{finding.name} signed it"

    def require_intact(self) -> None:
        for index, item in enumerate(self.checked):
            if not item.finding.intact:
                raise _Altered(f"ALTERED: this document was changed after {self._who(index)}. "
                               f"{DO_NOT_RELY}")

    def require_no_removed_signature(self) -> None:
        for _revision, _name in removed_signatures(self.reader):
            raise _Altered("ALTERED: a signature was taken out of this document after it was "
                           f"signed. {DO_NOT_RELY}")

    def require_only_signature_revisions(self) -> None:
        """Every update after the first signature must be a later signature or time stamp."""
        signed = [c.embedded.signed_revision for c in self.checked]
        total = self.reader.xrefs.total_revisions
        for revision in range(signed[0] + 1, total):
            if revision in signed:
                continue
            index = max(i for i, r in enumerate(signed) if r < revision)
            what = describe_changes(self.reader, revision - 1, revision)
            raise _Altered(f"ALTERED: something was added to this document after "
                           f"{self._who(index)}: {what}. {DO_NOT_RELY}"
                           + self._later_signers(index))

    def require_allowed_changes(self) -> None:
        """pyHanko's difference analysis (and DocMDP) on what came after each signature."""
        for index, item in enumerate(self.checked[:-1]):
            status, revision = item.status, item.embedded.signed_revision
            diff = status.diff_result
            level = status.modification_level
            allowed = (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                       and isinstance(diff, DiffResult)
                       and getattr(status, "docmdp_ok", True) is not False
                       and level is not None
                       and level <= ModificationLevel.FORM_FILLING)
            if not allowed:
                log.info("change after signature %d refused: %r", index + 1, diff)
                what = describe_changes(self.reader, revision, revision + 1)
                raise _Altered(f"ALTERED: something was added to this document after "
                               f"{self._who(index)}: {what}. {DO_NOT_RELY}"
                               + self._later_signers(index))
        for index, item in enumerate(self.checked[1:], start=1):
            if signature_is_visible(item.embedded.sig_field):
                raise _Altered(f"ALTERED: a visible box was added to a page after "
                               f"{self._who(index - 1)}. {DO_NOT_RELY}"
                               + self._later_signers(index - 1))

    def require_nothing_after_last(self) -> None:
        last = self.checked[-1]
        if last.status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            raise _Altered("ALTERED: extra data was added to the end of this file after "
                           f"{self._who(len(self.checked) - 1)}. {DO_NOT_RELY}")


def _stamps(findings: list[SignatureFinding]) -> list[tuple[datetime, str, Standing]]:
    """Every time stamp (time, service, standing): document time stamps and the time stamps
    inside signatures.  Each one covers everything signed before it."""
    stamps = []
    for f in findings:
        if f.is_timestamp and f.at:
            stamps.append((f.at, f.name, f.standing))
        elif f.stamp_at and f.stamp_standing:
            stamps.append((f.stamp_at, f.stamp_by, f.stamp_standing))
    return stamps


def _time_note(findings: list[SignatureFinding]) -> tuple[str, datetime | None]:
    """Is the first signer's time proven?  By a partnership time stamp on or after it."""
    signatures = [f for f in findings if not f.is_timestamp]
    stamps = _stamps(findings)
    trusted = sorted((s for s in stamps if s[2] is Standing.PARTNERSHIP), key=lambda s: s[0])
    claimed = signatures[0].at if signatures else None
    on_laptop = f"Signed at {when_long(claimed)} by the signer's computer clock" if claimed \
        else "The signing time is not recorded"
    if trusted:
        proven, service, _ = trusted[0]
        return (f"{on_laptop}; proven to exist by {when_long(proven)} at the latest (time "
                f"stamp from {service}).", proven)
    if stamps:
        return (f"{on_laptop}. Its time stamp is not from the partnership's time service, so "
                "the time is not proven.", None)
    return (f"{on_laptop}. That time is not yet proven: the PDF was made without a time stamp "
            "from the partnership's time service (for example while offline).", None)


def _verdict(findings: list[SignatureFinding]) -> tuple[Verdict, str]:
    signatures = [f for f in findings if not f.is_timestamp]
    if not signatures:
        return Verdict.UNKNOWN_SIGNER, (
            "Time stamp only: this PDF has a time stamp but no signature, so it does not say "
            "who made it. Not changed since it was time-stamped.")
    first = signatures[0]
    when_text = f" on {when_long(first.at)}" if first.at else ""
    others = signatures[1:]
    also = "".join(f" Also signed by {f.name} ({f.standing.value})." for f in others)
    untrusted = [f for f in signatures if f.standing is not Standing.PARTNERSHIP]
    if not untrusted:
        since = (" The signer's certificate has expired since, but was valid when it was "
                 "signed." if any(f.expired_since for f in signatures) else "")
        return Verdict.VALID, (f"Valid: signed by {first.name}{when_text}. Not changed since "
                               f"it was signed.{also}{since}")
    if first.standing is not Standing.PARTNERSHIP:
        return Verdict.UNKNOWN_SIGNER, (
            f"Signed by an unknown signer ({first.standing.value}). The certificate gives the "
            f"name {first.name}; it was signed{when_text}. Not changed since it was signed, "
            f"but the app cannot confirm who the signer is.{also}")
    names = ", ".join(f"{f.name} ({f.standing.value})" for f in untrusted)
    return Verdict.UNKNOWN_SIGNER, (
        f"Signed by {first.name}{when_text}; not changed since. It was also signed by an "
        f"unknown signer: {names}. The app cannot confirm who that is.")


def verify_pdf_bytes(data: bytes, trusted_ca_pems: Iterable[bytes] = (), *,
                     now: datetime | None = None) -> VerificationResult:
    """Check every signature and time stamp in the PDF, oldest first.

    ``trusted_ca_pems`` are the partnership's certificate authority (from enrolment): a signer
    is trusted only with a chain to one of them.  Certificates are checked as of ``now``
    (default: the current time); if one is no longer valid then (it expired) but was valid at
    the signing time it states, it is still trusted, saying so: a paper record outlives its
    signer's certificate.  There is no revocation check (the app works offline).
    """
    trusted_ca_pems = tuple(trusted_ca_pems)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        with _quiet_pyhanko():
            embedded = reader.embedded_signatures
    except Exception as exc:
        log.info("PDF could not be read: %s", exc)
        return VerificationResult(
            Verdict.UNREADABLE,
            "DAMAGED: this file could not be read as a PDF, so it cannot be checked. It may "
            "have been changed or cut short.")
    if not embedded:
        if any(True for _ in removed_signatures(reader)):
            return VerificationResult(
                Verdict.ALTERED, "ALTERED: this document was signed, but its signature was "
                f"taken out afterwards. {DO_NOT_RELY}")
        return VerificationResult(
            Verdict.NOT_SIGNED,
            "NOT SIGNED: this PDF has no digital signature, so there is no way to tell whether "
            "it was changed.")
    checker = _Checker(reader, _trust_roots(trusted_ca_pems), now)
    try:
        for item in embedded:
            checker.checked.append(checker.check_one(item))
    except Exception as exc:
        log.info("signature could not be checked: %s", exc)
        who = f" after {checker._who(len(checker.checked) - 1)}" if checker.checked else \
            " after it was signed"
        return VerificationResult(
            Verdict.ALTERED,
            f"ALTERED: this document was changed{who} (a signature in it could not be "
            f"checked). {DO_NOT_RELY}")
    findings = [c.finding for c in checker.checked]
    details = tuple(f.line(n) for n, f in enumerate(findings, start=1))
    signers = [f for f in findings if not f.is_timestamp]
    first = signers[0] if signers else findings[0]
    common: dict[str, Any] = {
        "signer_name": first.name if signers else None,
        "signed_at": first.at if signers else None,
        "local_identity": any(f.standing is Standing.LOCAL for f in signers),
        "details": details,
        "signatures": tuple(findings),
    }
    try:
        checker.require_intact()
        checker.require_no_removed_signature()
        checker.require_only_signature_revisions()
        checker.require_allowed_changes()
        checker.require_nothing_after_last()
    except _Altered as altered:
        return VerificationResult(Verdict.ALTERED, str(altered),
                                  intact=all(f.intact for f in findings), **common)
    verdict, message = _verdict(findings)
    time_note, proven_at = _time_note(findings)
    return VerificationResult(
        verdict, message, intact=True,
        trusted=bool(signers) and all(f.standing is Standing.PARTNERSHIP for f in signers),
        time_note=time_note, proven_at=proven_at,
        # Only a trusted signer vouches that a proof belongs to the record on the page.
        record_times=record_time_lines(reader, trusted_ca_pems)
        if verdict is Verdict.VALID else (), **common)
