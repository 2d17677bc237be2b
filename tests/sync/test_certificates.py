"""Certificates from the service's internal CA over time: a device renews its signing
certificate at sync before it runs out, an expired one is never used to sign, and an expired
service certificate gets a plain message (not a TLS traceback)."""

from __future__ import annotations

import datetime as dt
import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cse_desktop.clock import SYSTEM_CLOCK, FixedClock
from cse_desktop.crypto.identity import SigningIdentity
from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.records import Role
from cse_desktop.server import timeutil
from cse_desktop.server.ca import PRACTITIONER_DAYS, TLS_CERT, CertificateAuthority
from cse_desktop.services.errors import CertificateExpired
from cse_desktop.services.session import first_run
from cse_desktop.sync.errors import ServiceCertificateExpired
from cse_desktop.sync.transport import Transport
from tests.server.harness import Service, enrol_device


def _identity(store) -> SigningIdentity:  # type: ignore[no-untyped-def]
    return SigningIdentity.from_dict(store.get_meta("signing_identity"))


def test_device_renews_its_certificate_at_sync_only_when_a_quarter_is_left(
        service: Service, tmp_path: Path) -> None:
    service.user("ffion")
    device = enrol_device(service, "ffion", tmp_path / "laptop")
    try:
        first = _identity(device.store)
        assert not first.self_signed
        life = first.not_valid_after - first.not_valid_before
        assert life >= dt.timedelta(days=PRACTITIONER_DAYS)

        # Half way through its life: nothing to do.
        device.store.clock = FixedClock(first.not_valid_before + life / 2)
        assert device.sync().certificate_renewed is False
        assert _identity(device.store).certificate_pem == first.certificate_pem

        # With a fifth of its life left the next sync renews it, with a new key.
        device.store.clock = FixedClock(first.not_valid_after - life / 5)
        report = device.sync()
        assert report.certificate_renewed is True
        renewed = _identity(device.store)
        assert renewed.certificate.serial_number != first.certificate.serial_number
        assert renewed.private_key_pem != first.private_key_pem
        assert renewed.signer_name == first.signer_name
        assert renewed.certificate.issuer == first.certificate.issuer
        assert renewed.not_valid_after > first.not_valid_after - life / 5
        serial = service.scalar("SELECT certificate_serial FROM devices WHERE id = :id",
                                id=device.store.get_meta("enrolment")["device_id"])
        assert serial == format(renewed.certificate.serial_number, "x")
        assert service.scalar("SELECT count(*) FROM audit_log WHERE action = "
                              "'certificate_renewed'") == 1
        assert any(e.action == "certificate_renewed" for e in device.store.audit_entries())

        # Right after renewing, the next sync leaves it alone.
        device.store.clock = SYSTEM_CLOCK
        assert device.sync().certificate_renewed is False
    finally:
        device.close()


def test_an_expired_certificate_is_renewed_at_the_next_sync(service: Service,
                                                            tmp_path: Path) -> None:
    service.user("gwen")
    device = enrol_device(service, "gwen", tmp_path / "laptop")
    try:
        first = _identity(device.store)
        device.store.clock = FixedClock(first.not_valid_after + dt.timedelta(days=30))
        assert device.sync().certificate_renewed is True
        assert _identity(device.store).usable_at(SYSTEM_CLOCK.now())
    finally:
        device.close()


def _partnership_identity(tmp_path: Path, issued: dt.datetime) -> SigningIdentity:
    """A practitioner identity issued by a service CA at ``issued``."""
    from cse_desktop.crypto.identity import generate_private_key, make_csr, private_key_pem
    from cse_desktop.server.ca import certificate_pem

    timeutil.use_clock(FixedClock(issued))
    try:
        ca = CertificateAuthority.load_or_create(tmp_path / "ca", "Northfield Partnership")
        key = generate_private_key()
        cert = ca.issue_practitioner(
            make_csr(key, "Ffion Testperson", "Outreach worker", "Northfield").decode(),
            name="Ffion Testperson", role="Outreach worker", organisation="Northfield",
            user_id="u-ffion")
    finally:
        timeutil.use_clock(SYSTEM_CLOCK)
    return SigningIdentity(private_key_pem(key), certificate_pem(cert).encode(),
                           (ca.certificate_pem.encode(),), False)


def test_signing_with_an_expired_certificate_is_refused_in_plain_words(tmp_path: Path) -> None:
    issued = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
    identity = _partnership_identity(tmp_path, issued)
    clock = FixedClock(issued + dt.timedelta(days=PRACTITIONER_DAYS + 1))
    session = first_run(tmp_path / "data", "correct horse battery", name="Ffion Testperson",
                        role=Role.TEAM_LEAD, kdf=KdfParams.fast_for_tests(), clock=clock)
    try:
        session.store.set_meta("signing_identity", identity.to_dict())
        with pytest.raises(CertificateExpired) as refused:
            session.signing_identity()
        message = str(refused.value)
        assert "expired on 9 January 2029" in message
        assert "Sync now" in message and "nothing was signed" in message
        # The board report (and every other signed PDF) goes through the same door.
        from cse_desktop.domain.periods import Period
        from cse_desktop.services.measures import MeasuresService

        with pytest.raises(CertificateExpired):
            MeasuresService(session).board_report(Period.quarter(2028, 4))
        # Before it starts (a laptop clock set far back) it is refused as well.
        clock.set(issued - dt.timedelta(days=3))
        with pytest.raises(CertificateExpired, match="date and time"):
            session.signing_identity()
    finally:
        session.lock()


def test_an_expired_local_identity_is_made_again(tmp_path: Path) -> None:
    clock = FixedClock("2027-05-01T10:00:00+00:00")
    session = first_run(tmp_path / "data", "correct horse battery", name="Ffion Testperson",
                        role=Role.OUTREACH_WORKER, kdf=KdfParams.fast_for_tests(), clock=clock)
    try:
        first = session.signing_identity()
        assert first.self_signed and first.usable_at(clock.now())
        clock.advance(days=4 * 365)
        second = session.signing_identity()
        assert second.usable_at(clock.now())
        assert second.certificate.serial_number != first.certificate.serial_number
    finally:
        session.lock()


def test_service_renews_its_tls_certificate_at_start_when_a_quarter_is_left(
        tmp_path: Path) -> None:
    start = dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    try:
        timeutil.use_clock(clock := FixedClock(start))
        ca = CertificateAuthority.load_or_create(tmp_path, "Northfield Partnership")
        cert_path, _ = ca.ensure_tls_certificate(tmp_path, [])
        first = cert_path.read_bytes()
        clock.advance(days=400)  # about half of 825 days
        ca.ensure_tls_certificate(tmp_path, [])
        assert cert_path.read_bytes() == first
        clock.advance(days=300)  # 125 days left: less than a quarter
        ca.ensure_tls_certificate(tmp_path, [])
        assert (tmp_path / TLS_CERT).read_bytes() != first
    finally:
        timeutil.use_clock(SYSTEM_CLOCK)


@pytest.fixture
def expired_https_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A local HTTPS server whose certificate (from a CA the client trusts) has expired."""
    try:
        timeutil.use_clock(FixedClock(dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
        ca = CertificateAuthority.load_or_create(tmp_path, "Northfield Partnership")
        cert_path, key_path = ca.ensure_tls_certificate(tmp_path, [])
    finally:
        timeutil.use_clock(SYSTEM_CLOCK)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", ca.certificate_pem
    finally:
        server.shutdown()
        server.server_close()


def test_an_expired_service_certificate_gets_a_plain_message(
        expired_https_server: tuple[str, str]) -> None:
    url, ca_pem = expired_https_server
    context = ssl.create_default_context(cadata=ca_pem)
    with Transport(url, "token", context, retries=0) as transport, \
            pytest.raises(ServiceCertificateExpired) as refused:
        transport.health()
    message = str(refused.value)
    assert "certificate has expired" in message and "nothing was sent" in message
    assert "date and time" in message
    assert "SSL" not in message and "Traceback" not in message
