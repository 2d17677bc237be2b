"""Compressed sync: the real client pushes gzip-compressed bodies to a real service (counted
on the wire by a relay), pulls compressed pages, and still talks to a service too old to
unpack gzip bodies."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import httpx

from cse_desktop.demo import phrases
from cse_desktop.demo.synthetic import generate_notes
from cse_desktop.records import RecordType
from cse_desktop.sync.client import CURSOR_KEY
from cse_desktop.sync.transport import Transport
from tests.server.harness import Device, Service, enrol_device
from tests.sync.relay import Relay
from tests.sync.test_bad_links import via

BATCH = 200  # the client's push batch: "an ordinary 200-note batch"


def typical_notes(device: Device, child_id: str, seed: int) -> list[str]:
    """``BATCH`` made-up case notes written like real ones (the demo data's sentences)."""
    return [device.add(RecordType.CASE_NOTE, answers, child_id).id
            for answers in generate_notes(BATCH, seed, child_ids=[child_id])]


def wordy_notes(device: Device, child_id: str, seed: int) -> list[str]:
    """``BATCH`` notes of about the same size whose summaries are words drawn at random from
    the demo data's whole vocabulary: no sentence repeats, so they pack less well than real
    notes (a cautious figure)."""
    rng = random.Random(seed)
    words = sorted({w for s in phrases.NOTE_SENTENCES for w in s.split()})
    ids = []
    for answers in generate_notes(BATCH, seed, child_ids=[child_id]):
        size = len(str(answers["summary"]).split())
        answers["summary"] = " ".join(rng.choice(words) for _ in range(size))
        ids.append(device.add(RecordType.CASE_NOTE, answers, child_id).id)
    return ids


def _push_through_relay(service: Service, device: Device, compress: bool
                        ) -> tuple[int, int, int]:
    """(request body bytes, bytes up on the wire, bytes down) of one sync of the outbox."""
    with Relay(service.port) as relay:
        client = via(device, relay.url, push_batch=BATCH, push_bytes=8 * 1024 * 1024)
        client.transport.compress = compress
        report = client.sync_once()
        client.close()
    assert report.complete and report.pushed == BATCH, report
    assert report.stats is not None
    return report.stats.bytes_sent, relay.stats.bytes_up, relay.stats.bytes_down


def _pull_through_relay(service: Service, device: Device, gzip_answers: bool) -> int:
    device.store.set_sync_state(CURSOR_KEY, 0)
    with Relay(service.port) as relay:
        client = via(device, relay.url)
        if not gzip_answers:
            client.transport._headers["Accept-Encoding"] = "identity"  # for every client
        report = client.sync_once()
        client.close()
    assert report.complete
    return relay.stats.bytes_down


def test_a_200_note_batch_is_sent_compressed(shared_service: Service, tmp_path: Path) -> None:
    shared_service.user("squeeze")
    writer = enrol_device(shared_service, "squeeze", tmp_path / "w")
    child = writer.child("Test Child Merlin")
    writer.sync()
    packed_ids = typical_notes(writer, child.id, seed=7)
    packed = _push_through_relay(shared_service, writer, compress=True)
    plain_ids = typical_notes(writer, child.id, seed=7)  # the same words, new records
    plain = _push_through_relay(shared_service, writer, compress=False)
    for label, (body, up, down) in (("gzip", packed), ("plain", plain)):
        print(f"\nMEASURED push {BATCH} typical notes, {label}: request body {body / 1024:.1f} "
              f"KB, on the wire {up / 1024:.1f} KB up (TLS, headers) and "
              f"{down / 1024:.1f} KB down")
    assert packed[0] < plain[0] / 2.5 and packed[1] < plain[1] / 2.5
    wordy_packed = (wordy_notes(writer, child.id, seed=8),
                    _push_through_relay(shared_service, writer, compress=True))
    wordy_plain = (wordy_notes(writer, child.id, seed=8),
                   _push_through_relay(shared_service, writer, compress=False))
    for label, (_, (body, up, down)) in (("gzip", wordy_packed), ("plain", wordy_plain)):
        print(f"\nMEASURED push {BATCH} notes of random words, {label}: request body "
              f"{body / 1024:.1f} KB, on the wire {up / 1024:.1f} KB up and "
              f"{down / 1024:.1f} KB down")
    assert wordy_packed[1][1] < wordy_plain[1][1] / 2
    # Stored the same either way.
    reader = enrol_device(shared_service, "squeeze", tmp_path / "r")
    pulled_packed = _pull_through_relay(shared_service, reader, gzip_answers=True)
    pulled_plain = _pull_through_relay(shared_service, reader, gzip_answers=False)
    print(f"\nMEASURED first pull of {4 * BATCH + 1} records on the wire: gzip "
          f"{pulled_packed / 1024:.1f} KB, plain {pulled_plain / 1024:.1f} KB")
    assert pulled_packed < pulled_plain / 2.5
    for a, b in zip(packed_ids, plain_ids, strict=True):
        mine, theirs = writer.store.get(a), reader.store.get(a)
        assert theirs.data == mine.data == writer.store.get(b).data == reader.store.get(b).data
    writer.close()
    reader.close()


class OlderService:
    """Answers as a service from before compressed bodies: it reads gzip bytes as JSON."""

    def __init__(self) -> None:
        self.encodings: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.encodings.append(request.headers.get("content-encoding"))
        try:
            changes = json.loads(body)["changes"]
        except (ValueError, UnicodeDecodeError):
            return httpx.Response(400, json={"code": "http_error",
                                             "detail": "There was an error parsing the body"})
        return httpx.Response(200, json={"results": [
            {"change_id": c["change_id"], "status": "accepted"} for c in changes]})


def _with(service: OlderService | Any) -> Transport:
    transport = Transport("http://service.invalid", "token", retries=0)
    transport._client = httpx.Client(base_url="http://service.invalid",
                                     transport=httpx.MockTransport(service))
    return transport


def test_an_older_service_gets_plain_bodies() -> None:
    older = OlderService()
    transport = _with(older)
    changes = [{"change_id": f"c{n}", "base_revision": 0, "record": {"n": n}} for n in range(3)]
    assert [r["status"] for r in transport.push(changes)] == ["accepted"] * 3
    assert older.encodings == ["gzip", None]  # refused packed, taken plain at once
    assert not transport.compress
    transport.push(changes[:1])
    assert older.encodings == ["gzip", None, None]  # and plain from then on
    transport.close()


def test_the_service_is_sent_gzip_it_can_unpack() -> None:
    bodies: list[bytes] = []

    def current(request: httpx.Request) -> httpx.Response:
        assert request.headers["content-encoding"] == "gzip"
        bodies.append(gzip.decompress(request.read()))
        return httpx.Response(200, json={"results": []})

    transport = _with(current)
    transport.push([{"change_id": "c", "base_revision": 0, "record": {"summary": "Zoë " * 9}}])
    assert json.loads(bodies[0]) == {"changes": [
        {"change_id": "c", "base_revision": 0, "record": {"summary": "Zoë " * 9}}]}
    # Nothing else is compressed (no body, or not a push).
    assert transport.compress
    transport.close()


def test_progress_is_told_in_the_size_before_compression() -> None:
    """"340 KB sent" of a 601 KB note means that much of the note, whatever it packs to."""
    def current(request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(200, json={"results": []})

    transport = _with(current)
    changes = [{"change_id": "c", "base_revision": 0, "record": {"summary": "word " * 40_000}}]
    plain = len(json.dumps({"changes": changes}, separators=(",", ":")).encode())
    told: list[tuple[int, int]] = []
    transport.push(changes, lambda sent, total: told.append((sent, total)))
    assert told and all(total == plain for _, total in told)
    assert told[-1] == (plain, plain)
    assert [sent for sent, _ in told] == sorted(sent for sent, _ in told)
    assert transport.stats.bytes_sent < plain / 20  # what went on the wire
    transport.close()
