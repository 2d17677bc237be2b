"""Property tests: the engine never raises on arbitrary JSON, whatever arrives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cse_desktop.forms import (
    FieldError,
    FormDefinition,
    RiskLevel,
    clean_answers,
    default_library,
    rhi_timeliness,
    score_checklist,
    validate_answers,
    visible_fields,
)

SHIPPED = default_library().definitions()
CHECKLISTS = [d for d in SHIPPED if d.scoring is not None]

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "yes",
            "no",
            "not_known",
            "completed",
            "other",
            "2026-11-20",
            "2026-11-20T14:05:00+00:00",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+23:59",
            "3f2a6c1e-8b7d-4c5e-9a1b-2c3d4e5f6a7b",
        ]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def near_valid(defn: FormDefinition) -> st.SearchStrategy[Any]:
    """Dicts keyed by the form's own field ids (and item ids), with arbitrary values."""
    keys = [f.id for f in defn.fields()]
    item_keys = sorted({sub.id for f in defn.fields() for sub in f.item_fields}) or ["x"]
    values = (
        JSON
        | st.fixed_dictionaries({"answer": JSON}, optional={"note": JSON})
        | st.lists(st.dictionaries(st.sampled_from(item_keys), JSON, max_size=4), max_size=3)
        | st.lists(st.sampled_from(["yes", "no", "other", "completed", "police"]), max_size=4)
    )
    return st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))


def answers_for(defn: FormDefinition) -> st.SearchStrategy[Any]:
    return JSON | near_valid(defn)


@pytest.mark.parametrize("defn", SHIPPED, ids=[d.key for d in SHIPPED])
def test_validate_answers_never_raises(defn: FormDefinition) -> None:
    @PROPERTIES
    @given(answers=answers_for(defn), for_signing=st.booleans())
    def check(answers: Any, for_signing: bool) -> None:
        errors = validate_answers(defn, answers, for_signing=for_signing)
        assert all(isinstance(e, FieldError) and e.message for e in errors)
        assert isinstance(visible_fields(defn, answers), list)

    check()


@pytest.mark.parametrize("defn", SHIPPED, ids=[d.key for d in SHIPPED])
def test_clean_answers_never_raises_and_is_stable(defn: FormDefinition) -> None:
    known = {f.id for f in defn.fields()}

    @PROPERTIES
    @given(answers=answers_for(defn))
    def check(answers: Any) -> None:
        cleaned = clean_answers(defn, answers)
        assert set(cleaned) <= known
        assert clean_answers(defn, cleaned) == cleaned
        # nothing left for validation to complain about as unknown or hidden
        assert not [e for e in validate_answers(defn, cleaned) if "no question called" in e.message]

    check()


@pytest.mark.parametrize("defn", CHECKLISTS, ids=[d.key for d in CHECKLISTS])
def test_score_checklist_never_raises(defn: FormDefinition) -> None:
    @PROPERTIES
    @given(answers=answers_for(defn))
    def check(answers: Any) -> None:
        result = score_checklist(defn, answers)
        assert isinstance(result.level, RiskLevel)
        assert result.score >= 0
        assert result.explanation.startswith(result.headline)

    check()


@PROPERTIES
@given(answers=answers_for(default_library().get("return_interview")))
def test_rhi_timeliness_never_raises(answers: Any) -> None:
    rhi_timeliness(answers)
