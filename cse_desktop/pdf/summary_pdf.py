"""The case summary a team lead prints for one child.

In order: child details; current risk level with reasons and date assessed; the risk score
over time; missing episodes with return home interview timeliness; open actions (overdue
ones flagged); the chronology, newest first, one line per record; who printed it and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from cse_desktop.pdf.answers import section_flowables
from cse_desktop.pdf.blocks import details_table, digital_signature_note, risk_box
from cse_desktop.pdf.chart import risk_chart
from cse_desktop.pdf.model import Progress, SummaryDocument, no_progress
from cse_desktop.pdf.page import CONTENT_WIDTH, PageDecor, build_pdf
from cse_desktop.pdf.record_pdf import subject_line
from cse_desktop.pdf.styles import RULE, SHADE, WARN, Styles, styles
from cse_desktop.pdf.text import day, esc, short_id, when

_RED = f"#{WARN.hexval()[2:]}"
_WARN_ROW = "#fdecee"
CHRONOLOGY_SUMMARY = 120  # characters of each record's summary shown in the chronology
# Child fields already in the details at the top of the summary.
_SHOWN_ABOVE = frozenset({"first_name", "last_name", "preferred_name", "date_of_birth",
                          "local_reference"})


def _table(rows: list[list[Any]], widths: list[float], extra: Sequence[tuple[Any, ...]] = ()
           ) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *extra,
    ]))
    return table


def _header(st: Styles, *titles: str) -> list[Paragraph]:
    return [Paragraph(esc(t), st.cell_bold) for t in titles]


def _heading(text: str, st: Styles, room: float = 45 * mm) -> list[Flowable]:
    return [CondPageBreak(room), Paragraph(esc(text), st.h1)]


def _in_time(value: bool | None, unknown: str) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return f'<font color="{_RED}"><b>No</b></font>'
    return esc(unknown)


def _child_section(document: SummaryDocument, st: Styles) -> list[Flowable]:
    child = document.child
    age = ""
    if child.date_of_birth:
        today, dob = document.today, child.date_of_birth
        years = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        age = f" (age {years})"
    rows = [
        ("Name", f"<b>{esc(child.name)}</b>"),
        ("Date of birth", (esc(day(child.date_of_birth)) + age) or "Not recorded"),
        ("Council case number", esc(child.council_reference) or "Not recorded"),
    ]
    out: list[Flowable] = [*_heading("Child", st), details_table(rows, CONTENT_WIDTH)]
    if document.child_record is not None:
        item = document.child_record
        out += section_flowables(item.definition, item.record.data, {}, skip=_SHOWN_ABOVE)
    return out


def _risk_section(document: SummaryDocument, st: Styles) -> list[Flowable]:
    out = _heading("Current risk level", st)
    if document.current_risk is None:
        out.append(Paragraph("No warning-signs checklist has been signed yet, so there is no "
                             "current risk level.", st.body))
        return out
    out.append(risk_box(document.current_risk, heading="Current risk"))
    assessed = when(document.risk_assessed_at) if document.risk_assessed_at else "unknown"
    out.append(Spacer(1, 3))
    out.append(Paragraph(f"Assessed {esc(assessed)} (checklist record "
                         f"{esc(short_id(document.risk_record_id or ''))}).", st.muted))
    return out


def _chart_section(document: SummaryDocument, st: Styles) -> list[Flowable]:
    out = _heading("Risk score over time", st, room=85 * mm)
    count = len(document.risk_history)
    out.append(Paragraph(f"Score of each signed warning-signs checklist ({count} in all); the "
                         "shading shows the risk bands.", st.muted))
    out.append(Spacer(1, 4))
    out.append(risk_chart(document.risk_history, document.risk_bands, CONTENT_WIDTH))
    return out


def _episodes_section(document: SummaryDocument, st: Styles) -> list[Flowable]:
    out = _heading("Missing episodes and return home interviews", st)
    if not document.episodes:
        out.append(Paragraph("No missing or absent episodes recorded.", st.body))
        return out
    rows: list[list[Any]] = [_header(st, "Went missing", "Returned", "Interview due by",
                                     "Offered in 72 hours", "Completed in 72 hours",
                                     "Interview outcome")]
    extra: list[tuple[Any, ...]] = []
    for index, episode in enumerate(document.episodes, start=1):
        timing = episode.timeliness
        kind = "" if episode.kind == "Missing" else f" ({episode.kind.lower()})"
        offered = _in_time(timing.offered_in_time,
                           "Not returned yet" if episode.returned_at is None else "Not offered")
        if episode.offered_at is not None:
            offered += f"<br/>{esc(when(episode.offered_at))}"
        rows.append([
            Paragraph(esc(when(episode.went_missing_at)) + esc(kind), st.cell),
            Paragraph(esc(when(episode.returned_at)) or "Not returned", st.cell),
            Paragraph(esc(when(timing.deadline)), st.cell),
            Paragraph(offered, st.cell),
            Paragraph(_in_time(timing.completed_in_time, "Not yet"), st.cell),
            Paragraph(esc(episode.interview_outcome) or "No interview recorded", st.cell),
        ])
        if timing.offered_in_time is False or timing.completed_in_time is False:
            extra.append(("BACKGROUND", (0, index), (-1, index), _WARN_ROW))
    widths = [31 * mm, 28 * mm, 28 * mm, 30 * mm, 24 * mm, CONTENT_WIDTH - 141 * mm]
    out.append(_table(rows, widths, extra))
    return out


def _actions_section(document: SummaryDocument, st: Styles) -> list[Flowable]:
    out = _heading("Open actions", st)
    if not document.actions:
        out.append(Paragraph("No open actions.", st.body))
        return out
    overdue = sum(1 for a in document.actions if a.overdue)
    if overdue:
        out.append(Paragraph(f'<font color="{_RED}"><b>{overdue} overdue</b></font> '
                             f"of {len(document.actions)} open actions.", st.body))
        out.append(Spacer(1, 3))
    rows: list[list[Any]] = [_header(st, "Action", "Owner", "Due", "Status", "From")]
    extra: list[tuple[Any, ...]] = []
    for index, action in enumerate(document.actions, start=1):
        status = f'<font color="{_RED}"><b>OVERDUE</b></font>' if action.overdue else "Open"
        if action.overdue:
            extra.append(("BACKGROUND", (0, index), (-1, index), _WARN_ROW))
        rows.append([
            Paragraph(esc(action.what) or "(no description)", st.cell),
            Paragraph(esc(action.owner) or "No owner", st.cell),
            Paragraph(esc(day(action.due)) or "No date", st.cell),
            Paragraph(status, st.cell),
            Paragraph(esc(action.source), st.cell),
        ])
    widths = [66 * mm, 30 * mm, 24 * mm, 20 * mm, CONTENT_WIDTH - 140 * mm]
    out.append(_table(rows, widths, extra))
    return out


def _chronology_section(document: SummaryDocument, st: Styles,
                        progress: Progress) -> list[Flowable]:
    out = _heading("Chronology (newest first)", st)
    out.append(Paragraph("One line per record. “Ref” is the start of the record id: search "
                         "for it in the app to open the record.", st.muted))
    out.append(Spacer(1, 3))
    if not document.chronology:
        out.append(Paragraph("No records yet.", st.body))
        return out
    rows: list[list[Any]] = [[Paragraph(esc(t), st.small_bold)
                              for t in ("Date", "Record", "Summary", "By", "Ref")]]
    total = len(document.chronology)
    for index, entry in enumerate(document.chronology):
        title = esc(entry.title)
        if entry.state == "draft":
            title += " <b>(draft)</b>"
        rows.append([
            Paragraph(esc(when(entry.occurred_at)), st.small),
            Paragraph(title, st.small),
            Paragraph(esc(_shorten(entry.summary)), st.small),
            Paragraph(esc(entry.author), st.small),
            Paragraph(esc(short_id(entry.record_id)), st.small),
        ])
        if index % 100 == 0:
            progress(10 + int(15 * index / total), "Preparing the chronology")
    widths = [30.5 * mm, 30 * mm, CONTENT_WIDTH - 105 * mm, 27.5 * mm, 17 * mm]
    out.append(_table(rows, widths, [("LEFTPADDING", (0, 0), (-1, -1), 2),
                                     ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    return out


def _shorten(text: str, limit: int = CHRONOLOGY_SUMMARY) -> str:
    """At most ``limit`` characters, cut at a word, so each chronology row stays short."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def summary_story(document: SummaryDocument, progress: Progress = no_progress
                  ) -> list[Flowable]:
    st = styles()
    signer = document.signer
    story: list[Flowable] = [
        Paragraph("Case summary", st.title),
        Paragraph(f"Printed by <b>{esc(signer.name)}</b> ({esc(signer.role)}) on "
                  f"{esc(when(signer.printed_at))}.", st.body),
    ]
    story += _child_section(document, st)
    story += _risk_section(document, st)
    story += _chart_section(document, st)
    story += _episodes_section(document, st)
    story += _actions_section(document, st)
    story += _chronology_section(document, st, progress)
    story += _heading("Printed", st, room=40 * mm)
    story.append(digital_signature_note(signer.name, signer.role, when(signer.printed_at),
                                        signer.self_signed, time_proven=signer.time_proven))
    return story


def render_summary(document: SummaryDocument, progress: Progress = no_progress) -> bytes:
    """The unsigned case summary PDF."""
    decor = PageDecor(
        organisation=document.organisation,
        title="Case summary",
        subject=subject_line(document.child),
        footer_left=f"Case summary · child record {document.child.child_id or ''}",
        footer_second=f"Printed by {document.signer.name} on {when(document.signer.printed_at)}",
    )
    story = summary_story(document, progress)
    return build_pdf(story, decor, author=document.signer.name, progress=progress,
                     start=25, end=85)
