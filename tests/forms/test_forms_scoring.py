"""Scoring the warning-signs checklist: thresholds, overrides, not known, explanations."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from cse_desktop.forms import FormDefinition, RiskLevel, load_definition, score_checklist

ALL_NO = "no"


def all_answered(defn: FormDefinition, answer: str = ALL_NO) -> dict[str, Any]:
    return {f.id: {"answer": answer} for f in defn.indicator_fields()}


def answers_scoring(defn: FormDefinition, target: int) -> tuple[dict[str, Any], list[str]]:
    """Answers (every indicator answered) whose "yes" weights add up to exactly ``target``."""
    weighted = [f for f in defn.indicator_fields() if not f.override and f.weight]
    reachable: dict[int, list[str]] = {0: []}
    for field in weighted:
        for total, chosen in list(reachable.items()):
            new_total = total + (field.weight or 0)
            if new_total not in reachable:
                reachable[new_total] = [*chosen, field.id]
    chosen = reachable[target]
    answers = all_answered(defn)
    for field_id in chosen:
        answers[field_id] = {"answer": "yes"}
    return answers, chosen


@pytest.fixture(scope="module")
def checklist(library: Any) -> FormDefinition:
    return library.get("warning_signs")


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, RiskLevel.NO_APPARENT),
        (1, RiskLevel.LOW),
        (6, RiskLevel.LOW),
        (7, RiskLevel.MEDIUM),
        (14, RiskLevel.MEDIUM),
        (15, RiskLevel.HIGH),
        (40, RiskLevel.HIGH),
    ],
)
def test_threshold_boundaries(checklist: FormDefinition, score: int, level: RiskLevel) -> None:
    answers, chosen = answers_scoring(checklist, score)
    result = score_checklist(checklist, answers)
    assert result.score == score
    assert result.level is level
    assert [c.field_id for c in result.contributions] == [
        f.id for f in checklist.indicator_fields() if f.id in chosen
    ]
    assert result.overrides == ()
    assert result.explanation.startswith(f"{level.label}: score {score} (")


def test_explanation_lists_contributions_with_weights(checklist: FormDefinition) -> None:
    answers = all_answered(checklist)
    for field_id in ("missing_repeatedly", "gang_association", "sharing_sexual_images"):
        answers[field_id] = {"answer": "yes"}
    answers["self_harm"] = {"answer": "yes", "note": "cuts on arm"}
    answers["sti_or_pregnancy"] = {"answer": "yes"}
    answers["given_drugs_or_alcohol_by_adults"] = {"answer": "yes"}
    result = score_checklist(checklist, answers)
    assert result.score == 17
    assert result.level is RiskLevel.HIGH
    assert result.explanation == (
        "High risk: score 17 (15 or more is high). Contributing: Missing repeatedly (3), "
        "Links to gangs or groups involved in crime (3), "
        "Sexually transmitted infection or pregnancy (3), Self-harm (2), "
        "Given drugs or alcohol by adults (3), Sharing sexual images, or being asked to (3)."
    )


def test_low_and_no_risk_explanations(checklist: FormDefinition) -> None:
    nothing = score_checklist(checklist, all_answered(checklist))
    assert nothing.explanation == (
        "No apparent risk: score 0 (0 is no apparent risk). No indicators were answered yes."
    )
    answers = all_answered(checklist)
    answers["aggression"] = {"answer": "yes"}
    assert score_checklist(checklist, answers).explanation == (
        "Low risk: score 1 (1 to 6 is low). Contributing: Aggressive or violent behaviour (1)."
    )


@pytest.mark.parametrize(
    "override",
    [
        "disclosed_sexual_abuse",
        "found_with_adults_of_concern",
        "exchanging_sex_for_goods",
        "trafficked_between_locations",
    ],
)
def test_any_override_makes_high_on_its_own(checklist: FormDefinition, override: str) -> None:
    answers = all_answered(checklist)
    answers[override] = {"answer": "yes"}
    result = score_checklist(checklist, answers)
    assert result.level is RiskLevel.HIGH
    assert result.score == 0
    assert [o.field_id for o in result.overrides] == [override]
    assert result.contributions == ()
    label = checklist.field(override).label
    assert result.explanation.startswith(
        f"High risk because of a serious concern answered yes: {label}. Score 0"
    )


def test_override_with_a_medium_score(checklist: FormDefinition) -> None:
    answers, _ = answers_scoring(checklist, 9)
    answers["disclosed_sexual_abuse"] = {"answer": "yes"}
    answers["exchanging_sex_for_goods"] = {"answer": "yes"}
    result = score_checklist(checklist, answers)
    assert (result.level, result.score) == (RiskLevel.HIGH, 9)
    assert len(result.overrides) == 2
    assert "serious concerns answered yes" in result.explanation
    assert "Score 9 (7 to 14 is medium)." in result.explanation


def test_not_known_counts_nothing_but_is_listed(checklist: FormDefinition) -> None:
    answers = all_answered(checklist)
    answers["missing_overnight"] = {"answer": "not_known"}
    answers["sharing_sexual_images"] = {"answer": "not_known", "note": "ask school"}
    answers["disclosed_sexual_abuse"] = {"answer": "not_known"}
    result = score_checklist(checklist, answers)
    assert (result.level, result.score) == (RiskLevel.NO_APPARENT, 0)
    assert result.not_known == (
        ("missing_overnight", "Missing overnight"),
        ("sharing_sexual_images", "Sharing sexual images, or being asked to"),
        ("disclosed_sexual_abuse", "The child has disclosed sexual abuse"),
    )
    assert result.explanation.endswith(
        "Not known, to follow up: Missing overnight, Sharing sexual images, or being asked to "
        "and The child has disclosed sexual abuse."
    )


def test_unanswered_and_garbled_indicators_count_nothing(checklist: FormDefinition) -> None:
    answers = {
        "missing_repeatedly": {"answer": "yes"},
        "missing_overnight": "yes",  # garbled: not the indicator shape
        "gang_association": {"answer": "YES"},
        "self_harm": None,
    }
    result = score_checklist(checklist, answers)
    assert result.score == 3
    assert len(result.unanswered) == len(checklist.indicator_fields()) - 1
    unanswered = len(checklist.indicator_fields()) - 1
    assert result.explanation.startswith(
        f"Not assessed yet: {unanswered} questions unanswered. So far: score 3.")
    assert score_checklist(checklist, ["not", "a", "dict"]).score == 0


def test_an_incomplete_checklist_is_not_assessed_never_no_apparent_risk(
        checklist: FormDefinition) -> None:
    empty = score_checklist(checklist, {})
    count = len(checklist.indicator_fields())
    assert not empty.is_assessed and empty.shown_level is None
    assert empty.headline == f"Not assessed yet: {count} questions unanswered"
    assert "No apparent risk" not in empty.explanation
    every_no = {f.id: {"answer": "no"} for f in checklist.indicator_fields()}
    one_left = dict(every_no)
    del one_left["self_harm"]
    assert score_checklist(checklist, one_left).headline == ("Not assessed yet: 1 question "
                                                            "unanswered")
    complete = score_checklist(checklist, every_no)
    assert complete.is_assessed and complete.headline == "No apparent risk"
    # More answers can only raise a level, so a partial high is shown as high.
    high = score_checklist(checklist, {"disclosed_sexual_abuse": {"answer": "yes"}})
    assert high.is_assessed and high.headline == "High risk"


def test_thresholds_come_from_the_definition(write_form: Any) -> None:
    indicators = [
        {"id": f"sign_{n}", "type": "indicator", "label": f"Sign {n}", "weight": 1}
        for n in range(4)
    ]
    defn = load_definition(
        write_form(
            {
                "form_id": "tiny_checklist",
                "version": 1,
                "title": "Tiny",
                "record_type": "warning_signs",
                "sections": [{"id": "s", "title": "S", "fields": indicators}],
                "scoring": {
                    "type": "weighted_indicators",
                    "thresholds": [
                        {"min_score": 0, "level": "low"},
                        {"min_score": 2, "level": "high"},
                    ],
                },
            }
        )
    )
    levels = []
    for yes_count in range(4):
        answers = {f"sign_{n}": {"answer": "yes" if n < yes_count else "no"} for n in range(4)}
        levels.append(score_checklist(defn, answers).level)
    assert levels == [RiskLevel.LOW, RiskLevel.LOW, RiskLevel.HIGH, RiskLevel.HIGH]
    answers = {"sign_0": {"answer": "yes"}, "sign_1": {"answer": "yes"}}
    assert "2 or more is high" in score_checklist(defn, answers).explanation


def test_scoring_a_form_without_a_scoring_rule_is_a_programming_error(library: Any) -> None:
    with pytest.raises(ValueError, match="no scoring rule"):
        score_checklist(library.get("case_note"), {})


def test_risk_levels_have_labels_and_an_order() -> None:
    assert [level.label for level in RiskLevel] == [
        "No apparent risk",
        "Low risk",
        "Medium risk",
        "High risk",
    ]
    for lower, higher in itertools.pairwise(RiskLevel):
        assert lower.rank < higher.rank
    assert RiskLevel.highest(RiskLevel.LOW, RiskLevel.HIGH, RiskLevel.MEDIUM) is RiskLevel.HIGH
    assert RiskLevel("medium") is RiskLevel.MEDIUM
