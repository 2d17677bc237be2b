"""Blocks shared by the record and summary layouts: details tables, QR code, risk result,
drawn signature and the note about the digital signature."""

from __future__ import annotations

import io
from datetime import datetime

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from cse_desktop.forms import RiskResult
from cse_desktop.pdf.page import CONTENT_WIDTH
from cse_desktop.pdf.styles import LEVEL_INK, MUTED, RULE, SHADE, WARN, styles
from cse_desktop.pdf.text import esc, when
from cse_desktop.records import Record, Signature

LOCAL_IDENTITY_LABEL = "Local identity — not verified by the partnership"
QR_SIZE = 32 * mm


def qr_code(payload: str, size: float = QR_SIZE) -> Drawing:
    widget = QrCodeWidget(payload, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def details_table(rows: list[tuple[str, str]], width: float, label_width: float = 42 * mm,
                  ) -> Table:
    """Small label | value table (values are paragraph markup)."""
    st = styles()
    data = [[Paragraph(esc(label), st.label), Paragraph(value, st.body)] for label, value in rows]
    table = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def details_with_qr(rows: list[tuple[str, str]], payload: str, caption: str) -> Table:
    st = styles()
    qr_column = 38 * mm
    left = details_table(rows, CONTENT_WIDTH - qr_column)
    right = [qr_code(payload), Paragraph(esc(caption), st.small)]
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH - qr_column, qr_column],
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def risk_box(risk: RiskResult, heading: str = "Risk level") -> Flowable:
    """The level in colour with the reasons (score, contributing indicators, gaps)."""
    st = styles()
    shown = risk.shown_level  # None while the checklist is not assessed yet: never green
    colour = LEVEL_INK[shown.value if shown else "not_assessed"]
    headline = Paragraph(
        f'{esc(heading)}: <font color="#{colour.hexval()[2:]}">{esc(risk.headline)}</font>'
        f"  (score {risk.score})", st.big)
    parts: list[Flowable] = [headline, Spacer(1, 3), Paragraph(esc(risk.explanation), st.body)]
    table = Table([[parts]], colWidths=[CONTENT_WIDTH], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("LINEBEFORE", (0, 0), (0, -1), 5, colour),
        ("BACKGROUND", (0, 0), (-1, -1), SHADE),
        ("LEFTPADDING", (0, 0), (-1, -1), 10),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))
    return table


def _signature_image(png: bytes | None) -> Flowable | str:
    if not png:
        return "(no drawn signature)"
    try:
        image = Image(io.BytesIO(png))
    except Exception:
        return "(the drawn signature could not be read)"
    ratio = min(60 * mm / image.imageWidth, 18 * mm / image.imageHeight)
    image.drawWidth = image.imageWidth * ratio
    image.drawHeight = image.imageHeight * ratio
    image.hAlign = "LEFT"
    return image


RECORD_TIME_NOT_PROVEN_TEXT = ("Its time is not yet proven by the partnership's time service "
                               "(it will be after the next sync).")


def record_time_text(signed_at: datetime, proven_at: datetime | None) -> str:
    """Whether a signed record's time is proven by the partnership's time service."""
    claimed = f"Signed on the laptop at {when(signed_at)} (UK time)"
    if proven_at is None:
        return f"{claimed}. {RECORD_TIME_NOT_PROVEN_TEXT}"
    return (f"{claimed}; proven to exist by {when(proven_at)} (UK time) at the latest "
            "(the partnership's time service).")


def signature_block(record: Record, proven_at: datetime | None = None) -> Flowable:
    """Who signed the record, their role, when (UK time), the drawn signature, and whether
    the time is proven (``proven_at``: the time service's token time over its content)."""
    st = styles()
    signature: Signature | None = record.signature
    if not record.is_signed or signature is None:
        return Paragraph("<b>Not signed.</b> This is a draft and may still change.", st.warning)
    image = _signature_image(signature.image_png)
    cell = Paragraph(esc(image), st.muted) if isinstance(image, str) else image
    rows = [
        [Paragraph("Signed by", st.label), Paragraph(esc(signature.signed_by), st.body),
         Paragraph("Signature", st.label)],
        [Paragraph("Role", st.label), Paragraph(esc(signature.signer_role), st.body), cell],
        [Paragraph("Signed at", st.label),
         Paragraph(esc(when(signature.signed_at)) + " (UK time)", st.body), ""],
    ]
    table = Table(rows, colWidths=[28 * mm, 68 * mm, CONTENT_WIDTH - 96 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("SPAN", (2, 1), (2, 2)),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    proof = Paragraph(esc(record_time_text(signature.signed_at, proven_at)),
                      st.body if proven_at is not None else st.muted)
    return KeepTogether([table, Spacer(1, 3), proof])


TIME_PROVEN_TEXT = ("<b>Time proven.</b> This PDF's signature carries a time stamp from the "
                    "partnership's time service, which proves when the PDF was printed; "
                    "“Verify a PDF” shows it.")
TIME_NOT_PROVEN_TEXT = ("<b>Time not yet proven.</b> The time this PDF was printed comes from "
                        "this computer's clock: the partnership's time service could not be "
                        "reached when the PDF was made (for example while offline), so that "
                        "time is not proven.")


def digital_signature_note(signer_name: str, signer_role: str, printed_at_text: str,
                           self_signed: bool, *, time_proven: bool = False) -> Flowable:
    """Explains the PDF's digital signature and whether its time is proven; local
    identities are clearly labelled."""
    st = styles()
    parts: list[Flowable] = [Paragraph(
        f"<b>Digital signature.</b> This PDF was printed and digitally signed by "
        f"{esc(signer_name)} ({esc(signer_role)}) on {esc(printed_at_text)}. A PDF reader, "
        "or “Verify a PDF” in the app, can check who signed it and that nothing has changed "
        "since.", st.body), Spacer(1, 3),
        Paragraph(TIME_PROVEN_TEXT if time_proven else TIME_NOT_PROVEN_TEXT, st.body)]
    if self_signed:
        parts.append(Spacer(1, 3))
        parts.append(Paragraph(
            f'<font color="#{WARN.hexval()[2:]}"><b>{LOCAL_IDENTITY_LABEL}.</b></font> The key '
            "that signed this PDF was made on the signer's own device and has not been "
            "certified by the partnership, so a reader cannot confirm who the signer is.",
            st.body))
    table = Table([[parts]], colWidths=[CONTENT_WIDTH], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, MUTED),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
    ]))
    return KeepTogether([table])
