"""Proven signing time: the central service is the partnership's RFC 3161 time stamping
authority.  Against a real service process (tests/server/harness.py): a printed PDF's
signature carries the service's time stamp, which pyHanko and ``pdfsig`` accept; a PDF made
while the service cannot be reached says its time is not yet proven, on the page and in
"Verify a PDF"."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from pdf_helpers import flat, page_texts, pdfsig
from pdf_synthetic import Casework
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from cse_desktop.clock import FixedClock
from cse_desktop.crypto.identity import SigningIdentity
from cse_desktop.pdf.blocks import TIME_NOT_PROVEN_TEXT
from cse_desktop.pdf.verify import Standing, Verdict, verify_pdf_bytes
from cse_desktop.server.ca import CertificateAuthority
from cse_desktop.server.timestamps import POLICY_OID, TimeStampAuthority
from cse_desktop.services import documents
from cse_desktop.sync.enrolment import Enrolment
from tests.server.harness import Device, Service, enrol_device, running_service


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    yield from running_service(tmp_path_factory.mktemp("tsa-service"), "sqlite")


@pytest.fixture
def device(service: Service, tmp_path: Path) -> Iterator[Device]:
    username = f"sam{tmp_path.name[-6:].replace('_', '')}".lower()
    service.user(username, name="Sam Carter")
    enrolled = enrol_device(service, username, tmp_path / "laptop")
    yield enrolled
    enrolled.close()


def identity_of(device: Device) -> SigningIdentity:
    return SigningIdentity.from_dict(device.store.get_meta("signing_identity"))


def print_note(work: Casework, device: Device) -> bytes:
    """Print on a device enrolled with the service (its enrolment is in the store)."""
    Enrolment.load(device.store).save(work.store)
    return documents.render_record_pdf(work.store, work.library, work.note.id, work.worker,
                                       identity_of(device), None)


def test_printed_pdf_signature_carries_the_services_time_stamp(
        work: Casework, device: Device, tmp_path: Path) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)  # the service's real clock
    pdf = print_note(work, device)
    trusted = documents.trusted_certificates(identity_of(device))
    result = verify_pdf_bytes(pdf, trusted)
    assert result.verdict is Verdict.VALID, result.message
    assert result.time_proven and result.proven_at is not None
    assert before <= result.proven_at <= datetime.now(UTC) + timedelta(seconds=5)
    assert "proven to exist by" in result.time_note
    assert "(time stamp from Partnership time service)" in result.time_note
    assert result.signatures[0].stamp_standing is Standing.PARTNERSHIP
    assert "Time proven." in flat(" ".join(page_texts(pdf)))
    report = pdfsig(pdf, tmp_path)
    assert report.count("Signature is Valid.") == 1 and "Total document signed" in report, \
        report
    audited = [e for e in work.store.audit_entries() if e.action == "print"]
    assert "time stamped by the partnership's time service" in audited[-1].detail


def test_pyhanko_validates_the_token_and_its_certificate(work: Casework, device: Device) -> None:
    pdf = print_note(work, device)
    roots = documents.trusted_certificates(identity_of(device))
    from pyhanko.keys import load_certs_from_pemder_data

    context = ValidationContext(trust_roots=list(load_certs_from_pemder_data(roots[0])),
                                allow_fetching=False)
    embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    status = validate_pdf_signature(embedded, signer_validation_context=context)
    stamp = status.timestamp_validity
    assert stamp is not None and stamp.intact and stamp.valid and stamp.trusted
    tsa_cert = x509.load_der_x509_certificate(stamp.signing_cert.dump())
    usage = tsa_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical and list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    token = embedded.signer_info["unsigned_attrs"][0]["values"][0]
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["policy"].dotted == POLICY_OID
    signature_value = embedded.signer_info["signature"].native
    assert info["message_imprint"]["hashed_message"].native == \
        hashlib.sha256(signature_value).digest()


def test_offline_pdf_says_its_time_is_not_proven(work: Casework, tmp_path: Path) -> None:
    own = Service(tmp_path / "gone", "sqlite").start()
    try:
        own.user("jo", name="Jo Offline")
        laptop = enrol_device(own, "jo", tmp_path / "laptop")
    finally:
        own.close()  # the service goes away: the laptop is offline
    try:
        pdf = print_note(work, laptop)
        result = verify_pdf_bytes(pdf, documents.trusted_certificates(identity_of(laptop)))
    finally:
        laptop.close()
    assert result.verdict is Verdict.VALID
    assert not result.time_proven
    assert "That time is not yet proven" in result.time_note
    text = flat(" ".join(page_texts(pdf)))
    assert flat(TIME_NOT_PROVEN_TEXT.replace("<b>", "").replace("</b>", "")) in text
    audited = [e for e in work.store.audit_entries() if e.action == "print"]
    assert "time not proven" in audited[-1].detail


def test_a_device_that_is_not_enrolled_makes_an_unproven_pdf(
        work: Casework, local_identity: SigningIdentity) -> None:
    pdf = documents.render_record_pdf(work.store, work.library, work.note.id, work.worker,
                                      local_identity, None)
    assert "Time not yet proven." in flat(" ".join(page_texts(pdf)))
    assert "not yet proven" in verify_pdf_bytes(pdf).time_note


class Reply(core.Sequence):
    """RFC 3161 TimeStampResp with the token optional, as the RFC has it (asn1crypto's own
    class cannot read a refusal, which has no token)."""

    _fields = [("status", tsp.PKIStatusInfo),  # noqa: RUF012 - asn1crypto's declaration
               ("time_stamp_token", cms.ContentInfo, {"optional": True})]


def _query(digest: bytes, algorithm: str = "sha256") -> bytes:
    return tsp.TimeStampReq({"version": "v1", "message_imprint": {
        "hash_algorithm": {"algorithm": algorithm}, "hashed_message": digest},
        "nonce": 12345, "cert_req": True}).dump()


def test_the_endpoint_answers_only_enrolled_devices_and_refuses_bad_queries(
        service: Service, device: Device) -> None:
    enrolment = Enrolment.load(device.store)
    url = service.base_url + "/api/v1/timestamp"
    query_type = {"Content-Type": "application/timestamp-query"}
    bearer = {"Authorization": f"Bearer {enrolment.token}"}
    with httpx.Client(verify=service.verify, timeout=30) as client:
        assert client.post(url, content=_query(b"\0" * 32), headers=query_type
                           ).status_code == 401
        assert client.post(url, content=_query(b"\0" * 32),
                           headers={**bearer, "Content-Type": "application/json"}
                           ).status_code == 415
        granted = client.post(url, content=_query(hashlib.sha256(b"x").digest()),
                              headers={**query_type, **bearer})
        assert granted.headers["content-type"] == "application/timestamp-reply"
        answer = tsp.TimeStampResp.load(granted.content)
        assert answer["status"]["status"].native == "granted"
        info = answer["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
        assert info["nonce"].native == 12345
        for body, failure in [(b"not a query", "bad_data_format"),
                              (_query(b"\0" * 16, "md5"), "bad_alg"),
                              (_query(b"\0" * 20), "bad_data_format")]:
            refused = Reply.load(client.post(
                url, content=body, headers={**query_type, **bearer}).content)
            assert refused["status"]["status"].native == "rejection"
            assert refused["status"]["fail_info"].native == {failure}
            assert refused["time_stamp_token"].native is None
    assert service.scalar("SELECT count(*) FROM audit_log WHERE action = 'timestamp'") >= 1


def test_token_time_comes_from_the_services_clock(tmp_path: Path) -> None:
    clock = FixedClock("2026-03-01T10:00:00Z")
    ca = CertificateAuthority.load_or_create(tmp_path, "Northfield")
    authority = TimeStampAuthority.load_or_create(tmp_path, ca, clock)
    answer = tsp.TimeStampResp.load(authority.respond(_query(hashlib.sha256(b"x").digest())))
    content = answer["time_stamp_token"]["content"]
    assert isinstance(content, cms.SignedData)
    info = content["encap_content_info"]["content"].parsed
    assert info["gen_time"].native == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    same = TimeStampAuthority.load_or_create(tmp_path, ca, clock)
    assert same.certificate == authority.certificate  # kept in the data folder
    clock.advance(days=2 * 365)
    renewed = TimeStampAuthority.load_or_create(tmp_path, ca, clock)
    assert renewed.certificate != authority.certificate  # renewed before it runs out
