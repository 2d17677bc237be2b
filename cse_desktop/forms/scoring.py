"""Scoring a warning-signs checklist.

The score is the sum of the weights of the indicators answered "yes"; the level comes from the
thresholds in the form definition (never from this code), and any "yes" to an override
indicator raises the level to the definition's ``override_level`` on its own.  "Not known"
counts 0 but is listed so it can be followed up.  The result always says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cse_desktop.forms.levels import RiskLevel
from cse_desktop.forms.model import FormDefinition, Scoring, Threshold
from cse_desktop.forms.validation import is_visible, without_hidden

__all__ = ["Contribution", "RiskLevel", "RiskResult", "not_assessed_text", "score_checklist"]


@dataclass(frozen=True)
class Contribution:
    field_id: str
    label: str
    weight: int


@dataclass(frozen=True)
class RiskResult:
    level: RiskLevel
    score: int
    contributions: tuple[Contribution, ...]  # indicators answered yes that add to the score
    overrides: tuple[Contribution, ...]  # override indicators answered yes
    not_known: tuple[tuple[str, str], ...]  # (field_id, label) answered "not known"
    explanation: str
    unanswered: tuple[tuple[str, str], ...] = ()  # (field_id, label) not answered at all (drafts)

    @property
    def is_assessed(self) -> bool:
        """A level can be shown: every indicator is answered, or the answers so far already
        make the risk high (more answers can only raise a level, never lower it)."""
        return not self.unanswered or self.level is RiskLevel.HIGH

    @property
    def headline(self) -> str:
        """The level in words, or "Not assessed yet: 34 questions unanswered" for an
        incomplete checklist, which must never look like "No apparent risk"."""
        if self.is_assessed:
            return self.level.label
        return not_assessed_text(len(self.unanswered))

    @property
    def shown_level(self) -> RiskLevel | None:
        """The level to colour and file under, or None while it is not assessed yet."""
        return self.level if self.is_assessed else None


def score_checklist(defn: FormDefinition, answers: Any) -> RiskResult:
    """Score the answers to a checklist.  Garbled answers count as unanswered; never raises
    on bad answers.  Raises ``ValueError`` if the form has no scoring rule."""
    scoring = defn.scoring
    if scoring is None:
        raise ValueError(f"form {defn.key} is not a checklist: it has no scoring rule")
    indicators = defn.indicator_fields()
    source = answers if isinstance(answers, Mapping) else {}
    effective = without_hidden(list(defn.fields()), source)

    score = 0
    contributions: list[Contribution] = []
    overrides: list[Contribution] = []
    not_known: list[tuple[str, str]] = []
    unanswered: list[tuple[str, str]] = []
    for field in indicators:
        if not is_visible(field, effective):
            continue
        value = effective.get(field.id)
        answer = value.get("answer") if isinstance(value, Mapping) else None
        weight = field.weight or 0
        if answer == "yes":
            item = Contribution(field.id, field.label, weight)
            if field.override:
                overrides.append(item)
            if weight or not field.override:
                contributions.append(item)
                score += weight
        elif answer == "not_known":
            not_known.append((field.id, field.label))
        elif answer != "no":
            unanswered.append((field.id, field.label))

    band = _band(scoring, score)
    level = band.level
    if overrides and scoring.override_level is not None:
        level = RiskLevel.highest(level, scoring.override_level)
    explanation = _explain(
        scoring, level, score, band, contributions, overrides, not_known, unanswered
    )
    return RiskResult(
        level=level,
        score=score,
        contributions=tuple(contributions),
        overrides=tuple(overrides),
        not_known=tuple(not_known),
        explanation=explanation,
        unanswered=tuple(unanswered),
    )


def not_assessed_text(unanswered: int) -> str:
    """"Not assessed yet: 3 questions unanswered"."""
    return (f"Not assessed yet: {unanswered} question{'s' if unanswered != 1 else ''} "
            "unanswered")


def level_for_score(scoring: Scoring, score: int) -> RiskLevel:
    """The level the thresholds give a score (ignoring overrides)."""
    return _band(scoring, score).level


def _band(scoring: Scoring, score: int) -> Threshold:
    chosen = scoring.thresholds[0]
    for threshold in scoring.thresholds:
        if score >= threshold.min_score:
            chosen = threshold
    return chosen


def band_text(scoring: Scoring, threshold: Threshold) -> str:
    """The threshold in words: "15 or more is high", "7 to 14 is medium", "0 is ..."."""
    ordered = list(scoring.thresholds)
    position = ordered.index(threshold)
    low = threshold.min_score
    if position == len(ordered) - 1:
        return f"{low} or more is {threshold.level.short}"
    high = ordered[position + 1].min_score - 1
    if high == low:
        return f"{low} is {threshold.level.short}"
    return f"{low} to {high} is {threshold.level.short}"


def _explain(
    scoring: Scoring,
    level: RiskLevel,
    score: int,
    band: Threshold,
    contributions: list[Contribution],
    overrides: list[Contribution],
    not_known: list[tuple[str, str]],
    unanswered: list[tuple[str, str]],
) -> str:
    parts = []
    if unanswered and level is not RiskLevel.HIGH:
        parts.append(f"{not_assessed_text(len(unanswered))}. So far: score {score}.")
        if contributions:
            listed = ", ".join(f"{c.label} ({c.weight})" for c in contributions)
            parts.append(f"Answered yes so far: {listed}.")
        if not_known:
            parts.append(f"Not known, to follow up: {_join([lbl for _, lbl in not_known])}.")
        return " ".join(parts)
    if overrides and level != band.level:
        concern = "a serious concern" if len(overrides) == 1 else "serious concerns"
        names = _join([o.label for o in overrides])
        parts.append(
            f"{level.label} because of {concern} answered yes: {names}. "
            f"Score {score} ({band_text(scoring, band)})."
        )
    else:
        parts.append(f"{level.label}: score {score} ({band_text(scoring, band)}).")
    if contributions:
        listed = ", ".join(f"{c.label} ({c.weight})" for c in contributions)
        parts.append(f"Contributing: {listed}.")
    else:
        parts.append("No indicators were answered yes.")
    if not_known:
        parts.append(f"Not known, to follow up: {_join([label for _, label in not_known])}.")
    if unanswered:
        count = len(unanswered)
        parts.append(f"{count} indicator{'s are' if count != 1 else ' is'} not yet answered.")
    return " ".join(parts)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
