"""What a forger can do to a signed PDF, with ordinary tools (pyHanko and byte editing).

Each function returns new PDF bytes; none uses the app's own signing code, so the tests show
what the checker makes of files it did not make itself.
"""

from __future__ import annotations

import io

from asn1crypto import tsp
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from cse_desktop.crypto.identity import SigningIdentity
from cse_desktop.server.timestamps import TimeStampAuthority

FORGED_TEXT = b"Child seen and safe. No concerns."


def _signer(identity: SigningIdentity) -> signers.SimpleSigner:
    key = load_private_key_from_pemder_data(identity.private_key_pem, passphrase=None)
    cert = next(iter(load_certs_from_pemder_data(identity.certificate_pem)))
    chain = [c for pem in identity.chain_pem for c in load_certs_from_pemder_data(pem)]
    return signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))


def _cover_first_page(writer: IncrementalPdfFileWriter) -> None:
    """Paint over page 1 with a white box and new words (a page-covering forgery)."""
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    font = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Font"),
        generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
        generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica")}))
    resources = page["/Resources"]
    fonts = resources.get("/Font", generic.DictionaryObject())
    fonts = fonts.get_object() if hasattr(fonts, "get_object") else fonts
    fonts[generic.NameObject("/Fx")] = font
    resources[generic.NameObject("/Font")] = fonts
    cover = generic.StreamObject(stream_data=(
        b"q 1 1 1 rg 0 0 612 842 re f Q BT /Fx 18 Tf 60 700 Td (" + FORGED_TEXT + b") Tj ET"))
    page[generic.NameObject("/Contents")] = generic.ArrayObject(
        [*_as_list(page["/Contents"]), writer.add_object(cover)])
    writer.update_container(page)


def _as_list(contents: object) -> list[object]:
    raw = contents.get_object() if hasattr(contents, "get_object") else contents
    if isinstance(raw, generic.ArrayObject):
        return list(raw)
    return [contents]


def cover_page(pdf: bytes) -> bytes:
    """An incremental update that paints over page 1."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    _cover_first_page(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_as(pdf: bytes, identity: SigningIdentity, field: str = "Countersignature", *,
            cover_first: bool = False, visible: bool = False) -> bytes:
    """Sign with any key; ``cover_first`` paints over page 1 in the same update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if cover_first:
        _cover_first_page(writer)
    spec = fields.SigFieldSpec(field, box=(300, 60, 560, 120)) if visible else None
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=_signer(identity), new_field_spec=spec).sign_pdf(
        writer, output=out)
    return out.getvalue()


def strip_signatures(pdf: bytes) -> bytes:
    """An incremental update that takes every signature field out of the form."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    acroform = writer.root["/AcroForm"]
    acroform[generic.NameObject("/Fields")] = generic.ArrayObject()
    writer.update_container(acroform)
    root = writer.root
    if "/Perms" in root:
        del root["/Perms"]
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def unsigned_revision(pdf: bytes) -> bytes:
    """The file cut back to before its first signature (the bytes the signer started from)."""
    end = pdf.index(b"%%EOF") + len(b"%%EOF")
    return pdf[:end] + b"\n"


class LocalTimeStamper(TimeStamper):
    """pyHanko asks the service's time stamping authority directly (no network)."""

    def __init__(self, authority: TimeStampAuthority) -> None:
        super().__init__()
        self.authority = authority

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(self.authority.respond(req.dump()))


def cover_with_box(pdf: bytes, *, as_form_field: bool = False) -> bytes:
    """An incremental update that lays a white box over the top of page 1: a free-text
    annotation, or (``as_form_field``) a filled text field of the form."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    name = generic.NameObject
    number = generic.NumberObject
    appearance = generic.StreamObject({
        name("/Type"): name("/XObject"), name("/Subtype"): name("/Form"),
        name("/BBox"): generic.ArrayObject([number(0), number(0), number(500), number(100)])},
        stream_data=b"1 1 1 rg 0 0 500 100 re f")
    box = generic.DictionaryObject({
        name("/Type"): name("/Annot"),
        name("/Subtype"): name("/Widget" if as_form_field else "/FreeText"),
        name("/Rect"): generic.ArrayObject([number(v) for v in (50, 650, 550, 750)]),
        name("/AP"): generic.DictionaryObject({name("/N"): writer.add_object(appearance)}),
        name("/P"): page_ref})
    if as_form_field:
        box[name("/FT")] = name("/Tx")
        box[name("/T")] = generic.TextStringObject("cover")
        box[name("/V")] = generic.TextStringObject(FORGED_TEXT.decode())
    ref = writer.add_object(box)
    annots = page.get("/Annots", generic.ArrayObject())
    annots = annots.get_object() if hasattr(annots, "get_object") else annots
    annots.append(ref)
    page[name("/Annots")] = annots
    writer.update_container(page)
    if as_form_field:
        acroform = writer.root["/AcroForm"]
        acroform["/Fields"].append(ref)
        writer.update_container(acroform)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
