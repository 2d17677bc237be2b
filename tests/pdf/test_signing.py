"""PAdES signatures: pdfsig and the app agree on valid, altered and unknown signers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdf_helpers import pdfsig
from pdf_synthetic import Casework

from cse_desktop.pdf import cli
from cse_desktop.pdf.verify import Verdict
from cse_desktop.services import documents


def signed_ranges(pdf: bytes) -> tuple[int, int, int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match, "no /ByteRange: the PDF is not signed"
    a, b, c, d = (int(x) for x in match.groups())
    return a, b, c, d


def flip_byte_in_a_stream(pdf: bytes) -> bytes:
    """Change one byte inside a content stream, well inside the first signed range."""
    start, length, _, _ = signed_ranges(pdf)
    position = pdf.index(b"stream", start + 100) + 40
    assert start <= position < start + length
    changed = bytearray(pdf)
    changed[position] ^= 0x01
    return bytes(changed)


@pytest.fixture
def record_pdf(work: Casework, local_identity) -> bytes:
    return documents.render_record_pdf(work.store, work.library, work.interview.id,
                                       work.worker, local_identity, None)


def test_pdfsig_reports_valid_and_whole_document_signed(record_pdf: bytes,
                                                        tmp_path: Path) -> None:
    report = pdfsig(record_pdf, tmp_path)
    assert "Signature is Valid." in report, report
    assert "Total document signed" in report, report
    assert "Signer Certificate Common Name: Łukasz Wiśniewski" in report or \
        "Common Name: Łukasz" in report, report
    assert "ETSI.CAdES.detached" in report, report


def test_case_summary_is_signed_too(work: Casework, local_identity, tmp_path: Path) -> None:
    pdf = documents.render_case_summary_pdf(work.store, work.library, work.child.id,
                                            work.lead, local_identity, None)
    report = pdfsig(pdf, tmp_path)
    assert "Signature is Valid." in report and "Total document signed" in report, report


def test_one_changed_byte_is_reported_as_altered(record_pdf: bytes, tmp_path: Path) -> None:
    altered = flip_byte_in_a_stream(record_pdf)
    report = pdfsig(altered, tmp_path)
    assert "Signature is Valid." not in report, report
    assert "Digest Mismatch" in report, report
    result = documents.verify_pdf(altered)
    assert result.verdict is Verdict.ALTERED
    assert result.message.startswith("ALTERED: this document was changed after Łukasz "
                                     "Wiśniewski signed it.")


def test_local_identity_is_an_unknown_signer(record_pdf: bytes) -> None:
    result = documents.verify_pdf(record_pdf)
    assert result.verdict is Verdict.UNKNOWN_SIGNER
    assert result.local_identity
    assert result.intact and not result.trusted
    assert result.message.startswith(
        "Signed by an unknown signer (local identity, not verified by the partnership).")
    assert "Łukasz Wiśniewski" in result.message
    assert "Not changed since it was signed" in result.message


def test_partnership_certificate_is_valid(work: Casework, ca_identity) -> None:
    identity, ca_pem = ca_identity
    pdf = documents.render_record_pdf(work.store, work.library, work.note.id, work.worker,
                                      identity, None)
    result = documents.verify_pdf(pdf, trusted_ca_pems=documents.trusted_certificates(identity))
    assert result.verdict is Verdict.VALID, result
    assert re.fullmatch(r"Valid: signed by Sam Carter on \d{1,2} \w+ \d{4} at \d\d:\d\d\. "
                        r"Not changed since it was signed\.", result.message), result.message
    untrusted = documents.verify_pdf(pdf)  # without the partnership's CA
    assert untrusted.verdict is Verdict.UNKNOWN_SIGNER
    assert "certificate not issued by the partnership" in untrusted.message
    assert documents.verify_pdf(flip_byte_in_a_stream(pdf), [ca_pem]).verdict is Verdict.ALTERED


def test_added_content_after_signing_is_altered(record_pdf: bytes) -> None:
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(record_pdf))
    page = writer.root["/Pages"]["/Kids"][0]
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (Extra) Tj ET")
    page_obj = page.get_object()
    page_obj["/Contents"] = writer.add_object(stream)
    writer.update_container(page_obj)
    out = BytesIO()
    writer.write(out)
    result = documents.verify_pdf(out.getvalue())
    assert result.verdict is Verdict.ALTERED, result
    assert result.message.startswith("ALTERED")


def test_unsigned_and_unreadable_files() -> None:
    assert documents.verify_pdf(b"%PDF-1.4 not really").verdict in (Verdict.UNREADABLE,
                                                                      Verdict.NOT_SIGNED)
    assert documents.verify_pdf(b"hello").verdict is Verdict.UNREADABLE
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 72, "unsigned")
    canvas.save()
    result = documents.verify_pdf(buffer.getvalue())
    assert result.verdict is Verdict.NOT_SIGNED
    assert result.message.startswith("NOT SIGNED")


def test_verify_command(record_pdf: bytes, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "rhi.pdf"
    good.write_bytes(record_pdf)
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(flip_byte_in_a_stream(record_pdf))
    assert cli.verify_main([str(good)]) == 1
    assert "Signed by an unknown signer (local identity" in capsys.readouterr().out
    assert cli.verify_main(["verify", str(bad)]) == 2
    assert "ALTERED: this document was changed after Łukasz" in capsys.readouterr().out
    assert cli.verify_main([str(tmp_path / "missing.pdf")]) == 3
    assert cli.verify_main([str(good), str(bad), "--details"]) == 2
    out = capsys.readouterr().out
    assert f"{good}: Signed by an unknown signer" in out and f"{bad}: ALTERED" in out


def test_verify_command_trusts_given_ca(work: Casework, ca_identity, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    identity, ca_pem = ca_identity
    pdf = documents.render_record_pdf(work.store, work.library, work.note.id, work.worker,
                                      identity, None)
    (tmp_path / "note.pdf").write_bytes(pdf)
    (tmp_path / "ca.pem").write_bytes(ca_pem)
    assert cli.verify_main([str(tmp_path / "note.pdf"), "--trust",
                            str(tmp_path / "ca.pem")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Valid: signed by Sam Carter on ")
    assert "by the signer's computer clock. That time is not yet proven" in out
    assert cli.verify_main([str(tmp_path / "note.pdf"), "--details", "--trust",
                            str(tmp_path / "ca.pem")]) == 0
    assert "  1. Signed by Sam Carter (partnership certificate) on " in \
        capsys.readouterr().out


def test_certificate_expired_since_signing_is_still_valid(work: Casework, ca_identity) -> None:
    import datetime as dt

    identity, ca_pem = ca_identity
    pdf = documents.render_record_pdf(work.store, work.library, work.note.id, work.worker,
                                      identity, None)
    expired = identity.certificate.not_valid_after_utc + dt.timedelta(days=2)
    from cse_desktop.pdf.verify import verify_pdf_bytes

    later = verify_pdf_bytes(pdf, [ca_pem], now=expired)
    assert later.verdict is Verdict.VALID, later
    assert later.message.endswith("The signer's certificate has expired since, but was valid "
                                  "when it was signed.")
    assert verify_pdf_bytes(pdf, [ca_pem]).message.endswith("Not changed since it was signed.")
    assert verify_pdf_bytes(flip_byte_in_a_stream(pdf), [ca_pem],
                            now=expired).verdict is Verdict.ALTERED


def test_signing_time_comes_from_the_clock(local_identity, tmp_path: Path) -> None:
    import io

    from reportlab.pdfgen.canvas import Canvas

    from cse_desktop.clock import FixedClock
    from cse_desktop.pdf.signing import sign_pdf

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 72, "signed at a fixed time")
    canvas.save()
    clock = FixedClock("2026-03-01T09:30:00Z")
    pdf = sign_pdf(buffer.getvalue(), local_identity, reason="test", clock=clock)
    result = documents.verify_pdf(pdf)
    assert result.signed_at == clock.now()
    assert "Signed at 1 March 2026 at 09:30 by the signer's computer clock" in result.time_note
    assert "Signing Time: Mar 01 2026 09:30:00" in pdfsig(pdf, tmp_path)
