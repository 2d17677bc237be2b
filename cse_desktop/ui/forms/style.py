"""Colours and the style sheet shared by the form widgets.

Colour is never the only signal: every coloured banner or badge also says what it means in
words.  Text and background pairs meet WCAG AA contrast.
"""

from __future__ import annotations

from cse_desktop.forms import RiskLevel

ERROR_TEXT = "#A4001D"
# (background, text) pairs
AMBER = ("#FFE08A", "#3D2B00")
RED = ("#F9D6D5", "#7A0C0C")
GREEN = ("#DDF0DE", "#0D3B12")
GREY = ("#E7E9EC", "#1E2328")
BLUE = ("#DCEBFA", "#0B2E52")

LEVEL_COLOURS: dict[RiskLevel, tuple[str, str]] = {
    RiskLevel.NO_APPARENT: GREEN,
    RiskLevel.LOW: ("#FFF3B0", "#3D3000"),
    RiskLevel.MEDIUM: ("#FDE3C3", "#6B3500"),
    RiskLevel.HIGH: RED,
}

try:  # the app's own tints, so a level or a deadline looks the same on every screen
    from cse_desktop.ui import theme

    def _pair(tint: theme.Tint) -> tuple[str, str]:
        return (tint.background, tint.text)

    AMBER, RED, GREEN, BLUE = (_pair(theme.DUE), _pair(theme.OVERDUE), _pair(theme.SIGNED),
                               _pair(theme.DRAFT))
    GREY = _pair(theme.RISK_TINTS[None])
    LEVEL_COLOURS = {level: _pair(theme.risk_tint(level)) for level in RiskLevel}
except (ImportError, AttributeError, KeyError):  # pragma: no cover - theme not installed
    pass


def banner_css(colours: tuple[str, str]) -> str:
    background, text = colours
    return (
        f"background: {background}; color: {text}; border-radius: 4px; padding: 6px 10px;"
    )


FORM_STYLE = f"""
QLabel#fieldLabel {{ font-weight: 600; }}
QLabel#fieldHelp {{ color: #454A50; }}
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
QFrame#listRow {{ border: 1px solid palette(midlight); border-radius: 4px; }}
"""
