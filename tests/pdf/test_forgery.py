"""Forged PDFs: every signature is checked, in order, and any change after the first one other
than a later invisible signature or time stamp makes the document ALTERED.

The first tests are the security review's findings: they passed as "Valid … not changed" or
"unknown signer … not changed" before every signature was checked.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import Partnership
from forgery import (
    FORGED_TEXT,
    LocalTimeStamper,
    cover_page,
    cover_with_box,
    sign_as,
    strip_signatures,
    unsigned_revision,
)
from pdf_helpers import page_texts, pdfsig
from pdf_synthetic import Casework
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import read_certification_data
from test_signing import flip_byte_in_a_stream

from cse_desktop.crypto.identity import SigningIdentity
from cse_desktop.pdf import cli
from cse_desktop.pdf.signing import add_document_timestamp
from cse_desktop.pdf.verify import Standing, Verdict, verify_pdf_bytes
from cse_desktop.server.ca import CertificateAuthority
from cse_desktop.server.timestamps import TimeStampAuthority
from cse_desktop.services import documents


@pytest.fixture(scope="module")
def bob(partnership: Partnership) -> SigningIdentity:
    """Another enrolled user: a certificate from the same partnership authority."""
    return partnership.issue("Bob Mallory")


@pytest.fixture
def signed(work: Casework, ca_identity: tuple[SigningIdentity, bytes]) -> bytes:
    """Sam Carter's signed (certified) PDF of a return home interview."""
    identity, _ = ca_identity
    return documents.render_record_pdf(work.store, work.library, work.interview.id,
                                       work.worker, identity, None)


@pytest.fixture(scope="module")
def authority(partnership: Partnership, tmp_path_factory: pytest.TempPathFactory
              ) -> TimeStampAuthority:
    """The service's time stamping authority, issued by the same partnership authority."""
    ca = CertificateAuthority(partnership.key, partnership.certificate)
    return TimeStampAuthority.load_or_create(tmp_path_factory.mktemp("tsa"), ca)


def check(pdf: bytes, partnership: Partnership) -> object:
    return verify_pdf_bytes(pdf, [partnership.pem])


def test_the_forgery_really_shows_on_the_page(signed: bytes) -> None:
    forged = cover_page(signed)
    assert FORGED_TEXT.decode() in page_texts(forged)[0]
    assert FORGED_TEXT.decode() not in page_texts(signed)[0]


def test_covered_page_countersigned_by_another_enrolled_user_is_altered(
        signed: bytes, bob: SigningIdentity, partnership: Partnership, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    forged = sign_as(cover_page(signed), bob)
    result = check(forged, partnership)
    assert result.verdict is Verdict.ALTERED, result.message
    assert result.message.startswith(
        "ALTERED: something was added to this document after Sam Carter signed it: page 1 "
        "was changed."), result.message
    assert "a signature by Bob Mallory (partnership certificate)" in result.message
    assert "not changed" not in result.message.lower()
    (tmp_path / "forged.pdf").write_bytes(forged)
    (tmp_path / "ca.pem").write_bytes(partnership.pem)
    assert cli.verify_main([str(tmp_path / "forged.pdf"), "--trust",
                            str(tmp_path / "ca.pem")]) == 2
    assert capsys.readouterr().out.startswith("ALTERED: something was added")


def test_covered_page_in_the_same_update_as_the_countersignature_is_altered(
        signed: bytes, bob: SigningIdentity, partnership: Partnership) -> None:
    forged = sign_as(signed, bob, cover_first=True)
    assert FORGED_TEXT.decode() in page_texts(forged)[0]
    result = check(forged, partnership)
    assert result.verdict is Verdict.ALTERED, result.message
    assert "after Sam Carter signed it: page 1 was changed" in result.message


def test_covered_page_countersigned_with_a_self_made_certificate_is_altered(
        signed: bytes, local_identity: SigningIdentity, partnership: Partnership) -> None:
    forged = sign_as(cover_page(signed), local_identity)
    result = check(forged, partnership)
    assert result.verdict is Verdict.ALTERED, result.message
    assert "after Sam Carter signed it" in result.message
    assert "Łukasz Wiśniewski (local identity, not verified by the partnership)" in \
        result.message
    assert "unknown signer" not in result.message


def test_covered_page_without_a_second_signature_is_altered(
        signed: bytes, partnership: Partnership) -> None:
    result = check(cover_page(signed), partnership)
    assert result.verdict is Verdict.ALTERED
    assert result.message.startswith("ALTERED: something was added to this document after "
                                     "Sam Carter signed it: page 1 was changed.")


@pytest.mark.parametrize("as_form_field", [False, True], ids=["annotation", "form-field"])
def test_a_box_laid_over_the_page_and_countersigned_is_altered(
        signed: bytes, bob: SigningIdentity, partnership: Partnership,
        as_form_field: bool) -> None:
    forged = sign_as(cover_with_box(signed, as_form_field=as_form_field), bob)
    result = check(forged, partnership)
    assert result.verdict is Verdict.ALTERED, result.message
    assert "after Sam Carter signed it: marks or notes were put on page 1" in result.message


def test_bytes_appended_after_the_end_of_file_are_altered(
        signed: bytes, partnership: Partnership) -> None:
    assert signed.rstrip().endswith(b"%%EOF")
    result = check(signed + b"\n% a note added later\n", partnership)
    assert result.verdict is Verdict.ALTERED
    assert result.message.startswith("ALTERED: extra data was added to the end of this file "
                                     "after Sam Carter signed it.")


def test_a_stripped_signature_is_altered(signed: bytes, partnership: Partnership) -> None:
    stripped = strip_signatures(signed)
    assert not PdfFileReader(io.BytesIO(stripped), strict=False).embedded_signatures
    result = check(stripped, partnership)
    assert result.verdict is Verdict.ALTERED, result.message
    assert "signature was taken out" in result.message


def test_the_file_cut_back_to_before_signing_is_not_signed(
        signed: bytes, partnership: Partnership, tmp_path: Path) -> None:
    result = check(unsigned_revision(signed), partnership)
    assert result.verdict is Verdict.NOT_SIGNED
    (tmp_path / "cut.pdf").write_bytes(unsigned_revision(signed))
    assert cli.verify_main([str(tmp_path / "cut.pdf")]) == 2


def test_one_byte_flip_under_a_countersignature_is_altered(
        signed: bytes, bob: SigningIdentity, partnership: Partnership) -> None:
    countersigned = sign_as(signed, bob)
    result = check(flip_byte_in_a_stream(countersigned), partnership)
    assert result.verdict is Verdict.ALTERED
    assert result.message.startswith("ALTERED: this document was changed after Sam Carter "
                                     "signed it.")


def test_a_visible_countersignature_box_is_altered(
        signed: bytes, bob: SigningIdentity, partnership: Partnership) -> None:
    result = check(sign_as(signed, bob, visible=True), partnership)
    assert result.verdict is Verdict.ALTERED
    assert ("after Sam Carter signed it: marks or notes were put on page 1" in result.message
            or "a visible box was added to a page after Sam Carter signed it" in result.message)


def test_an_invisible_countersignature_by_an_enrolled_user_is_valid(
        signed: bytes, bob: SigningIdentity, partnership: Partnership, tmp_path: Path) -> None:
    countersigned = sign_as(signed, bob)
    result = check(countersigned, partnership)
    assert result.verdict is Verdict.VALID, result.message
    assert result.message.endswith("Also signed by Bob Mallory (partnership certificate).")
    assert [s.name for s in result.signatures] == ["Sam Carter", "Bob Mallory"]
    report = pdfsig(countersigned, tmp_path)
    assert report.count("Signature is Valid.") == 2, report


def test_an_invisible_countersignature_by_a_self_made_certificate_is_an_unknown_signer(
        signed: bytes, local_identity: SigningIdentity, partnership: Partnership) -> None:
    result = check(sign_as(signed, local_identity), partnership)
    assert result.verdict is Verdict.UNKNOWN_SIGNER, result.message
    assert "also signed by an unknown signer: Łukasz Wiśniewski" in result.message


def test_app_pdfs_are_certified_and_pdfsig_finds_them_valid(
        signed: bytes, tmp_path: Path) -> None:
    certification = read_certification_data(PdfFileReader(io.BytesIO(signed)))
    assert certification is not None and certification.permission is MDPPerm.FILL_FORMS
    report = pdfsig(signed, tmp_path)
    assert "Signature is Valid." in report and "Total document signed" in report, report


def test_a_later_document_time_stamp_is_allowed(
        signed: bytes, authority: TimeStampAuthority, partnership: Partnership,
        tmp_path: Path) -> None:
    stamped = add_document_timestamp(signed, LocalTimeStamper(authority))
    result = check(stamped, partnership)
    assert result.verdict is Verdict.VALID, result.message
    assert result.time_proven
    assert [s.is_timestamp for s in result.signatures] == [False, True]
    assert result.signatures[1].standing is Standing.PARTNERSHIP
    assert "Signature is Valid." in pdfsig(stamped, tmp_path)  # the practitioner's signature


def test_content_added_after_a_document_time_stamp_is_altered(
        signed: bytes, authority: TimeStampAuthority, partnership: Partnership) -> None:
    stamped = add_document_timestamp(signed, LocalTimeStamper(authority))
    result = check(cover_page(stamped), partnership)
    assert result.verdict is Verdict.ALTERED
    assert "after the time stamp from Partnership time service was added: page 1 was " \
        "changed" in result.message


def test_details_speak_plainly(signed: bytes, bob: SigningIdentity,
                               partnership: Partnership) -> None:
    result = check(sign_as(signed, bob), partnership)
    text = " ".join(result.details)
    assert result.details[0].startswith("1. Signed by Sam Carter (partnership certificate) on ")
    assert result.details[1].startswith("2. Signed by Bob Mallory (partnership certificate)")
    for jargon in ("INTACT", "UNTOUCHED", "TRUSTED", "Reference(", "UID", "0.9.2342"):
        assert jargon not in text, text
