"""The quarterly performance report for the partnership board.

Figures only: no child is named or identified (the board sees numbers, practitioners see
children).  In order: the headline measures with their definitions; return home interviews
month by month; children at each risk level at each month end (table and bar chart);
repeat missing; referrals by agency (table and bar chart); overdue actions; who printed it.
The services layer signs it like every other PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from cse_desktop.forms import RiskLevel
from cse_desktop.pdf.blocks import digital_signature_note
from cse_desktop.pdf.fonts import REGULAR
from cse_desktop.pdf.model import Organisation, Progress, SignerInfo, no_progress
from cse_desktop.pdf.page import CONTENT_WIDTH, PageDecor, build_pdf
from cse_desktop.pdf.styles import BRAND, LEVEL_COLOURS, RULE, SHADE, Styles, styles
from cse_desktop.pdf.text import esc, when

if TYPE_CHECKING:  # the layout is given plain data; it never calls the services
    from cse_desktop.domain.measures import Figure, Measures

TITLE = "Performance report for the partnership board"
NOT_ASSESSED = "not_assessed"  # as in cse_desktop.domain.measures
NOT_ASSESSED_COLOUR = LEVEL_COLOURS[NOT_ASSESSED]

DEFINITIONS = (
    ("RHIs offered within 72 hours",
     "Missing episodes whose child returned in the period with a return home interview "
     "offered no later than 72 hours after the return, out of all missing episodes returned "
     "in the period. Exactly 72 hours counts as in time."),
    ("RHIs completed within 72 hours",
     "Of the same episodes, those whose interview was completed no later than 72 hours after "
     "the return."),
    ("RHIs declined",
     "Interviews declined by the child or by a parent or carer, out of the interviews "
     "recorded (with an outcome) for the episodes returned in the period."),
    ("Children at each risk level",
     "Each child's latest signed warning-signs checklist assessed before the end of the "
     "month. Unsigned checklists are not counted."),
    ("Repeat missing",
     "Children with 3 or more missing episodes starting in the 90 days before the end of the "
     "period."),
    ("Referrals by agency",
     "How often each agency was chosen on signed return home interviews for children who "
     "returned in the period."),
    ("Overdue actions", "Open actions whose due date is before the day the report was made."),
)


@dataclass(frozen=True)
class BoardReport:
    """What the layout is given: the period's measures and each month's."""

    measures: Measures
    months: tuple[tuple[str, Measures], ...]  # ("January 2026", the month's measures)
    organisation: Organisation
    signer: SignerInfo


def _table(rows: list[list[object]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _cells(st: Styles, *texts: str, bold: bool = False) -> list[Paragraph]:
    """A table row: the first cell as text, the others (figures) aligned right."""
    style = st.cell_bold if bold else st.cell
    right = ParagraphStyle(f"{style.name}_right", parent=style, alignment=TA_RIGHT)
    return [Paragraph(esc(t), style if i == 0 else right) for i, t in enumerate(texts)]


def _percent(figure: Figure) -> str:
    percent = figure.percent
    return "–" if percent is None else f"{percent:.1f}%"


def _headline(report: BoardReport, st: Styles) -> list[Flowable]:
    m = report.measures
    rows: list[list[object]] = [_cells(st, "Measure", "Count", "Out of", "Per cent", bold=True)]
    for figure in (m.offered_in_time, m.completed_in_time, m.declined, m.declined_by_child,
                   m.declined_by_parent):
        rows.append(_cells(st, figure.label, str(figure.count),
                           f"{figure.base} {figure.units(figure.base or 0)}", _percent(figure)))
    for figure in (m.repeat_missing, m.overdue_actions):
        rows.append(_cells(st, figure.label, figure.amount(), "", ""))
    widths = [CONTENT_WIDTH - 95 * mm, 22 * mm, 48 * mm, 25 * mm]
    return [Paragraph("Headline measures", st.h1), _table(rows, widths)]


def _monthly_rhis(report: BoardReport, st: Styles) -> list[Flowable]:
    if len(report.months) < 2:
        return []
    rows: list[list[object]] = [_cells(st, "Month", "Returned", "Offered in 72 h",
                                       "Completed in 72 h", "Declined", bold=True)]
    for label, month in report.months:
        rows.append(_cells(
            st, label, str(month.offered_in_time.base),
            f"{month.offered_in_time.count} ({_percent(month.offered_in_time)})",
            f"{month.completed_in_time.count} ({_percent(month.completed_in_time)})",
            month.declined.amount()))
    widths = [CONTENT_WIDTH - 130 * mm, 25 * mm, 37 * mm, 37 * mm, 31 * mm]
    return [Paragraph("Return home interviews month by month", st.h1),
            Paragraph("Episodes are counted in the month the child returned.", st.muted),
            Spacer(1, 3), _table(rows, widths)]


def _risk_chart(measures: Measures) -> Drawing:
    months = measures.risk_by_month
    keys = [level.value for level in (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW,
                                      RiskLevel.NO_APPARENT)] + [NOT_ASSESSED]
    width, height = CONTENT_WIDTH, 62 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = width - 60 * mm, height - 16 * mm
    chart.data = [[month.figure(key).count for month in months] for key in keys]
    chart.categoryAxis.categoryNames = [f"{month.month:%b %Y}" for month in months]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max([max(series, default=0) for series in chart.data] + [1])
    chart.valueAxis.valueMax = top + 1
    chart.valueAxis.valueStep = max(1, (top + 1) // 5)
    chart.groupSpacing = 6
    colours = [LEVEL_COLOURS[key] for key in keys[:-1]] + [NOT_ASSESSED_COLOUR]
    for index, colour in enumerate(colours):
        chart.bars[index].fillColor = colour
        chart.bars[index].strokeColor = None
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabelFormat = "%d"
    chart.barLabels.nudge = 5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 44 * mm, height - 8 * mm
    legend.fontName, legend.fontSize = REGULAR, 8
    legend.alignment = "right"
    legend.columnMaximum = 5
    labels = [months[0].figure(key).label for key in keys] if months else []
    legend.colorNamePairs = list(zip(colours, labels, strict=False))
    drawing.add(legend)
    return drawing


def _risk(report: BoardReport, st: Styles) -> list[Flowable]:
    months = report.measures.risk_by_month
    if not months:
        return []
    header = ["Risk level", *[f"{m.month:%b %Y}" for m in months]]
    rows: list[list[object]] = [_cells(st, *header, bold=True)]
    for index, figure in enumerate(months[0].levels):
        rows.append(_cells(st, figure.label,
                           *[str(month.levels[index].count) for month in months]))
    first = CONTENT_WIDTH - 25 * mm * len(months)
    out: list[Flowable] = [
        Paragraph("Children at each risk level at the end of each month", st.h1),
        Paragraph("From each child's latest signed warning-signs checklist.", st.muted),
        Spacer(1, 3), _table(rows, [first] + [25 * mm] * len(months)), Spacer(1, 6),
        KeepTogether([_risk_chart(report.measures)]),
    ]
    return out


def _referral_chart(figures: Sequence[Figure]) -> Drawing:
    height = (8 * len(figures) + 10) * mm / 1.6
    drawing = Drawing(CONTENT_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 62 * mm, 4 * mm
    chart.width, chart.height = CONTENT_WIDTH - 75 * mm, height - 8 * mm
    chart.data = [[f.count for f in reversed(figures)]]
    chart.categoryAxis.categoryNames = [f.label for f in reversed(figures)]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max([f.count for f in figures] + [1])
    chart.valueAxis.valueMax = top + 1
    chart.valueAxis.valueStep = max(1, (top + 1) // 5)
    chart.bars[0].fillColor = BRAND
    chart.bars[0].strokeColor = None
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabelFormat = "%d"
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _referrals(report: BoardReport, st: Styles) -> list[Flowable]:
    figures = list(report.measures.referrals)
    rows: list[list[object]] = [_cells(st, "Agency", "Referrals", "Children", bold=True)]
    for figure in figures:
        rows.append(_cells(st, figure.label, str(figure.count), str(len(figure.child_ids))))
    widths = [CONTENT_WIDTH - 50 * mm, 25 * mm, 25 * mm]
    return [Paragraph("Referrals by agency", st.h1),
            Paragraph("From signed return home interviews for children who returned in the "
                      "period. One interview can refer to several agencies.", st.muted),
            Spacer(1, 3), _table(rows, widths), Spacer(1, 6),
            KeepTogether([_referral_chart(figures)])]


def _definitions(st: Styles) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("How each measure is counted", st.h1)]
    for name, text in DEFINITIONS:
        out.append(Paragraph(f"<b>{esc(name)}.</b> {esc(text)}", st.body))
        out.append(Spacer(1, 3))
    return out


def report_story(report: BoardReport) -> list[Flowable]:
    st = styles()
    m = report.measures
    signer = report.signer
    story: list[Flowable] = [
        Paragraph(esc(TITLE), st.title),
        Paragraph(f"<b>Period:</b> {esc(m.period.label or _period_text(m))}", st.body),
        Paragraph(f"<b>Children:</b> {esc(m.scope)} ({m.children_in_scope} children)",
                  st.body),
        Paragraph(f"Prepared by <b>{esc(signer.name)}</b> ({esc(signer.role)}) on "
                  f"{esc(when(signer.printed_at))}. Figures only: no child is named.",
                  st.muted),
    ]
    story += _headline(report, st)
    story += _monthly_rhis(report, st)
    story += _risk(report, st)
    story += _referrals(report, st)
    story += _definitions(st)
    story.append(Spacer(1, 6))
    story.append(digital_signature_note(signer.name, signer.role, when(signer.printed_at),
                                        signer.self_signed))
    return story


def _period_text(measures: Measures) -> str:
    return f"{when(measures.period.start)} to {when(measures.period.end)} (end not included)"


def render_board_report(report: BoardReport, progress: Progress = no_progress) -> bytes:
    """The unsigned board report PDF."""
    period = report.measures.period
    decor = PageDecor(
        organisation=report.organisation,
        title=TITLE,
        subject=f"{period.label or _period_text(report.measures)} · {report.measures.scope}",
        footer_left=f"Board report · {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}",
        footer_second=f"Printed by {report.signer.name} on {when(report.signer.printed_at)}",
    )
    return build_pdf(report_story(report), decor, author=report.signer.name,
                     progress=progress, start=20, end=85)

