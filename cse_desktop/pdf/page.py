"""The page: A4, header and footer on every page, "Page x of y", all built in memory.

Header: organisation logo and name, document title, the protective marking, the child.
Footer: the protective marking again, what the document is, and "Page x of y".
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from cse_desktop.paths import resources_dir
from cse_desktop.pdf.fonts import BOLD, REGULAR, register_fonts
from cse_desktop.pdf.model import Organisation, Progress, no_progress
from cse_desktop.pdf.styles import BRAND, MARKING, MUTED, RULE

MARKING_TEXT = "OFFICIAL-SENSITIVE"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
HEADER_H = 24 * mm
FOOTER_H = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X


@dataclass(frozen=True)
class PageDecor:
    organisation: Organisation
    title: str  # e.g. "Return home interview"
    subject: str  # e.g. "Zoë Nowak · DOB 3 Mar 2011 · Council ref CR-1234"
    footer_left: str  # e.g. "return_interview v1 · record 1b2c..."
    footer_second: str = ""  # e.g. "Printed by Sam Carter on 23 Nov 2026, 14:05"


def _logo(organisation: Organisation) -> ImageReader | None:
    data = organisation.logo_png
    if data is None:
        path = resources_dir() / "logo.png"
        if not path.exists():
            return None
        data = path.read_bytes()
    try:
        return ImageReader(io.BytesIO(data))
    except Exception:  # a broken logo must never stop a document being printed
        return None


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """Shorten text with an ellipsis until it fits the width."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _shrink(canvas: Canvas, text: str, font: str, width: float, *, largest: float,
            smallest: float) -> float:
    """The largest size (in half points) at which the text fits the width, no smaller than
    ``smallest``: a long organisation name is printed smaller before it is ever cut."""
    size = largest
    while size > smallest and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _decorate(decor: PageDecor, logo: ImageReader | None) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        top = PAGE_HEIGHT - 10 * mm
        left = MARGIN_X
        right = PAGE_WIDTH - MARGIN_X
        text_x = left
        if logo is not None:
            canvas.drawImage(logo, left, top - 13 * mm, 13 * mm, 13 * mm,
                             preserveAspectRatio=True, mask="auto")
            text_x = left + 16 * mm
        marking_w = canvas.stringWidth(MARKING_TEXT, BOLD, 11)
        room = right - text_x - marking_w - 8 * mm
        canvas.setFillColor(BRAND)
        size = _shrink(canvas, decor.organisation.name, BOLD, room, largest=11, smallest=7)
        canvas.setFont(BOLD, size)
        canvas.drawString(text_x, top - 4 * mm,
                          _fit(canvas, decor.organisation.name, BOLD, size, room))
        canvas.setFillColor(MUTED)
        canvas.setFont(REGULAR, 9)
        canvas.drawString(text_x, top - 8.5 * mm, _fit(canvas, decor.title, REGULAR, 9, room))
        canvas.drawString(text_x, top - 12.5 * mm,
                          _fit(canvas, decor.subject, REGULAR, 9, right - text_x))
        canvas.setFillColor(MARKING)
        canvas.setFont(BOLD, 11)
        canvas.drawRightString(right, top - 4 * mm, MARKING_TEXT)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(left, top - 15.5 * mm, right, top - 15.5 * mm)

        bottom = 6 * mm
        canvas.line(left, bottom + 12 * mm, right, bottom + 12 * mm)
        canvas.setFillColor(MARKING)
        canvas.setFont(BOLD, 9)
        canvas.drawCentredString(PAGE_WIDTH / 2, bottom + 8 * mm, MARKING_TEXT)
        canvas.setFillColor(MUTED)
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(left, bottom + 4 * mm,
                          _fit(canvas, decor.footer_left, REGULAR, 7.5, CONTENT_WIDTH))
        if decor.footer_second:
            canvas.drawString(left, bottom + 0.8 * mm,
                              _fit(canvas, decor.footer_second, REGULAR, 7.5, CONTENT_WIDTH))
        canvas.restoreState()

    return draw


class _NumberedCanvas(Canvas):
    """Holds each page back until the end so it can print "Page x of y"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(REGULAR, 8.5)
            self.setFillColor(MUTED)
            self.drawRightString(PAGE_WIDTH - MARGIN_X, 14 * mm, f"Page {number} of {total}")
            self.restoreState()
            super().showPage()
        super().save()


def build_pdf(story: Sequence[Flowable], decor: PageDecor, *, author: str,
              progress: Progress = no_progress, start: int = 30, end: int = 85) -> bytes:
    """Lay out the story on A4 pages in memory and return the PDF bytes (unsigned)."""
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=A4, title=decor.title, author=author,
        subject=MARKING_TEXT, creator="cse-desktop",
        leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=HEADER_H + 4 * mm, bottomMargin=FOOTER_H + 6 * mm,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame],
                                       onPage=_decorate(decor, _logo(decor.organisation)))])
    total = max(1, len(story))

    def on_progress(kind: str, value: int) -> None:
        if kind == "PROGRESS":
            share = min(1.0, value / total)
            progress(start + int((end - start) * share), "Laying out pages")

    doc.setProgressCallBack(on_progress)
    doc.build(list(story), canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
