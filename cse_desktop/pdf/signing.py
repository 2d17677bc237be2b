"""PAdES signing of a finished PDF with the practitioner's key, entirely in memory.

The signature is an incremental update (PAdES baseline B-B, SHA-256, ETSI.CAdES.detached) so
any PDF reader, ``pdfsig`` or "Verify a PDF" can tell who signed and whether anything changed
since.  The key comes from the encrypted store and never touches the disk.
"""

from __future__ import annotations

import io

from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from cse_desktop.crypto.identity import SigningIdentity

FIELD_NAME = "PractitionerSignature"


def _signer(identity: SigningIdentity) -> signers.SimpleSigner:
    key = load_private_key_from_pemder_data(identity.private_key_pem, passphrase=None)
    certificate = next(iter(load_certs_from_pemder_data(identity.certificate_pem)))
    chain = [cert for pem in identity.chain_pem for cert in load_certs_from_pemder_data(pem)]
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([certificate, *chain]),
    )


def sign_pdf(pdf: bytes, identity: SigningIdentity, *, reason: str,
             location: str | None = None) -> bytes:
    """The PDF with a PAdES signature by ``identity`` added (an invisible signature field)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=identity.signer_name,
    )
    output = io.BytesIO()
    signers.sign_pdf(writer, meta, signer=_signer(identity), output=output)
    return output.getvalue()
