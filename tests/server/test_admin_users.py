"""Deactivating and removing a user from the admin CLI: their devices are revoked, they cannot
enrol again, and their caseload can be handed to someone else."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cse_desktop.sync import DeviceRevoked
from tests.server.harness import REPO, Service, enrol_device


def cli(svc: Service, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cse_desktop.server", "--data-dir",
                           str(svc.data_dir), "--database-url", svc.database_url, "admin",
                           *args], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_remove_user_revokes_devices_and_reassigns_the_caseload(service: Service,
                                                                tmp_path: Path) -> None:
    svc = service
    svc.user("leaver")
    svc.user("keeper")
    laptop = enrol_device(svc, "leaver", tmp_path / "laptop")
    tablet = enrol_device(svc, "leaver", tmp_path / "tablet")
    keeper = enrol_device(svc, "keeper", tmp_path / "keeper")
    unused_code = svc.code("leaver")
    try:
        children = [laptop.child("Test Child Yankee"), laptop.child("Test Child Zulu")]
        assert laptop.sync().pushed == 2
        done = cli(svc, "remove-user", "leaver", "--reassign-to", "keeper", "--reason",
                   "left the service")
        assert done.returncode == 0, done.stderr
        assert "2 child(ren) moved to keeper" in done.stdout
        # The leaver's devices are revoked and wiped at their next sync.
        for device in (laptop, tablet):
            with pytest.raises(DeviceRevoked) as caught:
                device.sync()
            assert "left the service" in str(caught.value)
        # Nobody can enrol as them any more, with an old code or a new one.
        refused = httpx.post(svc.base_url + "/api/v1/enrol", json={
            "enrolment_code": unused_code, "device_name": "x", "csr_pem": "x"},
            verify=ssl.create_default_context(cafile=str(svc.ca_path)), timeout=30)
        assert refused.status_code == 400
        again = cli(svc, "enrolment-code", "leaver")
        assert again.returncode == 1 and "deactivated" in again.stderr
        # The keeper now has the caseload, records and all.
        keeper.sync()
        assert all(keeper.store.find(c.id) is not None for c in children)
        assert svc.scalar("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id "
                          "WHERE u.username = 'leaver'") == 0
        assert svc.scalar("SELECT active FROM users WHERE username = 'leaver'") in (False, 0)
        for action in ("admin_deactivate_user", "admin_remove_user"):
            assert svc.scalar("SELECT count(*) FROM audit_log WHERE action = :a",
                              a=action) == 1
    finally:
        for device in (laptop, tablet, keeper):
            device.close()


def test_deactivate_user_keeps_the_caseload_for_later(service: Service,
                                                      tmp_path: Path) -> None:
    svc = service
    svc.user("pausing")
    device = enrol_device(svc, "pausing", tmp_path / "dev")
    try:
        device.child("Test Child Alfa")
        device.sync()
        done = cli(svc, "deactivate-user", "pausing")
        assert done.returncode == 0 and "1 device(s) revoked" in done.stdout, done
        with pytest.raises(DeviceRevoked):
            device.sync()
        assert svc.scalar("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id "
                          "WHERE u.username = 'pausing'") == 1
        wrong = cli(svc, "remove-user", "pausing", "--reassign-to", "nobody")
        assert wrong.returncode == 1 and "no user called" in wrong.stderr
    finally:
        device.close()
