"""PAdES signing of a finished PDF with the practitioner's key, entirely in memory.

The first signature *certifies* the document (DocMDP, "form filling" level): any PDF reader,
``pdfsig`` or "Verify a PDF" can tell who signed and whether anything changed since, and
readers such as Acrobat refuse edits other than later signatures and time stamps.  The
signature is an incremental update (PAdES baseline B-B, SHA-256, ETSI.CAdES.detached).

With a ``timestamper`` (the partnership's time service, when it can be reached) the signature
carries an RFC 3161 signature time stamp (PAdES B-T): proof from the service that the
signature, and so the signed document, existed by that time.  It sits inside the signature,
so ``pdfsig`` still reports the signature valid (poppler cannot check separate document time
stamps).  :func:`add_document_timestamp` appends a separate document time stamp, a change
the checker allows after signing.
The key comes from the encrypted store and never touches the disk.
"""

from __future__ import annotations

import io

from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from cse_desktop.clock import SYSTEM_CLOCK, Clock
from cse_desktop.crypto.identity import SigningIdentity

FIELD_NAME = "PractitionerSignature"
TIMESTAMP_FIELD_NAME = "PartnershipTimeStamp"


def _signer(identity: SigningIdentity) -> signers.SimpleSigner:
    key = load_private_key_from_pemder_data(identity.private_key_pem, passphrase=None)
    certificate = next(iter(load_certs_from_pemder_data(identity.certificate_pem)))
    chain = [cert for pem in identity.chain_pem for cert in load_certs_from_pemder_data(pem)]
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([certificate, *chain]),
    )


class _ClockedPdfSigner(signers.PdfSigner):
    """pyHanko's PDF signer with the signing time taken from the clock seam (pyHanko reads
    the system clock itself and has no option for it)."""

    def __init__(self, *args: object, clock: Clock, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._clock = clock

    def init_signing_session(self, pdf_out: BasePdfFileWriter,
                             existing_fields_only: bool = False) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._clock.now()
        return session


def _free_field_name(pdf: bytes, wanted: str) -> str:
    """``wanted``, or ``wanted2``, ``wanted3``… if the PDF already has that field."""
    existing = {s.field_name for s in PdfFileReader(io.BytesIO(pdf),
                                                    strict=False).embedded_signatures}
    name, number = wanted, 1
    while name in existing:
        number += 1
        name = f"{wanted}{number}"
    return name


def sign_pdf(pdf: bytes, identity: SigningIdentity, *, reason: str,
             location: str | None = None, timestamper: TimeStamper | None = None,
             clock: Clock = SYSTEM_CLOCK) -> bytes:
    """The PDF with a PAdES signature by ``identity`` added (an invisible signature field).

    An unsigned PDF is certified (DocMDP: later signatures and time stamps allowed, nothing
    else); an already signed one gets an ordinary approval signature.  With ``timestamper``
    the signature is time-stamped; if the time service fails, pyHanko's
    ``TimestampRequestError`` (or an ``OSError``) is raised and nothing is signed.  The
    signing time the signature states comes from ``clock``.
    """
    already_signed = bool(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=_free_field_name(pdf, FIELD_NAME) if already_signed else FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=identity.signer_name,
        certify=not already_signed,
        docmdp_permissions=MDPPerm.FILL_FORMS,
    )
    output = io.BytesIO()
    _ClockedPdfSigner(meta, signer=_signer(identity), timestamper=timestamper,
                      clock=clock).sign_pdf(writer, output=output)
    return output.getvalue()


def add_document_timestamp(pdf: bytes, timestamper: TimeStamper) -> bytes:
    """The PDF with an RFC 3161 document time stamp appended (an incremental update).

    Raises whatever the time stamper raises when the service cannot be reached (pyHanko's
    ``TimestampRequestError`` or an ``OSError``); the caller keeps the PDF without it.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = io.BytesIO()
    signers.PdfTimeStamper(timestamper, field_name=_free_field_name(pdf, TIMESTAMP_FIELD_NAME)
                           ).timestamp_pdf(writer, md_algorithm="sha256", output=output)
    return output.getvalue()
