"""Enrolment under attack: one code used by 16 devices at once enrols exactly one; guessing
codes or tokens is slowed down (429 + Retry-After) and every refusal is audited; a code lives
at most 7 days."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from cse_desktop.clock import FixedClock
from cse_desktop.crypto.identity import generate_private_key, make_csr
from cse_desktop.server import admin
from cse_desktop.server.ratelimit import FailureLimiter
from cse_desktop.server.timeutil import now
from tests.server.harness import Service, backends, enrol_device, running_service
from tests.server.hostile import get

ROUNDS = 4
DEVICES = 16
NO_LIMITS = {"CSE_SERVER_ENROL_FAILURES_PER_ADDRESS": "1000000",
             "CSE_SERVER_ENROL_FAILURES_PER_CODE": "1000000"}


def _csr(name: str = "Racer Testperson") -> str:
    return make_csr(generate_private_key(), name, "Outreach worker", "Test").decode("ascii")


def _enrol(svc: Service, code: str, csr: str, name: str = "laptop") -> httpx.Response:
    return httpx.post(svc.base_url + "/api/v1/enrol", json={
        "enrolment_code": code, "device_name": name, "csr_pem": csr}, timeout=120)


@pytest.fixture(scope="module", params=backends())
def racing(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    yield from running_service(tmp_path_factory.mktemp("race"), str(request.param),
                               env=NO_LIMITS, https=False)


def test_one_code_sixteen_devices_exactly_one_enrols(racing: Service) -> None:
    svc = racing
    csrs = [_csr() for _ in range(DEVICES)]
    for round_no in range(ROUNDS):
        username = f"racer{round_no}"
        svc.user(username)
        code = svc.code(username)
        barrier = threading.Barrier(DEVICES)
        answers: list[Any] = [None] * DEVICES

        def go(i: int, code: str = code, barrier: threading.Barrier = barrier,
               answers: list[Any] = answers) -> None:
            barrier.wait()
            try:
                answers[i] = _enrol(svc, code, csrs[i], f"laptop-{i}")
            except httpx.HTTPError as exc:  # recorded, and fails the test below
                answers[i] = exc

        threads = [threading.Thread(target=go, args=(i,)) for i in range(DEVICES)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        statuses = sorted(a.status_code if isinstance(a, httpx.Response) else repr(a)
                          for a in answers)
        assert statuses == [200] + [400] * (DEVICES - 1), (round_no, statuses)
        for a in answers:
            if a.status_code == 400:
                assert a.json()["code"] == "invalid_enrolment_code"
        devices = svc.scalar("SELECT count(*) FROM devices d JOIN users u ON u.id = d.user_id "
                             "WHERE u.username = :u", u=username)
        assert devices == 1, (round_no, devices)
    assert svc.scalar("SELECT count(*) FROM audit_log WHERE action = 'enrol_refused'") == (
        ROUNDS * (DEVICES - 1))


def test_a_refused_csr_does_not_use_up_the_code(racing: Service) -> None:
    racing.user("csrfail")
    code = racing.code("csrfail")
    bad = _enrol(racing, code, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                               "-----END CERTIFICATE REQUEST-----\n")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_csr", bad.text
    assert _enrol(racing, code, _csr()).status_code == 200


def test_expired_code_and_closed_account_are_refused_and_audited(racing: Service) -> None:
    racing.user("latecomer")
    code = racing.code("latecomer")
    with racing.engine.begin() as conn:
        conn.execute(text("UPDATE enrolment_codes SET expires_at = :t WHERE used_at IS NULL "
                          "AND user_id = (SELECT id FROM users WHERE username = 'latecomer')"),
                     {"t": now() - timedelta(minutes=1)})
    refused = _enrol(racing, code, _csr())
    assert refused.status_code == 400, refused.text
    assert racing.scalar("SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.user_id "
                         "WHERE u.username = 'latecomer' AND a.action = 'enrol_refused' "
                         "AND a.detail LIKE 'expired code%'") == 1
    # The expired code was not used up by the attempt: it is still just expired.
    assert racing.scalar("SELECT count(*) FROM enrolment_codes e JOIN users u ON "
                         "u.id = e.user_id WHERE u.username = 'latecomer' AND "
                         "e.used_at IS NULL") == 1


def test_code_lifetime_is_capped_at_seven_days(racing: Service, tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.server.harness import REPO

    racing.user("patient")
    with pytest.raises(admin.AdminError, match="7 days"):
        admin.create_enrolment_code(racing.engine, "patient", hours=1_000_000)
    with pytest.raises(admin.AdminError):
        admin.create_enrolment_code(racing.engine, "patient", hours=0)
    assert admin.create_enrolment_code(racing.engine, "patient", hours=168)
    done = subprocess.run([sys.executable, "-m", "cse_desktop.server", "--data-dir",
                           str(racing.data_dir), "--database-url", racing.database_url,
                           "admin", "enrolment-code", "patient", "--hours", "1000000"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "7 days" in done.stderr, done


# -- guessing: 429 with Retry-After, refusals audited ----------------------------------------


@pytest.fixture(params=backends())
def guarded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """A service with the default limits."""
    yield from running_service(tmp_path, str(request.param), https=False)


def test_guessing_enrolment_codes_gets_429(guarded: Service) -> None:
    svc = guarded
    svc.user("target")
    real = svc.code("target")
    csr = _csr()
    answers = [_enrol(svc, f"AAAA-BBBB-CCCC-{n:04d}", csr) for n in range(10)]
    assert [a.status_code for a in answers] == [400] * 10
    blocked = _enrol(svc, "AAAA-BBBB-CCCC-9999", csr)
    assert blocked.status_code == 429, blocked.text
    assert blocked.json()["code"] == "too_many_attempts"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 15 * 60
    assert "Wait" in blocked.json()["detail"]
    # While blocked, even the right code waits: a guess that hit would not be told apart.
    assert _enrol(svc, real, csr).status_code == 429
    # Every wrong code is in the audit log (in its own transaction, not rolled back).
    assert svc.scalar("SELECT count(*) FROM audit_log WHERE action = 'enrol_refused'") == 10


def test_retrying_a_used_code_gets_429_per_code(tmp_path: Path) -> None:
    for svc in running_service(tmp_path, backends()[-1], https=False,
                               env={"CSE_SERVER_ENROL_FAILURES_PER_ADDRESS": "1000"}):
        svc.user("reuser")
        code = svc.code("reuser")
        assert _enrol(svc, code, _csr()).status_code == 200
        assert [_enrol(svc, code, _csr()).status_code for _ in range(5)] == [400] * 5
        assert _enrol(svc, code, _csr()).status_code == 429
        # Another code from the same address is still heard.
        svc.user("other")
        assert _enrol(svc, svc.code("other"), _csr()).status_code == 200


def test_guessing_tokens_gets_429_and_is_audited(guarded: Service, tmp_path: Path) -> None:
    svc = guarded
    svc.user("holder")
    device = enrol_device(svc, "holder", tmp_path / "dev")
    try:
        for n in range(30):
            answer = get(svc, f"guessed-token-{n}", "/me")
            assert answer.status_code == 401, answer.text
        blocked = get(svc, "guessed-token-x", "/me")
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
        pushed = httpx.post(svc.base_url + "/api/v1/sync/push", json={"changes": []},
                            headers={"Authorization": "Bearer guessed"}, timeout=30)
        assert pushed.status_code == 429
        assert svc.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth_refused' "
                          "AND detail LIKE 'not_authenticated%'") == 30
    finally:
        device.close()


def test_revoked_token_is_audited(guarded: Service, tmp_path: Path) -> None:
    svc = guarded
    svc.user("gone")
    device = enrol_device(svc, "gone", tmp_path / "dev")
    token = device.store.get_meta("enrolment")["token"]
    admin.revoke_device(svc.engine, device.store.get_meta("enrolment")["device_id"], "lost")
    try:
        answer = get(svc, token, "/me")
        assert answer.status_code == 401 and answer.json()["code"] == "device_revoked"
        assert svc.scalar("SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.user_id "
                          "WHERE u.username = 'gone' AND a.action = 'auth_refused' AND "
                          "a.detail LIKE 'device_revoked%'") == 1
    finally:
        device.close()


def test_failure_window_forgets_old_failures() -> None:
    clock = FixedClock("2026-11-20T10:00:00+00:00")
    limiter = FailureLimiter(3, 60, clock)
    for _ in range(3):
        limiter.failed("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") == 60
    assert limiter.retry_after("10.0.0.2") == 0
    clock.advance(timedelta(seconds=59))
    assert limiter.retry_after("10.0.0.1") == 1
    clock.advance(timedelta(seconds=1))
    assert limiter.retry_after("10.0.0.1") == 0
