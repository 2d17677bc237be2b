"""The caseload list: counts, search, filters, sorting; loading never blocks the UI."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.forms import RiskLevel
from cse_desktop.services.casework import Casework
from cse_desktop.ui.caseload_view import CHILD_ID_ROLE, Column

from .conftest import PASSPHRASE, add_child, unlock_through_ui, wait_for_caseload

NO = {"answer": "no"}


def checklist(child_id: str, **yes: bool) -> dict:
    from cse_desktop.services.session import default_library

    definition = default_library().get("warning_signs")
    answers: dict = {"child_id": child_id, "assessed_at": SYSTEM_CLOCK.now().isoformat()}
    for field in definition.indicator_fields():
        answers[field.id] = {"answer": "yes"} if yes.get(field.id) else NO
    return answers


def seed(session) -> dict[str, str]:
    work = Casework(session)
    ids = {
        "amy": add_child(session, "Amy", "Zephyr", local_reference="REF-1"),
        "ben": add_child(session, "Ben", "Young", local_reference="REF-2"),
        "cal": add_child(session, "Cal", "Xander", local_reference="REF-3"),
    }
    high = work.start_draft("warning_signs", ids["amy"])
    high_answers = {**checklist(ids["amy"], disclosed_sexual_abuse=True),
                    "professional_judgement": "Disclosed abuse: strategy meeting today.",
                    "actions": [{"what": "Strategy meeting", "owner": "Social care"}]}
    work.sign(high.id, high_answers, PASSPHRASE, None)
    low = work.start_draft("warning_signs", ids["ben"])
    work.sign(low.id, checklist(ids["ben"], absent_from_school=True), PASSPHRASE, None)
    returned = SYSTEM_CLOCK.now() - timedelta(hours=80)
    work.record_episode(ids["cal"], {
        "missing_or_absent": "missing", "reported_by": "police",
        "went_missing_at": (returned - timedelta(hours=5)).isoformat(),
        "returned_at": returned.isoformat()})
    work.quick_note(ids["ben"], {"occurred_at": SYSTEM_CLOCK.now().isoformat(),
                                 "contact_type": "phone",
                                 "summary": "Talked about the skate park on Marrowby Road."})
    return ids


def names(window) -> list[str]:
    model = window.caseload.model
    return [model.index(row, Column.NAME).data() for row in range(model.rowCount())]


def opened(qtbot, make_window, existing_store):
    session = existing_store()
    ids = seed(session)
    session.lock()
    window = make_window()
    unlock_through_ui(qtbot, window)
    wait_for_caseload(qtbot, window)
    return window, ids


def test_rows_risk_rhi_drafts_and_counts(qtbot, make_window, existing_store):
    window, _ids = opened(qtbot, make_window, existing_store)
    assert names(window) == ["Amy Zephyr", "Ben Young", "Cal Xander"]
    model = window.caseload.model
    assert model.index(0, Column.RISK).data() == "High risk"
    assert model.index(1, Column.RISK).data() == "Low risk"
    assert model.index(2, Column.RISK).data() == "Not assessed"
    assert model.index(2, Column.RHI).data().startswith("Overdue by 8 hours")
    assert model.index(1, Column.DRAFTS).data() == "Draft to finish"
    assert model.index(0, Column.REFERENCE).data() == "REF-1"
    assert window.counts.text() == "3 children · 1 RHI overdue · 1 draft"


def test_search_uses_everything_written_and_is_debounced(qtbot, make_window, existing_store):
    window, _ids = opened(qtbot, make_window, existing_store)
    view = window.caseload
    qtbot.keyClicks(view.search, "marrow")
    assert len(names(window)) == 3  # not yet: typing is debounced
    qtbot.waitUntil(lambda: names(window) == ["Ben Young"], timeout=5_000)
    assert window.counts.text().startswith("1 child shown")
    view.search.clear()
    qtbot.waitUntil(lambda: len(names(window)) == 3, timeout=5_000)


def test_filters_and_sorting(qtbot, make_window, existing_store):
    window, _ids = opened(qtbot, make_window, existing_store)
    view = window.caseload
    view.risk.setCurrentIndex(view.risk.findText("High risk"))
    qtbot.waitUntil(lambda: names(window) == ["Amy Zephyr"], timeout=5_000)
    assert view.risk.currentData() == {RiskLevel.HIGH}
    view.risk.setCurrentIndex(0)
    view.rhi_only.setChecked(True)
    qtbot.waitUntil(lambda: names(window) == ["Cal Xander"], timeout=5_000)
    view.rhi_only.setChecked(False)
    view.drafts_only.setChecked(True)
    qtbot.waitUntil(lambda: names(window) == ["Ben Young"], timeout=5_000)
    view.drafts_only.setChecked(False)
    qtbot.waitUntil(lambda: len(names(window)) == 3, timeout=5_000)
    view.table.sortByColumn(Column.RISK, Qt.SortOrder.DescendingOrder)
    assert names(window) == ["Amy Zephyr", "Ben Young", "Cal Xander"]
    view.table.sortByColumn(Column.RHI, Qt.SortOrder.AscendingOrder)
    assert names(window)[0] == "Cal Xander"


def test_loading_runs_off_the_ui_thread(qtbot, make_window, existing_store):
    window, _ids = opened(qtbot, make_window, existing_store)
    window.caseload.model.clear()
    window.caseload.refresh()
    # The call returns at once; the rows arrive later, from the thread pool.
    assert window.caseload.model.rowCount() == 0
    assert window.caseload.status.text() == "Loading…"
    qtbot.waitUntil(lambda: window.caseload.model.rowCount() == 3, timeout=5_000)


def test_enter_opens_the_child(qtbot, make_window, existing_store):
    window, ids = opened(qtbot, make_window, existing_store)
    view = window.caseload
    view.table.setFocus()
    view.table.selectRow(0)
    assert view.table.currentIndex().data(CHILD_ID_ROLE) == ids["amy"]
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert window.workspace.currentWidget() is window.child
    qtbot.waitUntil(lambda: window.child.title.text() == "Amy Zephyr", timeout=5_000)
    assert window.child.risk_badge.text() == "High risk"


def test_one_press_shows_the_children_waiting_for_an_interview(qtbot, make_window,
                                                              existing_store):
    window, _ids = opened(qtbot, make_window, existing_store)
    view = window.caseload
    assert view.attention.isVisible()
    assert view.attention.text() == ("Show the 1 child waiting for a return home interview "
                                     "(1 overdue)")
    qtbot.mouseClick(view.attention, Qt.MouseButton.LeftButton)
    assert view.rhi_only.isChecked()
    qtbot.waitUntil(lambda: names(window) == ["Cal Xander"], timeout=5_000)
    assert not view.attention.isVisible()


def test_the_waiting_button_says_its_counts_to_a_screen_reader(qtbot, make_window,
                                                                existing_store):
    """Its accessible name is what it shows, counts included, and follows them."""
    window, ids = opened(qtbot, make_window, existing_store)
    view = window.caseload
    assert view.attention.accessibleName() == view.attention.text()
    assert "(1 overdue)" in view.attention.accessibleName()
    returned = SYSTEM_CLOCK.now() - timedelta(hours=90)
    Casework(window.session).record_episode(ids["amy"], {
        "missing_or_absent": "missing", "reported_by": "police",
        "went_missing_at": (returned - timedelta(hours=2)).isoformat(),
        "returned_at": returned.isoformat()})
    window.refresh()
    wanted = "Show the 2 children waiting for a return home interview (2 overdue)"
    qtbot.waitUntil(lambda: view.attention.text() == wanted, timeout=5_000)
    assert view.attention.accessibleName() == wanted
    # The status-bar counts are read as their text, not a fixed name that hides them.
    assert window.counts.text() and window.counts.accessibleName() in ("", window.counts.text())


def test_an_overdue_interview_is_at_the_top_of_the_child_page(qtbot, make_window,
                                                              existing_store):
    window, ids = opened(qtbot, make_window, existing_store)
    window.open_child(ids["cal"])
    qtbot.waitUntil(lambda: window.child.title.text() == "Cal Xander", timeout=5_000)
    badge = window.child.rhi_badge
    assert badge.isVisible()
    assert badge.text().startswith("RHI overdue since ")
    assert badge.mapTo(window, badge.rect().topLeft()).y() < window.child.risk_box.mapTo(
        window, window.child.risk_box.rect().topLeft()).y()
    qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
    assert window.child.episodes_box.isAncestorOf(QApplication.focusWidget())
    window.open_child(ids["amy"])
    qtbot.waitUntil(lambda: window.child.title.text() == "Amy Zephyr", timeout=5_000)
    assert not window.child.rhi_badge.isVisible()


def test_the_due_filter_sorts_by_urgency_and_puts_the_order_back(qtbot, make_window,
                                                                  existing_store):
    window, _ids = opened(qtbot, make_window, existing_store)
    view = window.caseload
    header = view.table.horizontalHeader()
    assert header.sortIndicatorSection() == Column.NAME
    view.rhi_only.setChecked(True)
    assert header.sortIndicatorSection() == Column.RHI
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    view.rhi_only.setChecked(False)
    assert header.sortIndicatorSection() == Column.NAME


def test_a_large_caseload_loads_a_page_at_a_time_with_counts_for_every_match(
        qtbot, make_window, existing_store, monkeypatch):
    from cse_desktop.records import Record, RecordType, new_id
    from cse_desktop.ui import caseload_view

    monkeypatch.setattr(caseload_view, "PAGE_SIZE", 20)
    session = existing_store()
    now = SYSTEM_CLOCK.now()
    records = []
    for i in range(53):
        record_id = new_id()
        records.append(Record(record_id, RecordType.CHILD, "child", 1,
                              {"first_name": f"Child{i:03d}", "last_name": "Pagewell"},
                              session.actor.name, session.actor.device_id, now, now,
                              child_id=record_id))
    session.store.add_many(records, session.actor)
    session.lock()
    window = make_window()
    unlock_through_ui(qtbot, window)
    wait_for_caseload(qtbot, window)
    model = window.caseload.model
    assert model.rowCount() == 20 and model.total == 53
    assert window.counts.text().startswith("53 children")
    # Scrolling to the end loads the rest, page by page, in the same order.
    for _ in range(10):
        window.caseload.table.scrollToBottom()
        if model.canFetchMore():
            model.fetchMore()
        wait_for_caseload(qtbot, window)
        if model.rowCount() == 53:
            break
    assert names(window) == [f"Child{i:03d} Pagewell" for i in range(53)]
    # Sorting a partly loaded list asks the store for the new order.
    window.caseload.refresh()
    wait_for_caseload(qtbot, window)
    assert model.rowCount() == 20
    window.caseload.table.sortByColumn(Column.NAME, Qt.SortOrder.DescendingOrder)
    wait_for_caseload(qtbot, window)
    assert names(window)[:3] == ["Child052 Pagewell", "Child051 Pagewell", "Child050 Pagewell"]
    # A search counts every match, not only the page shown.
    window.caseload.search.setText("child01")
    qtbot.waitUntil(lambda: window.counts.text().startswith("10 children shown"),
                    timeout=10_000)
