"""A signed record's proven time, carried inside its PDF and checked by "Verify a PDF".

When a signed record has a time stamp token from the partnership's time service (obtained
at sync, see ``cse_desktop.sync.record_timestamps``), the record's PDF carries it as an
embedded file ``record-<id>-time-proof.json``: the record id, its content fingerprint
(SHA-256, as printed on the page), the signing time the laptop claimed, and the DER token
(base64).  It is added before the PDF is signed, so the practitioner's signature covers it.
Verify checks each one with pyHanko (imprint equals the fingerprint; the token's signer
chains to the partnership's authority) and says "signed on the laptop at …; proven to exist
by … at the latest".
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from cse_desktop.pdf.text import when_long
from cse_desktop.pdf.timestamping import TokenRefused, check_token

PREFIX = "record-"
SUFFIX = "-time-proof.json"
MAX_PROOF_BYTES = 64 * 1024

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordProof:
    record_id: str
    content_sha256: str  # hex
    signed_at: datetime  # the laptop's claim
    token: bytes  # DER ContentInfo

    def to_json(self) -> bytes:
        return json.dumps({
            "record_id": self.record_id, "content_sha256": self.content_sha256,
            "signed_at": self.signed_at.isoformat(),
            "time_stamp_token": base64.b64encode(self.token).decode()}, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> RecordProof:
        parsed = json.loads(data)
        return cls(str(parsed["record_id"]), str(parsed["content_sha256"]),
                   datetime.fromisoformat(str(parsed["signed_at"])),
                   base64.b64decode(str(parsed["time_stamp_token"]), validate=True))


def embed_record_proofs(pdf: bytes, proofs: Sequence[RecordProof]) -> bytes:
    """The (unsigned) PDF with the proofs as embedded files."""
    if not proofs:
        return pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for proof in proofs:
        name = f"{PREFIX}{proof.record_id}{SUFFIX}"
        data = embed.EmbeddedFileObject.from_file_data(
            writer, proof.to_json(), mime_type="application/json")
        embed.embed_file(writer, embed.FileSpec(
            file_spec_string=name, file_name=name, embedded_data=data,
            description=(f"Time stamp from the partnership's time service over the content "
                         f"fingerprint of record {proof.record_id}"),
            af_relationship=generic.NameObject("/Supplement")))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def read_record_proofs(reader: PdfFileReader) -> list[RecordProof]:
    """The proofs embedded in a PDF (unreadable ones are left out)."""
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except (KeyError, TypeError):
        return []
    proofs = []
    for index in range(0, len(names) - 1, 2):
        try:
            name = str(names[index])
            if not (name.startswith(PREFIX) and name.endswith(SUFFIX)):
                continue
            stream = names[index + 1].get_object()["/EF"]["/F"].get_object()
            data = stream.data
            if len(data) > MAX_PROOF_BYTES:
                continue
            proofs.append(RecordProof.from_json(data))
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            log.info("embedded record proof could not be read: %s", exc)
    return proofs


def record_time_lines(reader: PdfFileReader, trusted_ca_pems: Iterable[bytes]
                      ) -> tuple[str, ...]:
    """One plain sentence per embedded proof: proven, or why not."""
    pems = b"\n".join(trusted_ca_pems)
    lines = []
    for proof in read_record_proofs(reader):
        claimed = f"signed on the laptop at {when_long(proof.signed_at)}"
        try:
            if not pems:
                raise TokenRefused("no partnership certificate authority to check it against")
            digest = bytes.fromhex(proof.content_sha256)
            gen_time, service = check_token(cms.ContentInfo.load(proof.token), digest, pems)
        except (TokenRefused, ValueError) as exc:
            lines.append(f"Record {proof.record_id}: {claimed}; its proven time could not be "
                         f"confirmed ({str(exc).rstrip('.')}).")
            continue
        lines.append(f"Record {proof.record_id}: {claimed}; proven to exist by "
                     f"{when_long(gen_time)} at the latest ({service}).")
    return tuple(lines)
