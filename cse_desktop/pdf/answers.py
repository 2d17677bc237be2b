"""Every visible section and answer of a record, laid out from its form definition.

Short answers go in a two-column table (question | answer); long answers are printed full
width under their question so they can run across pages; indicator checklists and lists
(such as actions) are tables whose header row is repeated on each page.  Fields hidden by the
form's conditions are left out, as on screen; unanswered ones say "Not answered".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from cse_desktop.forms import (
    Field,
    FormDefinition,
    is_empty,
    parse_date,
    parse_datetime,
    visible_fields,
)
from cse_desktop.forms.validation import without_hidden
from cse_desktop.pdf.page import CONTENT_WIDTH
from cse_desktop.pdf.styles import MUTED, RULE, SHADE, Styles, styles
from cse_desktop.pdf.text import day, esc, short_id, when

NOT_ANSWERED = f'<font color="#{MUTED.hexval()[2:]}">Not answered</font>'
LABEL_WIDTH = 62 * mm
YES_ROW = colors.HexColor("#fff3d6")  # indicators answered yes stand out
LONG_ANSWER = 600  # characters: longer answers are printed full width, not in a table cell


def answer_text(field: Field, value: Any, refs: Mapping[str, str]) -> str:
    """The answer as paragraph markup (escaped), or "Not answered"."""
    if is_empty(value):
        return NOT_ANSWERED
    kind = field.type
    if kind in ("choice", "yes_no"):
        return esc(field.option_label(value))
    if kind == "multi_choice":
        if not isinstance(value, list):
            return esc(value)
        return "<br/>".join(f"• {esc(field.option_label(v))}" for v in value)
    if kind == "indicator":
        if not isinstance(value, Mapping):
            return esc(value)
        answer = value.get("answer")
        text = esc(field.option_label(answer)) if answer else NOT_ANSWERED
        note = value.get("note")
        if note:
            text += f"<br/>{esc(note)}"
        return text
    if kind == "datetime":
        moment = parse_datetime(value)
        return esc(when(moment)) if moment else esc(value)
    if kind == "date":
        parsed = parse_date(value)
        return esc(day(parsed)) if parsed else esc(value)
    if kind == "number":
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return esc(value)
    if kind == "ref":
        label = refs.get(str(value))
        return esc(label) if label else esc(f"Record {short_id(str(value))}")
    return esc(value)


def _table_style(header: bool) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
        commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE))
    else:
        commands.append(("BACKGROUND", (0, 0), (0, -1), SHADE))
    return TableStyle(commands)


def question_table(rows: list[tuple[str, str]], st: Styles) -> Table:
    """Question | answer rows; the table splits between rows across pages."""
    data = [[Paragraph(esc(label), st.label), Paragraph(answer, st.body)]
            for label, answer in rows]
    table = Table(data, colWidths=[LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH], hAlign="LEFT")
    table.setStyle(_table_style(header=False))
    return table


def _long_answer(field: Field, value: Any, st: Styles, *, first: bool) -> list[Flowable]:
    """The question, then the answer full width, free to run across pages.

    The question must not be left alone at the foot of a page: unless it opens its section
    (whose heading made room and is kept with it), a new page starts when fewer than 25 mm
    are left, which is room for the question and the first lines of the answer.
    """
    label = Paragraph(esc(field.label), st.label)
    out: list[Flowable] = [label] if first else [CondPageBreak(25 * mm), Spacer(1, 3), label]
    for block in str(value).replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            out.append(Paragraph(esc(block.strip()), st.body))
            out.append(Spacer(1, 4))
    return out


def _indicator_table(fields: list[Field], answers: Mapping[str, Any], st: Styles) -> Table:
    header = [Paragraph(t, st.cell_bold) for t in ("Indicator", "Answer", "Weight", "Note")]
    rows: list[list[Any]] = [header]
    style = _table_style(header=True)
    for field in fields:
        value = answers.get(field.id)
        answer = value.get("answer") if isinstance(value, Mapping) else None
        note = value.get("note") if isinstance(value, Mapping) else None
        shown = esc(field.option_label(answer)) if answer else NOT_ANSWERED
        if answer == "yes":
            shown = f"<b>{shown}</b>"
            style.add("BACKGROUND", (0, len(rows)), (-1, len(rows)), YES_ROW)
        weight = "override" if field.override else str(field.weight or 0)
        rows.append([
            Paragraph(esc(field.label), st.cell),
            Paragraph(shown, st.cell),
            Paragraph(weight, st.cell),
            Paragraph(esc(note) if note else "", st.cell),
        ])
    widths = [78 * mm, 22 * mm, 18 * mm, CONTENT_WIDTH - 118 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(style)
    return table


def list_table(field: Field, items: list[Any], refs: Mapping[str, str], st: Styles) -> Table:
    """A list answer (e.g. actions) as a table, one row per item.  The question and the
    column headings are the first two rows, repeated on every page the table runs onto, so
    the question is never left alone at the foot of a page."""
    columns = list(field.item_fields)
    text_columns = [c.id for c in columns if c.type in ("text", "long_text")]
    shares = [(4 if c.id == text_columns[0] else 2.4) if c.id in text_columns else 1.2
              for c in columns]
    unit = CONTENT_WIDTH / sum(shares)
    title = [Paragraph(esc(field.label), st.label)] + [""] * (len(columns) - 1)
    rows: list[list[Any]] = [title, [Paragraph(esc(c.label), st.cell_bold) for c in columns]]
    for item in items:
        item = item if isinstance(item, Mapping) else {}
        rows.append([Paragraph(answer_text(c, item.get(c.id), refs), st.cell) for c in columns])
    table = Table(rows, colWidths=[s * unit for s in shares], repeatRows=2, hAlign="LEFT")
    style = TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("SPAN", (0, 0), (-1, 0)),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, 0), 0),
        ("BACKGROUND", (0, 1), (-1, 1), SHADE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("LINEBELOW", (0, 1), (-1, 1), 0.8, RULE),
    ])
    table.setStyle(style)
    return table


def section_flowables(definition: FormDefinition, data: Mapping[str, Any],
                      refs: Mapping[str, str], *, heading_style: str = "h2",
                      skip: frozenset[str] = frozenset()) -> list[Flowable]:
    """Headings and answers for every section that has a visible field (minus ``skip``)."""
    st = styles()
    shown = {f.id for f in visible_fields(definition, data)} - skip
    effective = without_hidden(list(definition.fields()), dict(data))
    out: list[Flowable] = []
    for section in definition.sections:
        fields = [f for f in section.fields if f.id in shown]
        if not fields:
            continue
        out.append(CondPageBreak(35 * mm))
        heading = Paragraph(esc(section.title), getattr(st, heading_style))
        out.append(heading)
        pending: list[tuple[str, str]] = []
        indicators: list[Field] = []
        for field in fields:
            value = effective.get(field.id)
            if field.type == "indicator":
                _flush_questions(out, pending, st)
                indicators.append(field)
                continue
            _flush_indicators(out, indicators, effective, st)
            if field.type == "list" and isinstance(value, list) and value:
                _flush_questions(out, pending, st)
                out.extend([Spacer(1, 3), list_table(field, value, refs, st)])
            elif (field.type in ("text", "long_text") and isinstance(value, str)
                  and len(value) > LONG_ANSWER):
                _flush_questions(out, pending, st)
                out.extend(_long_answer(field, value, st, first=out[-1] is heading))
            else:
                pending.append((field.label, answer_text(field, value, refs)))
        _flush_questions(out, pending, st)
        _flush_indicators(out, indicators, effective, st)
    return out


def _flush_questions(out: list[Flowable], pending: list[tuple[str, str]], st: Styles) -> None:
    if pending:
        out.append(question_table(list(pending), st))
        pending.clear()


def _flush_indicators(out: list[Flowable], indicators: list[Field],
                      answers: Mapping[str, Any], st: Styles) -> None:
    if indicators:
        out.append(_indicator_table(list(indicators), answers, st))
        indicators.clear()
