"""Colours and the style sheet shared by the form widgets.

Colour is never the only signal: every coloured banner or badge also says what it means in
words.  Text and background pairs meet WCAG AA contrast.
"""

from __future__ import annotations

from cse_desktop.forms import RiskLevel

ERROR_TEXT = "#A4001D"
# (background, text) pairs
AMBER = ("#FFE08A", "#3D2B00")
RED = ("#B3261E", "#FFFFFF")
GREEN = ("#DDF0DE", "#0D3B12")
GREY = ("#E7E9EC", "#1E2328")
BLUE = ("#DCEBFA", "#0B2E52")

LEVEL_COLOURS: dict[RiskLevel, tuple[str, str]] = {
    RiskLevel.NO_APPARENT: GREEN,
    RiskLevel.LOW: ("#FFF3B0", "#3D3000"),
    RiskLevel.MEDIUM: ("#FFB870", "#3A1C00"),
    RiskLevel.HIGH: RED,
}


def banner_css(colours: tuple[str, str]) -> str:
    background, text = colours
    return (
        f"background: {background}; color: {text}; border-radius: 4px; padding: 6px 10px;"
    )


FORM_STYLE = f"""
QLabel#fieldLabel {{ font-weight: 600; }}
QLabel#fieldHelp {{ color: #454A50; }}
QListWidget#sectionNavigator::item {{ padding: 5px 6px; }}
QLabel#fieldError {{ color: {ERROR_TEXT}; font-weight: 600; }}
QLabel#emptyAnswer {{ font-style: italic; }}
QLabel#sectionDescription {{ margin-bottom: 4px; }}
QGroupBox#formSection {{
    font-weight: 600; font-size: 11pt; margin-top: 14px; padding-top: 8px;
    border: 1px solid palette(mid); border-radius: 6px;
}}
QGroupBox#formSection::title {{
    subcontrol-origin: margin; left: 10px; padding: 0 4px;
}}
QPushButton#emptyMoment {{ text-align: left; padding: 3px 8px; font-style: italic; }}
QFrame#listRow {{ border: 1px solid palette(midlight); border-radius: 4px; }}
"""
