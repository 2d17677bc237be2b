"""Proven times for signed records: when a signed record syncs, the partnership's time
service (a real service process, SQLite and PostgreSQL) stamps its content fingerprint; the
token is checked, kept in the store and shown on the record's PDF.  Drafts get none, a token
from another authority is refused, and a time service that fails never fails the round."""

from __future__ import annotations

import asyncio
import hashlib
import io
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from asn1crypto import cms, tsp
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps import TimeStamper
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from cse_desktop.clock import SYSTEM_CLOCK, FixedClock
from cse_desktop.crypto.identity import SigningIdentity
from cse_desktop.forms import default_library
from cse_desktop.pdf.cli import verify_main
from cse_desktop.pdf.fingerprint import canonical_content, content_sha256
from cse_desktop.pdf.record_proof import RecordProof, embed_record_proofs
from cse_desktop.pdf.signing import sign_pdf
from cse_desktop.pdf.text import when, when_long
from cse_desktop.pdf.verify import Verdict
from cse_desktop.records import Record, RecordType, Signature
from cse_desktop.server import admin
from cse_desktop.server.ca import CertificateAuthority
from cse_desktop.server.timestamps import TimeStampAuthority
from cse_desktop.services import documents
from cse_desktop.sync.enrolment import Enrolment
from cse_desktop.sync.record_timestamps import (
    TokenRefused,
    check_token,
    stamp_record,
    stamp_synced_records,
)
from tests.server.harness import Device, Service, backends, enrol_device

CLAIMED = FixedClock("2026-03-01T10:00:00Z")  # the laptop's claimed signing time


def new_worker(service: Service, tmp_path: Path, name: str = "worker") -> Device:
    tag = uuid.uuid4().hex[:8]
    team = f"team{tag}"
    admin.create_team(service.engine, team)
    service.user(f"{name}{tag}", "outreach_worker", team, name="Nadia Examplewood")
    return enrol_device(service, f"{name}{tag}", tmp_path / f"{name}-{tag}")


def signed_note(device: Device, child: Record, text: str = "Met at the drop-in.") -> Record:
    note = device.add(RecordType.CASE_NOTE, {"summary": text}, child.id)
    return device.store.sign(note.id, Signature(device.actor.name, "Outreach worker",
                                                CLAIMED.now()), device.actor)


def tst_info(token: bytes) -> tsp.TSTInfo:
    content = cms.ContentInfo.load(token)["content"]
    return content["encap_content_info"]["content"].parsed


def identity_of(device: Device) -> SigningIdentity:
    return SigningIdentity.from_dict(device.store.get_meta("signing_identity"))


def record_pdf(device: Device, record_id: str) -> bytes:
    return documents.render_record_pdf(device.store, default_library(), record_id,
                                       device.actor, identity_of(device), None,
                                       timestamper=None)


def pdf_text(device: Device, record_id: str) -> str:
    return " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(record_pdf(device, record_id))).pages)


@pytest.fixture
def worker(shared_service: Service, tmp_path: Path) -> Iterator[Device]:
    device = new_worker(shared_service, tmp_path)
    yield device
    device.close()


def test_a_signed_record_that_syncs_gets_a_proven_time_drafts_do_not(worker: Device) -> None:
    child = worker.child("Test Child Lima")
    note = signed_note(worker, child)
    draft = worker.add(RecordType.CASE_NOTE, {"summary": "Still writing."}, child.id)
    before = SYSTEM_CLOCK.now().replace(microsecond=0)
    report = worker.sync()
    after = SYSTEM_CLOCK.now()
    assert report.complete and report.pushed == 4  # add + sign, add, add
    stamp = worker.store.record_timestamp(note.id)
    assert stamp is not None
    assert before <= stamp.gen_time <= after + timedelta(seconds=1)
    info = tst_info(stamp.token)
    assert info["message_imprint"]["hashed_message"].native == \
        bytes.fromhex(content_sha256(note)) == hashlib.sha256(canonical_content(note)).digest()
    assert stamp.content_sha256 == content_sha256(note) and stamp.revision == note.revision
    assert stamp.authority == "Partnership time service"
    assert info["gen_time"].native == stamp.gen_time
    assert worker.store.record_timestamp(draft.id) is None  # a draft may still change
    assert worker.store.record_timestamp(child.id) is None  # a child's details are not signed
    # The token is kept: the next round does not ask again.
    assert worker.sync().complete
    assert worker.store.record_timestamp(note.id) == stamp
    # Signing the draft later: it is stamped at the sync after that.
    worker.store.sign(draft.id, Signature(worker.actor.name, "Outreach worker", CLAIMED.now()),
                      worker.actor)
    assert worker.store.record_timestamp(draft.id) is None
    worker.sync()
    assert worker.store.record_timestamp(draft.id) is not None


def test_the_pdf_says_not_yet_proven_until_the_record_syncs_then_shows_the_proven_time(
        worker: Device) -> None:
    child = worker.child("Test Child Mike")
    note = signed_note(worker, child)
    unsynced = pdf_text(worker, note.id)
    assert "Signed on the laptop at 1 Mar 2026, 10:00 (UK time)" in unsynced
    assert ("Its time is not yet proven by the partnership's time service (it will be after "
            "the next sync).") in unsynced
    assert "proven to exist by" not in unsynced
    worker.sync()
    stamp = worker.store.record_timestamp(note.id)
    assert stamp is not None
    synced = pdf_text(worker, note.id)
    assert (f"Signed on the laptop at 1 Mar 2026, 10:00 (UK time); proven to exist by "
            f"{when(stamp.gen_time)} (UK time) at the latest (the partnership's time "
            "service).") in synced
    assert "not yet proven by the partnership's time service" not in synced


class ForeignStamper(TimeStamper):
    """A time stamping authority of another certificate authority (not the partnership's)."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        ca = CertificateAuthority.load_or_create(data_dir, "Somewhere Else")
        self.authority = TimeStampAuthority.load_or_create(data_dir, ca)

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(self.authority.respond(req.dump()))


def test_a_token_from_another_authority_or_for_other_content_is_refused(
        worker: Device, tmp_path: Path) -> None:
    child = worker.child("Test Child November")
    note = signed_note(worker, child)
    worker.sync()
    kept = worker.store.record_timestamp(note.id)
    assert kept is not None
    ca_pem = Enrolment.load(worker.store).ca_certificate_pem
    digest = bytes.fromhex(content_sha256(note))
    real = cms.ContentInfo.load(kept.token)
    assert check_token(real, digest, ca_pem)[0] == kept.gen_time
    with pytest.raises(TokenRefused, match="not for this record's content"):
        check_token(real, hashlib.sha256(b"other content").digest(), ca_pem)
    foreign = ForeignStamper(tmp_path / "elsewhere")
    foreign_token = asyncio.run(foreign.async_timestamp(digest, "sha256"))
    with pytest.raises(TokenRefused, match="not signed by the partnership"):
        check_token(foreign_token, digest, ca_pem)
    with pytest.raises(TokenRefused):
        stamp_record(worker.store, note, foreign, ca_pem)
    assert worker.store.record_timestamp(note.id) == kept  # the good token stays
    # A record not yet stamped, offered only the foreign authority: nothing kept.
    other = signed_note(worker, child, "Second visit.")
    worker.store.acknowledge([c.change_id for c in worker.store.pending_changes()])
    outcome = stamp_synced_records(worker.store, stamper=foreign, ca_pem=ca_pem)
    assert outcome.stamped == 0 and outcome.waiting == 1 and outcome.problem
    assert worker.store.record_timestamp(other.id) is None
    with pytest.raises(TokenRefused):
        check_token(cms.ContentInfo({"content_type": "data", "content": b"x"}), digest,
                    ca_pem)


@pytest.mark.parametrize("backend", backends())
def test_the_round_succeeds_when_the_time_service_fails_and_the_record_is_stamped_later(
        backend: str, tmp_path: Path) -> None:
    service = Service(tmp_path / "svc", backend)
    # A broken time stamping key: every request to the time service fails (HTTP 500).
    (service.data_dir / "tsa.key").write_text("not a key")
    (service.data_dir / "tsa.pem").write_text("not a certificate")
    service.start()
    worker = None
    try:
        worker = new_worker(service, tmp_path)
        child = worker.child("Test Child Oscar")
        note = signed_note(worker, child)
        report = worker.sync()
        assert report.complete and report.pushed == 3
        assert worker.store.pending_count() == 0
        assert worker.store.record_timestamp(note.id) is None
        assert "not yet proven" in pdf_text(worker, note.id)
        # The service is mended: the next round stamps the record.
        (service.data_dir / "tsa.key").unlink()
        (service.data_dir / "tsa.pem").unlink()
        assert worker.sync().complete
        assert worker.store.record_timestamp(note.id) is not None
    finally:
        if worker is not None:
            worker.close()
        service.close()


def test_at_most_the_limit_is_stamped_per_pass(worker: Device) -> None:
    child = worker.child("Test Child Papa")
    notes = [signed_note(worker, child, f"Visit {n}.") for n in range(3)]
    worker.store.acknowledge([c.change_id for c in worker.store.pending_changes()])
    first = stamp_synced_records(worker.store, limit=2)
    assert first.stamped == 2
    assert sum(worker.store.record_timestamp(n.id) is not None for n in notes) == 2
    assert stamp_synced_records(worker.store, limit=2).stamped == 1
    assert all(worker.store.record_timestamp(n.id) is not None for n in notes)
    assert stamp_synced_records(worker.store).stamped == 0  # nothing left to ask for
    # A purged record takes its token with it.
    worker.store.purge([notes[0].id], worker.actor, "retention period ended (test)")
    assert worker.store.record_timestamp(notes[0].id) is None
    assert worker.store.record_timestamp(notes[1].id) is not None


def test_verify_shows_the_records_proven_time_carried_in_its_pdf(
        worker: Device, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    child = worker.child("Test Child Quebec")
    note = signed_note(worker, child)
    trusted = documents.trusted_certificates(identity_of(worker))
    unsynced = documents.verify_pdf(record_pdf(worker, note.id), trusted)
    assert unsynced.verdict is Verdict.VALID and unsynced.record_times == ()
    worker.sync()
    stamp = worker.store.record_timestamp(note.id)
    assert stamp is not None
    pdf = record_pdf(worker, note.id)
    result = documents.verify_pdf(pdf, trusted)
    assert result.verdict is Verdict.VALID, result.message
    assert result.record_times == (
        f"Record {note.id}: signed on the laptop at 1 March 2026 at 10:00; proven to exist by "
        f"{when_long(stamp.gen_time)} at the latest (Partnership time service).",)
    # Trusting another authority only: the signer is unknown, so no proven time is shown.
    elsewhere = CertificateAuthority.load_or_create(tmp_path / "elsewhere", "Somewhere Else")
    other_ca = elsewhere.certificate.public_bytes(serialization.Encoding.PEM)
    foreign = documents.verify_pdf(pdf, [other_ca])
    assert foreign.verdict is Verdict.UNKNOWN_SIGNER and foreign.record_times == ()
    # The command line prints it; pdfsig still finds the signature valid.
    path, ca_file = tmp_path / "note.pdf", tmp_path / "ca.pem"
    path.write_bytes(pdf)
    ca_file.write_bytes(trusted[0])
    assert verify_main(["verify", str(path), "--trust", str(ca_file)]) == 0
    assert f"proven to exist by {when_long(stamp.gen_time)}" in capsys.readouterr().out
    tool = shutil.which("pdfsig")
    if tool is not None:
        run = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60)
        assert "Signature is Valid." in run.stdout and "Total document signed" in run.stdout


def test_verify_refuses_proofs_that_do_not_check_out(worker: Device) -> None:
    child = worker.child("Test Child Romeo")
    note = signed_note(worker, child)
    worker.sync()
    stamp = worker.store.record_timestamp(note.id)
    assert stamp is not None
    identity = identity_of(worker)
    trusted = documents.trusted_certificates(identity)
    canvas_bytes = io.BytesIO()
    page = canvas.Canvas(canvas_bytes)
    page.drawString(100, 700, "A synthetic test page.")
    page.save()
    wrong_hash = RecordProof(note.id, hashlib.sha256(b"other").hexdigest(), CLAIMED.now(),
                             stamp.token)
    garbage = RecordProof("garbage-id", stamp.content_sha256, CLAIMED.now(), b"\x30\x03abc")
    signed = sign_pdf(embed_record_proofs(canvas_bytes.getvalue(), [wrong_hash, garbage]),
                      identity, reason="test")
    result = documents.verify_pdf(signed, trusted)
    assert result.verdict is Verdict.VALID
    assert len(result.record_times) == 2
    assert all("could not be confirmed" in line and "proven to exist" not in line
               for line in result.record_times)
    # A proof slipped in after signing makes the PDF ALTERED and shows no proven time.
    good = RecordProof(note.id, stamp.content_sha256, CLAIMED.now(), stamp.token)
    forged = embed_record_proofs(signed, [good])
    after = documents.verify_pdf(forged, trusted)
    assert after.verdict is Verdict.ALTERED and after.record_times == ()
