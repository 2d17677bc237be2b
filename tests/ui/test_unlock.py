"""First run and unlock screens, driven through the widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cse_desktop.crypto.keyfile import KeyFile
from cse_desktop.services.session import store_exists
from cse_desktop.store import Store

from .conftest import PASSPHRASE, first_run_through_ui, unlock_through_ui


def test_first_run_creates_the_encrypted_store_and_opens_the_caseload(qtbot, make_window,
                                                                       data_dir):
    window = make_window()
    assert not store_exists(data_dir)
    first_run_through_ui(qtbot, window)
    assert store_exists(data_dir)
    assert window.pages.currentWidget() is window.workspace
    assert window.workspace.currentWidget() is window.caseload
    assert "Sam Practitioner" in window.who.text()
    view = window.caseload
    qtbot.waitUntil(lambda: view.list_area.currentWidget() is view.empty, timeout=5_000)
    assert view.empty.text().startswith("No children on your caseload yet.")
    window.record_episode(None)  # the toolbar button with nobody chosen
    assert window.statusBar().currentMessage() == (
        "Choose a child first, then record the missing episode.")


def test_first_run_explains_what_is_missing_in_plain_words(qtbot, make_window):
    window = make_window()
    page = window.first_run_page
    qtbot.keyClicks(page.name, "Sam")
    qtbot.keyClicks(page.passphrase, "short")
    assert not page.create_button.isEnabled()
    assert "at least 10 characters" in page.hint.text()
    assert page.strength.value() == 0
    page.passphrase.clear()
    qtbot.keyClicks(page.passphrase, "a long walk by the river at dawn")
    assert page.strength.value() >= 2
    assert page.strength.format() in ("Good", "Strong", "Very strong")
    qtbot.keyClicks(page.confirm, "a long walk by the river")
    assert not page.create_button.isEnabled()
    page.submit()
    assert page.message.text() == "The two passphrases are not the same yet."
    qtbot.keyClicks(page.confirm, " at dawn")
    assert page.create_button.isEnabled()


def test_wrong_passphrase_says_so_plainly_and_the_right_one_opens(qtbot, make_window,
                                                                  existing_store):
    existing_store().lock()
    window = make_window()
    assert window.pages.currentWidget() is window.unlock_page
    page = window.unlock_page
    qtbot.keyClicks(page.passphrase, "not my passphrase at all")
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not right" in page.message.text(), timeout=10_000)
    assert page.message.text() == "That passphrase is not right. Check Caps Lock and try again."
    assert not window.is_unlocked
    assert page.passphrase.text() == ""
    unlock_through_ui(qtbot, window)
    assert window.pages.currentWidget() is window.workspace


def test_repeated_wrong_passphrases_slow_down_with_a_countdown(qtbot, make_window, data_dir,
                                                               existing_store):
    existing_store().lock()
    window = make_window()
    page = window.unlock_page
    for attempt in range(3):
        qtbot.keyClicks(page.passphrase, f"wrong guess number {attempt}")
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: page.unlock_button.isEnabled()
                        or "wait" in page.message.text(), timeout=10_000)
    assert "please wait" in page.message.text()
    assert "second" in page.message.text()
    assert not page.unlock_button.isEnabled()
    assert KeyFile(Store.key_file(data_dir).path).seconds_to_wait() > 0
    # The countdown gives the button back once the wait is over.
    qtbot.waitUntil(lambda: page.unlock_button.isEnabled(), timeout=5_000)
    assert page.message.text() == "You can try again now."
    unlock_through_ui(qtbot, window, PASSPHRASE)


def test_first_run_asks_which_organisation_prints_on_forms(qtbot, make_window):
    """The organisation is reached with Alt+O, named for screen readers, and the name typed
    there is the one printed on forms (empty: the plain default, never a demo name)."""
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    page = window.first_run_page
    assert page.organisation.accessibleName() == "Your organisation"
    assert "Printed at the top of your forms" in page.organisation.accessibleDescription()
    qtbot.keyClicks(page.name, "Sam Practitioner")
    qtbot.keyClick(page.name, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is page.organisation
    qtbot.keyClicks(page.organisation, "Eastmoor Children's Services")
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.confirm, PASSPHRASE)
    qtbot.keyClick(page.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.is_unlocked, timeout=10_000)
    assert window.session.organisation["name"] == "Eastmoor Children's Services"


def test_the_window_title_says_where_you_are(qtbot, make_window):
    """A screen reader announcing the window hears the place, not the app's name twice."""
    window = make_window()
    assert window.windowTitle() == "Set up — Child exploitation casework"
    first_run_through_ui(qtbot, window)
    assert window.windowTitle() == "Caseload — Child exploitation casework"
    window.lock()
    assert window.windowTitle() == "Locked — Child exploitation casework"
