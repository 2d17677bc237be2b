"""The Qt side: SyncController on a worker thread and the sync widgets, against a real
server, driven from the keyboard where a practitioner would."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.records import RecordType
from cse_desktop.server import admin
from cse_desktop.store import Store
from cse_desktop.sync.client import actor_for
from cse_desktop.ui.a11y import unnamed_controls
from cse_desktop.ui.sync_controller import SyncController, SyncState
from cse_desktop.ui.sync_widgets import (
    ConflictReviewDialog,
    EnrolmentDialog,
    SyncIndicator,
    SyncSettingsPage,
)
from tests.server.harness import PASSPHRASE, Service, child_data, enrol_device, make_record


@pytest.fixture
def controller(shared_service: Service, tmp_path: Path, qtbot) -> SyncController:  # type: ignore[no-untyped-def]
    store = Store.create(tmp_path / "dev", PASSPHRASE, kdf=KdfParams.fast_for_tests())
    ctl = SyncController(store, verify=str(shared_service.ca_path),
                         client_options={"retries": 1, "backoff": 0.01})
    yield ctl
    ctl.stop()
    if store.is_open:
        store.lock()


def test_enrol_from_the_dialog_then_sync_from_the_indicator(
        shared_service: Service, controller: SyncController, qtbot) -> None:  # type: ignore[no-untyped-def]
    shared_service.user("qtuser", name="Quinn Testington")
    code = shared_service.code("qtuser")
    indicator = SyncIndicator(controller)
    qtbot.addWidget(indicator)
    assert "Not connected" in indicator.label.text()
    assert not indicator.sync_button.isEnabled()

    dialog = EnrolmentDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert unnamed_controls(dialog) == []
    qtbot.keyClicks(dialog.address, shared_service.base_url)
    qtbot.keyClicks(dialog.code, code)
    qtbot.keyClicks(dialog.ca_file, str(shared_service.ca_path))
    with qtbot.waitSignal(controller.enrolment_finished, timeout=15000) as finished:
        qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert finished.args[0] is True, finished.args
    assert "Quinn Testington" in finished.args[1]
    assert controller.is_enrolled and controller.service_address == shared_service.base_url

    store = controller.store
    actor = actor_for(store)
    store.add(make_record(RecordType.CHILD, child_data("Test Child India"), actor), actor)
    with qtbot.waitSignal(controller.synced, timeout=15000):
        qtbot.mouseClick(indicator.sync_button, Qt.MouseButton.LeftButton)
    assert controller.status.state is SyncState.SYNCED
    assert indicator.label.text().startswith("Synced at")
    assert store.pending_count() == 0


def test_wrong_code_is_explained(shared_service: Service, controller: SyncController,
                                 qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = EnrolmentDialog(controller)
    qtbot.addWidget(dialog)
    dialog.address.setText(shared_service.base_url)
    dialog.code.setText("AAAA-BBBB-CCCC-DDDD")
    dialog.ca_file.setText(str(shared_service.ca_path))
    with qtbot.waitSignal(controller.enrolment_finished, timeout=15000) as finished:
        dialog.connect_button.click()
    assert finished.args[0] is False
    assert "not valid" in dialog.message.text()


@pytest.mark.realtime
def test_offline_is_shown_and_nothing_is_lost(controller: SyncController, qtbot,  # type: ignore[no-untyped-def]
                                              shared_service: Service) -> None:
    shared_service.user("offuser")
    code = shared_service.code("offuser")
    with qtbot.waitSignal(controller.enrolment_finished, timeout=15000):
        controller.enrol(shared_service.base_url, code, "Laptop", str(shared_service.ca_path))
    controller.set_service_address("https://127.0.0.1:9")  # nothing listens there
    actor = actor_for(controller.store)
    controller.store.add(make_record(RecordType.CHILD, child_data("Test Child Juliet"), actor),
                         actor)
    with qtbot.waitSignal(controller.offline, timeout=15000):
        controller.sync_now()
    assert controller.status.state is SyncState.OFFLINE
    assert "saved on this computer" in controller.status.text
    assert controller.store.pending_count() == 1


def test_conflict_review_dialog_shows_both_sides_and_applies_the_choice(
        shared_service: Service, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    shared_service.user("reviewer", name="Rowan Reviewtest")
    a = enrol_device(shared_service, "reviewer", tmp_path / "a")
    b = enrol_device(shared_service, "reviewer", tmp_path / "b")
    child = a.child("Test Child Kilo")
    note = a.add(RecordType.CASE_NOTE, {"summary": "First words.", "location": "Park"},
                 child.id)
    a.sync()
    b.sync()
    a.store.update(note.id, {"summary": "Laptop A words.", "location": "Park"}, a.actor)
    b.store.update(note.id, {"summary": "Laptop B words.", "location": "Park"}, b.actor)
    a.sync()
    b.client.close()
    ctl = SyncController(b.store, verify=str(shared_service.ca_path))
    with qtbot.waitSignal(ctl.conflicts, timeout=15000) as counted:
        ctl.sync_now()
    assert counted.args == [1]
    indicator = SyncIndicator(ctl)
    qtbot.addWidget(indicator)
    assert not indicator.review_button.isHidden() and "1" in indicator.review_button.text()

    dialog = ConflictReviewDialog(ctl)
    qtbot.addWidget(dialog)
    assert unnamed_controls(dialog) == []
    panel = dialog.panel
    assert panel is not None
    texts = {b.text() for g in panel.groups.values() for b in g.buttons()}
    assert texts == {"Laptop A words.", "Laptop B words."}
    assert "Rowan Reviewtest" in " ".join(
        w.text() for w in panel.findChildren(type(dialog.empty)))
    panel.groups["summary"].button(1).setChecked(True)  # the service's version
    with qtbot.waitSignal(ctl.synced, timeout=15000):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.list.count() == 0
    assert b.store.get(note.id).data["summary"] == "Laptop A words."
    assert ctl.status.conflicts == 0
    a.close()
    b.store.lock()


def test_settings_page_and_revocation(shared_service: Service, controller: SyncController,
                                      qtbot) -> None:  # type: ignore[no-untyped-def]
    shared_service.user("settingsuser", name="Sasha Settingstest")
    page = SyncSettingsPage(controller)
    qtbot.addWidget(page)
    assert unnamed_controls(page) == []
    assert "Not connected" in page.enrolment.text()
    with qtbot.waitSignal(controller.enrolment_finished, timeout=15000):
        controller.enrol(shared_service.base_url, shared_service.code("settingsuser"),
                         "Laptop", str(shared_service.ca_path))
    page.refresh()
    assert "Sasha Settingstest" in page.enrolment.text()
    page.interval.setValue(15)
    assert controller.interval_minutes == 15

    device_id = controller.store.get_meta("enrolment")["device_id"]
    admin.revoke_device(shared_service.engine, device_id, "left the team")
    data_dir = controller.store.data_dir
    with qtbot.waitSignal(controller.revoked, timeout=15000) as revoked:
        controller.sync_now()
    assert "left the team" in revoked.args[0]
    assert controller.status.state is SyncState.REVOKED
    assert not Store.exists(data_dir)


def test_stop_sync_on_a_stalled_connection(shared_service: Service, controller: SyncController,
                                           qtbot) -> None:  # type: ignore[no-untyped-def]
    """While a round runs the button reads "Stop sync"; pressing it ends a stalled round at
    once, and the work stays on this computer."""
    from tests.sync.relay import Relay

    shared_service.user("stopper")
    with qtbot.waitSignal(controller.enrolment_finished, timeout=15000):
        controller.enrol(shared_service.base_url, shared_service.code("stopper"), "Laptop",
                         str(shared_service.ca_path))
    actor = actor_for(controller.store)
    controller.store.add(make_record(RecordType.CHILD, {"name": "Test Child Tango"}, actor),
                         actor)
    indicator = SyncIndicator(controller)
    qtbot.addWidget(indicator)
    with Relay(shared_service.port) as relay:
        relay.stall()
        controller.set_service_address(relay.url)
        controller.sync_now()
        qtbot.waitUntil(lambda: relay.stats.connections > 0, timeout=10_000)
        assert indicator.sync_button.text() == "Stop sync" and indicator.sync_button.isEnabled()
        qtbot.mouseClick(indicator.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not controller.is_running, timeout=3_000)
    assert controller.status.state is SyncState.IDLE
    assert "Sync stopped" in controller.status.message
    assert indicator.sync_button.text() == "Sync now"
    assert controller.store.pending_count() == 1


@pytest.mark.realtime  # a throttled relay and the round's timed waits
def test_try_sending_a_stuck_large_change_again(shared_service: Service, tmp_path: Path,
                                                qtbot) -> None:  # type: ignore[no-untyped-def]
    """A large note that could not get through is named with its size, and "Try sending it
    again now" sends it first, on the worker thread (the UI keeps ticking meanwhile)."""
    import itertools
    import random
    import string
    import time

    from PySide6.QtCore import QTimer

    from tests.sync.relay import Relay

    shared_service.user("bigsender")
    store = Store.create(tmp_path / "big", PASSPHRASE, kdf=KdfParams.fast_for_tests())
    controller = SyncController(store, verify=str(shared_service.ca_path),
                                client_options={"retries": 3, "backoff": 0.01})
    with qtbot.waitSignal(controller.enrolment_finished, timeout=15000):
        controller.enrol(shared_service.base_url, shared_service.code("bigsender"), "Laptop",
                         str(shared_service.ca_path))
    actor = actor_for(store)
    child = store.add(make_record(RecordType.CHILD, child_data("Test Child Sparrow"), actor),
                      actor)
    rng = random.Random(5)
    text = "".join(rng.choices(string.ascii_letters + string.digits + " ", k=600 * 1024))
    note = store.add(make_record(RecordType.CASE_NOTE, {"summary": text}, actor, child.id),
                     actor)
    indicator = SyncIndicator(controller)
    page = SyncSettingsPage(controller)
    qtbot.addWidget(indicator)
    qtbot.addWidget(page)
    assert not controller.retry_stuck()  # nothing stuck yet: no round
    # Every connection is cut in its first 150 KB: the note cannot get through.
    with Relay(shared_service.port, cut_fraction=1.0, cut_window=150 * 1024) as relay:
        controller.set_service_address(relay.url)
        controller.sync_now()
        qtbot.waitUntil(lambda: not controller.is_running, timeout=60_000)
    status = controller.status
    assert len(status.stuck) == 1, status
    assert "Case note for Test Child Sparrow" in status.stuck[0] and "(601 KB)" in status.stuck[0]
    assert store.has_pending(note.id)
    for button in (indicator.retry_button, page.retry_button):
        assert not button.isHidden() and button.isEnabled()
        assert button.text() == "Try sending it again now"
        assert "(601 KB)" in button.accessibleDescription()
    assert "(601 KB)" in page.outcome.text()
    # Remembered across restarts of the app (a new controller on the same store).
    assert SyncController(store).status.stuck == status.stuck

    # A better connection: the practitioner presses the button.
    controller.set_service_address(shared_service.base_url)
    messages: list[str] = []
    controller.status_changed.connect(lambda s: messages.append(s.message))
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    qtbot.mouseClick(indicator.retry_button, Qt.MouseButton.LeftButton)
    assert controller.is_running and indicator.retry_button.isHidden()
    qtbot.waitUntil(lambda: not controller.is_running, timeout=60_000)
    timer.stop()
    worst = max(b - a for a, b in itertools.pairwise(ticks))
    print(f"\nworst UI gap while retrying: {worst * 1000:.0f} ms")
    assert worst < 0.5
    # The large note went first, before any other sending or receiving.
    progress = [m for m in messages if m.startswith(("Sending", "Receiving"))]
    assert progress[0] == "Sending the large change again…"
    assert progress[1].startswith("Sending a large case note for Test Child Sparrow")
    assert controller.status.state is SyncState.SYNCED, controller.status
    assert controller.status.stuck == () and store.pending_count() == 0
    assert indicator.retry_button.isHidden() and page.retry_button.isHidden()
    assert shared_service.scalar("SELECT count(*) FROM records WHERE id = :i", i=note.id) == 1
    controller.stop()
    store.lock()
