"""The shared wire schema mirrors Record.to_wire(); the admin CLI works end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import Record, RecordState, RecordType, Signature
from cse_desktop.server.schemas import WireRecord, WireSignature
from tests.server.harness import REPO, Service, enrol_device


def sample(signed: bool) -> Record:
    now = SYSTEM_CLOCK.now()
    return Record(id="3f0c1c1e-0000-4000-8000-000000000001", record_type=RecordType.CASE_NOTE,
                  form_id="case_note", form_version=1, data={"summary": "Test"},
                  author="Test Person", device_id="device-1", created_at=now, updated_at=now,
                  child_id="3f0c1c1e-0000-4000-8000-000000000002", revision=2,
                  state=RecordState.SIGNED if signed else RecordState.DRAFT,
                  signature=Signature("Test Person", "Outreach worker", now, b"\x89PNG")
                  if signed else None)


def test_wire_schema_mirrors_record_to_wire() -> None:
    for signed in (False, True):
        record = sample(signed)
        wire = record.to_wire()
        assert set(WireRecord.model_fields) == set(wire)
        dumped = WireRecord.model_validate(wire).model_dump(mode="json")
        assert dumped == wire
        assert Record.from_wire(dumped) == record
    assert set(WireSignature.model_fields) == set(sample(True).to_wire()["signature"])


def cli(data_dir: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cse_desktop.server", "--data-dir",
                           str(data_dir), "--database-url", database_url, *args],
                          cwd=REPO, capture_output=True, text=True, timeout=60)


def test_admin_cli_end_to_end(service: Service, tmp_path: Path) -> None:
    run = lambda *a: cli(service.data_dir, service.database_url, *a)  # noqa: E731
    assert run("migrate").returncode == 0
    assert run("admin", "create-team", "West").returncode == 0
    made = run("admin", "create-user", "cliuser", "--name", "Cli Testperson", "--role",
               "outreach_worker", "--team", "West")
    assert made.returncode == 0, made.stderr
    taken = run("admin", "create-user", "cliuser", "--name", "X", "--role", "admin")
    assert taken.returncode == 1 and "taken" in taken.stderr
    assert run("admin", "assign", "cliuser", "child-123").returncode == 0
    code = run("admin", "enrolment-code", "cliuser").stdout.strip()
    assert len(code) == 19

    device = enrol_device(service, "cliuser", tmp_path / "dev")
    listed = run("admin", "list-devices").stdout
    device_id = device.store.get_meta("enrolment")["device_id"]
    assert device_id in listed and "active" in listed
    assert run("admin", "revoke-device", device_id, "--reason", "test").returncode == 0
    assert "revoked" in run("admin", "list-devices", "--username", "cliuser").stdout
    missing = run("admin", "revoke-device", "no-such-device")
    assert missing.returncode == 1 and "no device" in missing.stderr
    device.close()


def test_plain_http_only_on_loopback(tmp_path: Path) -> None:
    refused = cli(tmp_path, f"sqlite:///{tmp_path}/x.db", "serve", "--host", "0.0.0.0",
                  "--insecure-http")
    assert refused.returncode == 2 and "loopback" in refused.stderr


def test_enrolment_code_is_single_use(service: Service, tmp_path: Path) -> None:
    import ssl

    import httpx

    from cse_desktop.crypto.identity import generate_private_key, make_csr

    service.user("onceonly")
    code = service.code("onceonly")
    verify = ssl.create_default_context(cafile=str(service.ca_path))
    body = {"enrolment_code": code.lower().replace("-", " "), "device_name": "Laptop",
            "csr_pem": make_csr(generate_private_key(), "A", "B", "C").decode()}
    first = httpx.post(service.base_url + "/api/v1/enrol", json=body, verify=verify)
    second = httpx.post(service.base_url + "/api/v1/enrol", json=body, verify=verify)
    assert first.status_code == 200
    assert second.status_code == 400 and second.json()["code"] == "invalid_enrolment_code"
    assert service.scalar("SELECT count(*) FROM devices WHERE token_hash = :t",
                          t=first.json()["token"]) == 0  # only the hash is stored


def test_serve_with_a_given_certificate(tmp_path: Path) -> None:
    """Production passes its own certificate and key; the service uses them, not its own."""
    import os
    import ssl
    import time

    import httpx

    from cse_desktop.server.ca import CertificateAuthority
    from tests.server.harness import free_port

    issuer = CertificateAuthority.load_or_create(tmp_path / "it", "Test IT department")
    cert, key = issuer.ensure_tls_certificate(tmp_path / "it", ["127.0.0.1"])
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cse_desktop.server", "--data-dir", str(tmp_path / "svc"),
         "serve", "--port", str(port), "--cert", str(cert), "--key", str(key)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        trusted = ssl.create_default_context(cafile=str(tmp_path / "it" / "ca.pem"))
        answer = None
        deadline = time.monotonic() + 60  # a loaded machine can take a while to start it
        while answer is None and time.monotonic() < deadline:
            try:
                answer = httpx.get(f"https://127.0.0.1:{port}/api/v1/health", verify=trusted)
            except httpx.ConnectError:
                time.sleep(0.1)
        assert answer is not None and answer.json()["status"] == "ok"
        own = ssl.create_default_context(cafile=str(tmp_path / "svc" / "ca.pem"))
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"https://127.0.0.1:{port}/api/v1/health", verify=own)
    finally:
        process.terminate()
        process.wait(10)
