"""A record as a PDF, laid out from the definition of the form version it was captured with.

Order: title and status; child and record details with the QR code; the checklist's risk
level and reasons (checklists only); every visible section and answer; the drawn signature;
addenda, each with its own answers and signature; the note about the digital signature.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, Paragraph, Spacer

from cse_desktop.pdf.answers import section_flowables
from cse_desktop.pdf.blocks import (
    LOCAL_IDENTITY_LABEL,
    details_with_qr,
    digital_signature_note,
    risk_box,
    signature_block,
)
from cse_desktop.pdf.fingerprint import content_sha256, qr_payload
from cse_desktop.pdf.model import (
    ChildDetails,
    FormRecord,
    Progress,
    RecordDocument,
    SignerInfo,
    no_progress,
)
from cse_desktop.pdf.page import PageDecor, build_pdf
from cse_desktop.pdf.styles import RULE, styles
from cse_desktop.pdf.text import day, esc, when
from cse_desktop.records import SIGNABLE_TYPES


def subject_line(child: ChildDetails) -> str:
    parts = [f"Child: {child.name}"]
    if child.date_of_birth:
        parts.append(f"born {day(child.date_of_birth)}")
    if child.council_reference:
        parts.append(f"council ref {child.council_reference}")
    return " · ".join(parts)


def _signable(item: FormRecord) -> bool:
    return item.record.record_type in SIGNABLE_TYPES


def _status(item: FormRecord) -> str:
    record = item.record
    if not _signable(item):
        return f"Current details (last updated {esc(when(record.updated_at))})"
    if record.is_signed:
        return "Signed"
    return "<b>DRAFT — not signed</b>"


def _details(item: FormRecord, child: ChildDetails, signer: SignerInfo,
             refs: dict[str, str]) -> list[tuple[str, str]]:
    record, definition = item.record, item.definition
    rows = [
        ("Child", f"<b>{esc(child.name)}</b>"),
        ("Date of birth", esc(day(child.date_of_birth)) or "Not recorded"),
        ("Council case number", esc(child.council_reference) or "Not recorded"),
        ("Record id", esc(record.id)),
        ("Form", esc(f"{definition.title} ({definition.form_id}, version {definition.version})")),
        ("Status", _status(item)),
        ("Recorded by", esc(record.author)),
        ("Created", esc(when(record.created_at))),
        *([("Corrects or adds to", esc(f"{refs.get(record.amends_id, 'Record')} "
                                         f"({record.amends_id})"))] if record.amends_id else []),
        ("Content fingerprint", f'<font size="7.5">SHA-256 {content_sha256(record)}</font>'),
    ]
    if signer.self_signed:
        rows.append(("PDF signed with", f"<b>{esc(LOCAL_IDENTITY_LABEL)}</b>"))
    return rows


def _addendum_flowables(number: int, total: int, item: FormRecord,
                        refs: dict[str, str]) -> list[Flowable]:
    st = styles()
    record = item.record
    heading = f"Addendum {number} of {total}: {when(record.created_at)}, by {record.author}"
    out: list[Flowable] = [
        CondPageBreak(50 * mm),
        HRFlowable(width="100%", thickness=0.8, color=RULE, spaceBefore=6, spaceAfter=2),
        Paragraph(esc(heading), st.h1),
        Paragraph(f"Record id {esc(record.id)} · {esc(item.definition.form_id)} version "
                  f"{item.definition.version} · {_status(item)}", st.muted),
    ]
    out.extend(section_flowables(item.definition, record.data, refs))
    out.append(Spacer(1, 6))
    out.append(signature_block(record, item.proven_at))
    return out


def record_story(document: RecordDocument) -> list[Flowable]:
    st = styles()
    main = document.main
    record, definition = main.record, main.definition
    story: list[Flowable] = [
        Paragraph(esc(definition.title), st.title),
        details_with_qr(_details(main, document.child, document.signer, document.ref_labels),
                        qr_payload(record),
                        "Scan to match this paper copy to the record (record id and content "
                        "fingerprint)."),
    ]
    if main.risk is not None:
        story += [Spacer(1, 8), risk_box(main.risk)]
    story += section_flowables(definition, record.data, document.ref_labels)
    signer = document.signer
    if _signable(main):
        story += [CondPageBreak(40 * mm), Paragraph("Sign-off", st.h2),
                  signature_block(record, main.proven_at)]
    story += [Spacer(1, 8), digital_signature_note(signer.name, signer.role,
                                                   when(signer.printed_at), signer.self_signed,
                                                   time_proven=signer.time_proven)]
    if document.addenda:
        total = len(document.addenda)
        for number, item in enumerate(document.addenda, start=1):
            story += _addendum_flowables(number, total, item, document.ref_labels)
    return story


def render_record(document: RecordDocument, progress: Progress = no_progress) -> bytes:
    """The unsigned PDF of a record (sign it with ``cse_desktop.pdf.signing.sign_pdf``)."""
    record, definition = document.main.record, document.main.definition
    decor = PageDecor(
        organisation=document.organisation,
        title=definition.title + ("" if record.is_signed or not _signable(document.main)
                                  else " (draft)"),
        subject=subject_line(document.child),
        footer_left=f"{definition.form_id} v{definition.version} · record {record.id}",
        footer_second=f"Printed by {document.signer.name} on {when(document.signer.printed_at)}",
    )
    progress(20, "Laying out the form")
    return build_pdf(record_story(document), decor, author=document.signer.name,
                     progress=progress)
