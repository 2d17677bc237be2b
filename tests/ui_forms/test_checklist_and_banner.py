"""The live risk panel of the checklist and the 72-hour banner of the interview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cse_desktop.forms import RiskLevel
from cse_desktop.records import Record
from cse_desktop.ui.forms.deadline_banner import deadline_message
from cse_desktop.ui.forms.style import LEVEL_COLOURS

from .helpers import click_option

LATE = "Why the interview was offered after 72 hours"


def level_of(view: Any) -> str:
    return view.risk_panel.level.text()


def answer_every_indicator_no(view: Any) -> None:
    for field in view.definition.indicator_fields():
        click_option(view.editors[field.id], "no")


def test_an_empty_checklist_is_not_assessed_never_green(make_view: Any,
                                                        checklist: Record) -> None:
    view = make_view(checklist)
    panel = view.risk_panel
    assert panel is not None
    count = len(view.definition.indicator_fields())
    assert level_of(view) == f"Not assessed yet: {count} questions unanswered"
    green, _text = LEVEL_COLOURS[RiskLevel.NO_APPARENT]
    assert green not in panel.level.styleSheet()
    assert panel.level.accessibleName() == (f"Risk level: Not assessed yet: {count} questions "
                                            "unanswered")
    click_option(view.editors["absent_from_school"], "no")
    assert level_of(view) == f"Not assessed yet: {count - 1} questions unanswered"
    click_option(view.editors["absent_from_school"], "yes")  # a low score so far: still not
    assert level_of(view).startswith("Not assessed yet")
    click_option(view.editors["disclosed_sexual_abuse"], "yes")  # high can only stay high
    assert level_of(view) == "High risk"


def test_ticking_indicators_raises_the_level_step_by_step(make_view: Any,
                                                          checklist: Record) -> None:
    view = make_view(checklist)
    assert view.risk_panel is not None
    answer_every_indicator_no(view)
    assert level_of(view) == "No apparent risk"
    click_option(view.editors["absent_from_school"], "yes")  # 1
    assert level_of(view) == "Low risk"
    assert view.risk_panel.score.text().startswith("Score 1")
    for field_id in ("missing_repeatedly", "gang_association"):  # 1 + 3 + 3 = 7
        click_option(view.editors[field_id], "yes")
    assert level_of(view) == "Medium risk"
    for field_id in ("picked_up_by_unknown_cars", "sti_or_pregnancy",
                     "given_drugs_or_alcohol_by_adults"):  # 7 + 9 = 16
        click_option(view.editors[field_id], "yes")
    assert level_of(view) == "High risk"
    assert "Links to gangs or groups involved in crime (+3)" in view.risk_panel.contributing.text()
    click_option(view.editors["sti_or_pregnancy"], "no")  # 13
    assert level_of(view) == "Medium risk"


def test_level_is_in_colour_and_in_words(make_view: Any, checklist: Record) -> None:
    view = make_view(checklist)
    click_option(view.editors["disclosed_sexual_abuse"], "yes")
    background, _text = LEVEL_COLOURS[RiskLevel.HIGH]
    assert background in view.risk_panel.level.styleSheet()
    assert view.risk_panel.level.accessibleName() == "Risk level: High risk"


def test_an_override_alone_makes_the_risk_high(make_view: Any, checklist: Record) -> None:
    view = make_view(checklist)
    click_option(view.editors["found_with_adults_of_concern"], "yes")
    assert level_of(view) == "High risk"
    assert view.risk_panel.override.isVisible()
    assert "Found with adults who are a known concern" in view.risk_panel.override.text()
    assert view.risk_panel.score.text().startswith("Score 0")


def test_not_known_answers_are_listed_to_follow_up(make_view: Any, checklist: Record) -> None:
    view = make_view(checklist)
    answer_every_indicator_no(view)
    click_option(view.editors["self_harm"], "not_known")
    assert view.risk_panel.not_known.isVisible()
    assert "Self-harm" in view.risk_panel.not_known.text()
    assert level_of(view) == "No apparent risk"
    assert view.risk_panel.unanswered.text() == "Every indicator is answered."


def test_interview_has_the_72_hour_banner(make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    banner = view.deadline_banner
    assert banner is not None and banner.isVisible()
    assert banner.state == "open"  # returned 41 hours ago: 31 hours left
    assert banner.text().startswith("RHI must be offered by ")
    assert banner.text().endswith(("30 hours left", "31 hours left"))


def test_checklist_has_no_deadline_banner_and_interview_no_risk_panel(
        make_view: Any, rhi: Record, checklist: Record) -> None:
    assert make_view(checklist).deadline_banner is None
    assert make_view(rhi).risk_panel is None


RETURNED = datetime(2026, 11, 19, 14, 5, tzinfo=UTC)  # deadline Sun 22 Nov 14:05 UK time
ANSWERS = {"returned_at": RETURNED.isoformat()}


def test_banner_counts_down_then_turns_amber_then_red() -> None:
    now = RETURNED + timedelta(hours=41)
    state, text = deadline_message(ANSWERS, now, LATE)
    assert (state, text) == ("open", "RHI must be offered by Sun 22 Nov, 14:05 — 31 hours left")
    state, text = deadline_message(ANSWERS, RETURNED + timedelta(hours=60), LATE)
    assert state == "soon" and text.endswith("12 hours left")
    state, text = deadline_message(ANSWERS, RETURNED + timedelta(hours=77), LATE)
    assert state == "overdue"
    assert text.startswith("OVERDUE by 5 hours")
    assert f"Record why in '{LATE}'" in text


def test_banner_once_offered() -> None:
    offered_in_time = {**ANSWERS, "offered_at": (RETURNED + timedelta(hours=20)).isoformat()}
    state, text = deadline_message(offered_in_time, RETURNED + timedelta(hours=90), LATE)
    assert state == "offered_in_time" and text.startswith("Offered in time")
    late = {**ANSWERS, "offered_at": (RETURNED + timedelta(hours=80)).isoformat()}
    state, text = deadline_message(late, RETURNED + timedelta(hours=90), LATE)
    assert state == "offered_late" and text.startswith("Offered 8 hours after")


def test_banner_in_the_view_updates_with_the_clock(make_view: Any, rhi: Record) -> None:
    clock = {"now": datetime.now(UTC)}
    view = make_view(rhi, now=lambda: clock["now"])
    assert view.deadline_banner.state == "open"
    clock["now"] += timedelta(hours=20)
    view.deadline_banner.refresh()  # the banner's timer does this every minute
    assert view.deadline_banner.state == "soon"
    clock["now"] += timedelta(hours=20)
    view.deadline_banner.refresh()
    assert view.deadline_banner.state == "overdue"
    assert view.deadline_banner.text().startswith("OVERDUE by 9 hours")
