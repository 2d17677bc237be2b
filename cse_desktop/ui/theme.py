"""How the app looks: readable fonts, roomy spacing, and risk colours that always carry words.

Colour is never the only signal: every risk badge says "High risk", "Medium risk" and so on,
and the colours are dark text on a light tint so they stay readable in print and for people
who cannot tell red from green.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from ..domain.palette import RISK_INK
from ..forms import RiskLevel

BASE_POINT_SIZE = 11


@dataclass(frozen=True)
class Tint:
    background: str
    text: str

    def stylesheet(self) -> str:
        return (f"background-color: {self.background}; color: {self.text};"
                " border-radius: 4px; padding: 3px 8px; font-weight: 600;")


# Light backgrounds here; the words in each level's colour are the shared palette's ink.
RISK_TINTS: dict[RiskLevel | None, Tint] = {
    RiskLevel.HIGH: Tint("#F9D6D5", RISK_INK["high"]),
    RiskLevel.MEDIUM: Tint("#FDE3C3", RISK_INK["medium"]),
    RiskLevel.LOW: Tint("#FFF3B8", RISK_INK["low"]),
    RiskLevel.NO_APPARENT: Tint("#D8EEDC", RISK_INK["no_apparent"]),
    None: Tint("#E6E8EB", RISK_INK["not_assessed"]),
}
OVERDUE = Tint("#F9D6D5", "#7A0C0C")
DUE = Tint("#FDE3C3", "#6B3500")
DEMO = Tint("#FFE28A", "#3D2E00")
DEMO_WARNING = "DEMO — every child and record here is made up. Do not enter real information."
SIGNED = Tint("#D8EEDC", "#1D4D27")
DRAFT = Tint("#E3ECF8", "#17365D")

NOT_ASSESSED = "Not assessed"


def risk_text(level: RiskLevel | None) -> str:
    """The words for a risk level, including when no checklist has been signed yet."""
    return level.label if level is not None else NOT_ASSESSED


def risk_tint(level: RiskLevel | None) -> Tint:
    return RISK_TINTS[level]


STYLESHEET = """
QWidget { font-size: %(pt)dpt; }
QPushButton, QToolButton { padding: 5px 12px; }
QLineEdit, QComboBox, QSpinBox, QDateTimeEdit, QPlainTextEdit { padding: 4px 6px; }
QTableView, QTreeView, QListView { gridline-color: #D5D8DC; }
QHeaderView::section { padding: 6px 8px; font-weight: 600; }
QGroupBox { font-weight: 600; margin-top: 14px; padding-top: 8px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }
QLabel[role="title"] { font-size: %(title)dpt; font-weight: 600; }
QLabel[role="subtitle"] { color: #3B4149; }
QLabel[role="alert"] { color: #7A0C0C; font-weight: 600; }
QLabel[role="hint"] { color: #3B4149; }
QStatusBar QLabel { padding: 0 8px; }
"""


def apply_theme(app: QApplication) -> None:
    """Fusion style (the same on every platform), a calm palette and a readable base size."""
    app.setStyle("Fusion")
    font = QFont(app.font())
    font.setPointSize(max(font.pointSize(), BASE_POINT_SIZE))
    app.setFont(font)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#F4F5F7"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#FFFFFF"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#F7F8FA"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#1F5FAD"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#FFFFFF"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#FFFFFF"))
    palette.setColor(QPalette.ColorRole.ToolTipText, QColor("#1B1F24"))
    app.setPalette(palette)
    size = font.pointSize()
    app.setStyleSheet(STYLESHEET % {"pt": size, "title": size + 5})


def prepare_high_dpi() -> None:
    """Call before the QApplication exists: fractional scaling stays sharp (125 %, 150 %)."""
    from PySide6.QtCore import Qt

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )


def demo_banner() -> QLabel:
    """The DEMO warning at the top of every window of a demo store."""
    banner = QLabel(DEMO_WARNING)
    banner.setWordWrap(True)
    banner.setAccessibleName("Demo warning")
    banner.setStyleSheet(DEMO.stylesheet())
    return banner
