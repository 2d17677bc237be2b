"""The live risk panel beside a warning-signs checklist.

It shows the level in words and colour, the score, which indicators added to it (with their
weights), which serious concern made the risk high on its own, and the "not known" answers
to follow up.  It is recalculated from the answers every time an indicator changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from cse_desktop.forms import FormDefinition, RiskResult, score_checklist
from cse_desktop.forms.scoring import band_text

from .style import GREY, LEVEL_COLOURS, banner_css


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


class RiskPanel(QFrame):
    """Scores the checklist answers it is given and explains the result."""

    WIDTH = 290

    def __init__(self, definition: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.definition = definition
        self.result: RiskResult | None = None
        self.setObjectName("riskPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(self.WIDTH)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setAccessibleName("Risk level and reasons")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)

        heading = QLabel("Risk level from this checklist")
        heading.setStyleSheet("font-weight: 700;")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.level = self._label(layout)
        self.level.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.score = self._label(layout)
        self.score.setStyleSheet("font-weight: 600;")
        self.override = self._label(layout)
        self.contributing_title = self._label(layout, "What added to the score",
                                              heading=True)
        self.contributing = self._label(layout)
        self.not_known_title = self._label(layout, "Not known – to follow up", heading=True)
        self.not_known = self._label(layout)
        self.unanswered = self._label(layout)
        layout.addStretch(1)
        self.update_answers({})

    @staticmethod
    def _label(layout: QVBoxLayout, text: str = "", *, heading: bool = False) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if heading:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        layout.addWidget(label)
        return label

    def _band(self, score: int) -> str:
        scoring = self.definition.scoring
        assert scoring is not None
        band = scoring.thresholds[0]
        for threshold in scoring.thresholds:
            if score >= threshold.min_score:
                band = threshold
        return band_text(scoring, band)

    def update_answers(self, answers: Mapping[str, Any]) -> RiskResult:
        result = score_checklist(self.definition, answers)
        self.result = result
        shown = result.shown_level
        colours = LEVEL_COLOURS[shown] if shown is not None else GREY
        size = "14pt" if shown is not None else "11pt"
        self.level.setText(result.headline)
        self.level.setStyleSheet(
            f"QLabel {{ {banner_css(colours)} font-size: {size}; font-weight: 700; }}"
        )
        self.level.setAccessibleName(f"Risk level: {result.headline}")
        if shown is None:
            self.score.setText(f"Score so far {result.score}. A level is shown once every "
                               "indicator is answered.")
        else:
            self.score.setText(f"Score {result.score} ({self._band(result.score)})")
        if result.overrides:
            names = ", ".join(o.label for o in result.overrides)
            self.override.setText(
                f"High on its own because of a serious concern answered yes: {names}."
            )
        self.override.setVisible(bool(result.overrides))
        contributions = [f"{c.label} (+{c.weight})" for c in result.contributions]
        self.contributing.setText(_bullets(contributions) if contributions
                                  else "Nothing yet: no indicator is answered yes.")
        self.not_known.setText(_bullets([label for _, label in result.not_known]))
        self.not_known_title.setVisible(bool(result.not_known))
        self.not_known.setVisible(bool(result.not_known))
        count = len(result.unanswered)
        self.unanswered.setText(
            f"{count} indicator{'s' if count != 1 else ''} not answered yet." if count else
            "Every indicator is answered."
        )
        self.setAccessibleDescription(result.explanation)
        return result
