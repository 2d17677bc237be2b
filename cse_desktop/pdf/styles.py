"""Paragraph styles and colours shared by the record and summary layouts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from cse_desktop.domain.palette import RISK_FILL, RISK_INK
from cse_desktop.pdf.fonts import BOLD, REGULAR, register_fonts

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5a5a5a")
RULE = colors.HexColor("#b8c2cc")
BRAND = colors.HexColor("#1f4e79")
SHADE = colors.HexColor("#eef2f6")
WARN = colors.HexColor("#b00020")
MARKING = colors.HexColor("#8b0000")

LEVEL_COLOURS = {level: colors.HexColor(value) for level, value in RISK_FILL.items()}
LEVEL_INK = {level: colors.HexColor(value) for level, value in RISK_INK.items()}


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    small_bold: ParagraphStyle
    muted: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    warning: ParagraphStyle
    big: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=13.5,
                          textColor=INK, alignment=TA_LEFT)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        small_bold=ParagraphStyle("small_bold", parent=body, fontName=BOLD, fontSize=8,
                                  leading=10),
        muted=ParagraphStyle("muted", parent=body, textColor=MUTED),
        label=ParagraphStyle("label", parent=body, fontName=BOLD, fontSize=9.5, leading=12.5,
                             textColor=colors.HexColor("#333333")),
        cell=ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5),
        cell_bold=ParagraphStyle("cell_bold", parent=body, fontName=BOLD, fontSize=9,
                                 leading=11.5),
        title=ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=18, leading=22,
                             textColor=BRAND, spaceAfter=4),
        h1=ParagraphStyle("h1", parent=body, fontName=BOLD, fontSize=13, leading=16,
                          textColor=BRAND, spaceBefore=12, spaceAfter=5, keepWithNext=1),
        h2=ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=11, leading=14,
                          textColor=INK, spaceBefore=8, spaceAfter=3, keepWithNext=1),
        warning=ParagraphStyle("warning", parent=body, fontName=BOLD, textColor=WARN),
        big=ParagraphStyle("big", parent=body, fontName=BOLD, fontSize=14, leading=18),
    )
