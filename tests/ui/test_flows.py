"""A practitioner's day through the widgets: first run, a child, a missing episode, the
return home interview (autosaved, signed, then read-only), and a checklist's live risk."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from cse_desktop.records import RecordType
from cse_desktop.services.casework import Casework
from cse_desktop.ui.forms import FormWindow

from .conftest import first_run_through_ui
from .flows import (
    add_child_through_dialog,
    button,
    click_option,
    hours_ago,
    record_episode_through_dialog,
    sign_in_dialog,
    type_into,
)


def open_interview(qtbot, window) -> FormWindow:
    qtbot.waitUntil(lambda: window.child.overview is not None
                    and len(window.child.overview.episodes) == 1, timeout=5_000)
    # The episode's row is shown a moment after the data arrives: wait for the button too.
    qtbot.waitUntil(lambda: any(b.text() == "Start return home interview" and b.isVisible()
                                for b in window.child.episodes_box.findChildren(QPushButton)),
                    timeout=5_000)
    qtbot.mouseClick(button(window.child.episodes_box, "Start return home interview"),
                     Qt.MouseButton.LeftButton)
    forms = window.forms.windows
    assert len(forms) == 1
    return next(iter(forms.values()))


def test_first_run_to_a_signed_read_only_return_home_interview(qtbot, make_window):
    window = make_window()
    first_run_through_ui(qtbot, window)

    add_child_through_dialog(qtbot, window, "Zoe", "Marsh")
    assert window.workspace.currentWidget() is window.child
    qtbot.waitUntil(lambda: window.child.title.text() == "Zoe Marsh", timeout=5_000)

    record_episode_through_dialog(qtbot, window, returned_hours_ago=10)
    qtbot.waitUntil(lambda: window.child.overview is not None
                    and len(window.child.overview.episodes) == 1, timeout=5_000)
    assert any(label.text().startswith("Interview due by")
               for label in window.child.episodes_box.findChildren(QLabel))
    form = open_interview(qtbot, window)
    rhi_id = form.record.id
    view = form.view
    # The episode's facts are already filled in.
    assert view.editors["where_found"].value() == "Bus station in Marrowby"
    assert form.view.deadline_banner is not None and form.view.deadline_banner.isVisible()

    # Type, and let the autosave keep it (nothing is lost even without pressing Save).
    type_into(qtbot, view.editors["where_stayed"], "At a friend's flat above the chip shop")
    work = Casework(window.session)
    qtbot.waitUntil(lambda: "chip shop" in (work.store.get(rhi_id).data.get("where_stayed")
                                           or ""), timeout=8_000)
    # More typing, then close the window straight away: closing saves it too.
    type_into(qtbot, view.editors["who_with"], "Two older lads she met online")
    form.close()
    assert rhi_id not in window.forms.windows
    assert work.store.get(rhi_id).data["who_with"] == "Two older lads she met online"

    # Reopen from the child page: the draft is there; finish and sign it.
    qtbot.waitUntil(lambda: any(b.text() == "Continue interview" for b in
                                window.child.episodes_box.findChildren(QPushButton)),
                    timeout=5_000)
    qtbot.mouseClick(button(window.child.episodes_box, "Continue interview"),
                     Qt.MouseButton.LeftButton)
    form = window.forms.windows[rhi_id]
    view = form.view
    assert view.editors["who_with"].value() == "Two older lads she met online"
    view.editors["offered_at"].set_value(hours_ago(4))
    click_option(qtbot, view.editors["outcome"], "Interview completed")
    view.editors["completed_at"].set_value(hours_ago(3))
    click_option(qtbot, view.editors["interviewer_independent"], "Yes")
    type_into(qtbot, view.editors["childs_words"], "I just wanted to get away for a bit.")
    assert work.check(form.record, view.answers()) == []

    signed = sign_in_dialog(qtbot, form.sign)
    assert signed is not None and signed.is_signed
    stored = work.store.get(rhi_id)
    assert stored.is_signed
    assert stored.signature.signed_by == "Sam Practitioner"
    assert stored.signature.image_png  # the drawn signature is kept
    assert view.is_read_only()
    assert not form.sign_button.isVisible()
    assert view.signed_banner.isVisible()
    assert "Sam Practitioner" in view.signed_banner.text.text()

    # The child page shows the interview as signed and in time.
    qtbot.waitUntil(lambda: any(label.text() == "Interview offered in time (signed)"
                                for label in window.child.episodes_box.findChildren(QLabel)),
                    timeout=5_000)
    kinds = {r.record_type for r in work.store.records(child_id=stored.child_id)}
    assert RecordType.RETURN_INTERVIEW in kinds


def test_ticking_warning_signs_changes_the_risk_level_live(qtbot, make_window):
    window = make_window()
    first_run_through_ui(qtbot, window)
    add_child_through_dialog(qtbot, window, "Kai", "Rowe")
    qtbot.waitUntil(lambda: window.child.title.text() == "Kai Rowe", timeout=5_000)
    assert window.child.risk_badge.text() == "Not assessed"

    qtbot.mouseClick(window.child.checklist_button, Qt.MouseButton.LeftButton)
    form = next(iter(window.forms.windows.values()))
    view, panel = form.view, form.view.risk_panel
    assert panel is not None
    assert panel.level.text() == "No apparent risk"
    click_option(qtbot, view.editors["absent_from_school"], "Yes")
    assert panel.level.text() == "Low risk"
    for indicator in ("missing_repeatedly", "older_boyfriend_girlfriend",
                      "picked_up_by_unknown_cars"):
        click_option(qtbot, view.editors[indicator], "Yes")
    assert panel.level.text() == "Medium risk"
    click_option(qtbot, view.editors["found_with_adults_of_concern"], "Yes")
    assert panel.level.text() == "High risk"
    click_option(qtbot, view.editors["found_with_adults_of_concern"], "No")
    assert panel.level.text() == "Medium risk"

    # Answer the rest "No", sign, and the child's current risk level follows.
    for field_id, editor in view.editors.items():
        if view.definition.field(field_id).type == "indicator" and editor.value() is None:
            click_option(qtbot, editor, "No")
    view.editors["assessed_at"].set_value(hours_ago(1))
    sign_in_dialog(qtbot, form.sign)
    assert form.record.is_signed
    qtbot.waitUntil(lambda: window.child.risk_badge.text() == "Medium risk", timeout=5_000)
    reasons = next(label.text() for label in window.child.risk_box.findChildren(QLabel)
                   if label.text().startswith("•"))
    assert reasons.count("(adds 3)") == 3 and reasons.count("(adds 1)") == 1


def test_edit_details_and_an_episode_in_their_dialogs(qtbot, make_window):
    from cse_desktop.ui.record_dialogs import ChildDialog, EpisodeDialog

    from .flows import editor_of, while_dialog_open

    window = make_window()
    first_run_through_ui(qtbot, window)
    add_child_through_dialog(qtbot, window, "Priya", "Dale")
    record_episode_through_dialog(qtbot, window, returned_hours_ago=100)
    qtbot.waitUntil(lambda: window.child.overview is not None
                    and len(window.child.overview.episodes) == 1, timeout=5_000)
    assert any(label.text().startswith("Interview overdue since")
               for label in window.child.episodes_box.findChildren(QLabel))

    def rename(dialog):
        assert isinstance(dialog, ChildDialog)
        preferred = editor_of(dialog.view.parts, "preferred_name")
        assert editor_of(dialog.view.parts, "first_name").value() == "Priya"
        type_into(qtbot, preferred, "Pri")
        qtbot.mouseClick(button(dialog, "Save details"), Qt.MouseButton.LeftButton)

    while_dialog_open(lambda: qtbot.mouseClick(window.child.edit_button,
                                               Qt.MouseButton.LeftButton), rename)
    qtbot.waitUntil(lambda: window.child.title.text() == "Priya Dale (Pri)", timeout=5_000)

    def correct(dialog):
        assert isinstance(dialog, EpisodeDialog)
        found = editor_of(dialog.view.parts, "where_found")
        assert found.value() == "Bus station in Marrowby"
        found.set_value("Marrowby bus station, stand C")
        qtbot.mouseClick(button(dialog, "Save episode"), Qt.MouseButton.LeftButton)

    while_dialog_open(lambda: qtbot.mouseClick(
        button(window.child.episodes_box, "Episode details"), Qt.MouseButton.LeftButton),
        correct)
    work = Casework(window.session)
    episode = window.child.overview.episodes[0].episode
    assert work.store.get(episode.id).data["where_found"] == "Marrowby bus station, stand C"
    assert window.forms.windows == {}  # facts are edited in a dialog, not a form window


def test_print_case_summary_goes_to_the_pdf_part(qtbot, make_window, monkeypatch):
    pdf_dialogs = __import__("pytest").importorskip("cse_desktop.ui.pdf_dialogs")
    asked: list[tuple[object, str]] = []
    monkeypatch.setattr(pdf_dialogs, "print_case_summary",
                        lambda session, child_id, parent=None: asked.append((session,
                                                                             child_id)))
    window = make_window()
    first_run_through_ui(qtbot, window)
    add_child_through_dialog(qtbot, window, "Noor", "Hale")
    assert window.child.print_button.isEnabled()
    qtbot.mouseClick(window.child.print_button, Qt.MouseButton.LeftButton)
    assert asked == [(window.session, window.child.child_id)]
