"""Gzip-compressed push bodies, against a real service process: stored exactly as a plain
body; a "zip bomb" is refused with 413 while it unpacks (the server's memory stays flat and it
stays up); damaged gzip is refused with 400; plain bodies from older clients still work; pull
answers are compressed for clients that accept it."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cse_desktop.records import RecordType, new_id
from cse_desktop.sync.transport import gzipped
from tests.server.harness import Device, Service, backends, enrol_device, running_service
from tests.server.hostile import (
    API,
    change,
    get,
    post_raw,
    raw_json,
    rss_kb,
    solo_world,
    token_of,
    wire,
)

MB = 1024 * 1024
RSS_SLACK_KB = 5 * 1024


@pytest.fixture(scope="module", params=backends())
def svc(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with solo_world(tmp_path_factory.mktemp("gzip"), str(request.param), "packer",
                    "Test Child Gannet") as world:
        yield world


def post(service: Service, token: str | None, body: bytes, encoding: str | None = "gzip",
         path: str = "/sync/push") -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if encoding:
        headers["Content-Encoding"] = encoding
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(service.base_url + API + path, content=body, headers=headers,
                      verify=service.verify, timeout=120)


def note(ctx: dict[str, Any], text: str) -> dict[str, Any]:
    device: Device = ctx["device"]
    return wire(device, RecordType.CASE_NOTE, {"summary": text}, ctx["child"])


def stored(ctx: dict[str, Any], record_id: str) -> dict[str, Any]:
    answer = get(ctx["svc"], ctx["token"], f"/records/{record_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_compressed_push_is_stored_as_a_plain_one(svc: dict[str, Any]) -> None:
    text = "Zoë said she felt safer at school this week. Łukasz was there too. " * 40
    packed_note = note(svc, text)
    plain_note = {**packed_note, "id": new_id()}  # the same record under another id
    body = raw_json({"changes": [change(packed_note)]})
    packed = gzipped(body)
    assert len(packed) < len(body) / 5
    answer = post(svc["svc"], svc["token"], packed)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "accepted"
    # An older client's plain body is still taken.
    answer = post(svc["svc"], svc["token"], raw_json({"changes": [change(plain_note)]}),
                  encoding=None)
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "accepted"
    a, b = stored(svc, packed_note["id"]), stored(svc, plain_note["id"])
    assert a["data"] == b["data"] == {"summary": text}
    different = {"id"}
    assert {k: v for k, v in a.items() if k not in different} == {
        k: v for k, v in b.items() if k not in different}
    # "identity" is the same as no encoding, and the header's case does not matter.
    again = note(svc, "identity")
    assert post(svc["svc"], svc["token"], raw_json({"changes": [change(again)]}),
                encoding="identity").status_code == 200
    upper = note(svc, "upper")
    assert post(svc["svc"], svc["token"], gzipped(raw_json({"changes": [change(upper)]})),
                encoding="GZIP").status_code == 200


def test_gzip_bomb_gets_413_and_memory_stays_flat(svc: dict[str, Any]) -> None:
    service: Service = svc["svc"]
    assert service.process is not None
    # 50 MB of zeros after a JSON start packs to ~50 KB, far under the 8 MB request limit.
    unzip = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = unzip.compress(b'{"changes": [{"change_id": "')
    block = b"0" * MB
    for _ in range(50):
        bomb += unzip.compress(block)
    bomb += unzip.compress(b'"}]}') + unzip.flush()
    assert len(bomb) < 100 * 1024
    before = rss_kb(service.process.pid)
    answer = post(service, svc["token"], bomb)
    after = rss_kb(service.process.pid)
    print(f"\ngzip bomb: {len(bomb) // 1024} KB packed, 50 MB unpacked: "
          f"{answer.status_code}, server RSS {before} -> {after} kB")
    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == "too_large" and "8 MB" in answer.json()["detail"]
    # At most the limit (8 MB) is held while the body is read, and given back.
    assert after - before <= 8 * 1024 + RSS_SLACK_KB, (before, after)
    # The service stays up and serves the next push.
    assert httpx.get(service.base_url + API + "/health", timeout=30).status_code == 200
    fine = note(svc, "after the bomb")
    answer = post(service, svc["token"], gzipped(raw_json({"changes": [change(fine)]})))
    assert answer.status_code == 200, answer.text


def test_a_strangers_bomb_is_never_unpacked(svc: dict[str, Any]) -> None:
    bomb = gzip.compress(b"0" * (20 * MB))
    answer = post(svc["svc"], None, bomb)
    assert answer.status_code == 401, answer.text


def test_unpacked_size_is_what_counts_for_each_record(svc: dict[str, Any]) -> None:
    """A record over the 2 MB per-record limit is refused (under 8 MB in all, and packing it
    small changes nothing); the others in the batch are taken."""
    big, small = note(svc, "a" * (3 * MB)), note(svc, "small")
    packed = gzipped(raw_json({"changes": [change(big), change(small)]}))
    assert len(packed) < 64 * 1024
    answer = post(svc["svc"], svc["token"], packed)
    assert answer.status_code == 200, answer.text
    results = {r["change_id"]: r for r in answer.json()["results"]}
    statuses = sorted(r["status"] for r in results.values())
    assert statuses == ["accepted", "rejected"], results
    refused = next(r for r in results.values() if r["status"] == "rejected")
    assert "too large" in refused["reason"]


def test_just_over_the_request_limit_once_unpacked_gets_413(svc: dict[str, Any]) -> None:
    notes = [note(svc, "b" * (MB + 512 * 1024)) for _ in range(6)]  # ~9 MB unpacked
    answer = post(svc["svc"], svc["token"],
                  gzipped(raw_json({"changes": [change(n) for n in notes]})))
    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == "too_large"


@pytest.mark.parametrize("damage", ["truncated", "corrupt", "not gzip", "empty",
                                    "bytes after the end"])
def test_damaged_gzip_gets_400(svc: dict[str, Any], damage: str) -> None:
    body = gzipped(raw_json({"changes": [change(note(svc, "will not arrive " * 50))]}))
    if damage == "truncated":
        body = body[:len(body) // 2]
    elif damage == "corrupt":
        body = body[:12] + bytes(b ^ 0x5A for b in body[12:40]) + body[40:]
    elif damage == "not gzip":
        body = b'{"changes": []}'
    elif damage == "empty":
        body = b""
    else:
        body += b"trailing rubbish"
    answer = post(svc["svc"], svc["token"], body)
    assert answer.status_code == 400, (damage, answer.status_code, answer.text)
    assert answer.json()["code"] == "damaged_body"
    assert "damaged" in answer.json()["detail"]


def test_other_encodings_get_415(svc: dict[str, Any]) -> None:
    body = raw_json({"changes": []})
    for encoding in ("br", "deflate", "gzip, br"):
        answer = post(svc["svc"], svc["token"], body, encoding=encoding)
        assert answer.status_code == 415, (encoding, answer.text)
        assert "gzip" in answer.json()["detail"]


def test_pull_answers_are_compressed_when_asked(svc: dict[str, Any]) -> None:
    for n in range(20):
        post_raw(svc["svc"], svc["token"], "/sync/push",
                 raw_json({"changes": [change(note(svc, f"page {n} " * 100))]}))
    url = svc["svc"].base_url + API + "/sync/pull"
    auth = {"Authorization": f"Bearer {svc['token']}"}
    with httpx.Client(timeout=60) as client:
        packed = client.get(url, headers={**auth, "Accept-Encoding": "gzip"})
        plain = client.get(url, headers={**auth, "Accept-Encoding": "identity"})
    assert packed.status_code == plain.status_code == 200
    assert packed.headers.get("content-encoding") == "gzip"
    assert "content-encoding" not in plain.headers
    assert packed.json() == plain.json()
    assert packed.num_bytes_downloaded < plain.num_bytes_downloaded / 4


def test_the_service_still_works_after_all_that(svc: dict[str, Any]) -> None:
    device: Device = svc["device"]
    device.add(RecordType.CASE_NOTE, {"summary": "Still fine."}, svc["child"])
    report = device.sync()
    assert report.pushed == 1 and not report.blocked
    assert report.stats is not None and report.stats.bytes_sent > 0


def test_limits_are_the_same_with_a_smaller_setting(tmp_path: Path) -> None:
    """The unpacked size is held to the configured limit, whatever it is."""
    for service in running_service(tmp_path, backends()[0], https=False,
                                   env={"CSE_SERVER_MAX_REQUEST_BYTES": str(100 * 1024)}):
        service.user("tight")
        device = enrol_device(service, "tight", tmp_path / "dev")
        try:
            child = device.child("Test Child Puffin")
            assert device.sync().pushed == 1
            token = token_of(device)
            record = wire(device, RecordType.CASE_NOTE, {"summary": "y" * 150_000}, child.id)
            answer = post(service, token, gzipped(raw_json({"changes": [change(record)]})))
            assert answer.status_code == 413 and "100 KB" in answer.json()["detail"]
            fits = wire(device, RecordType.CASE_NOTE, {"summary": "y" * 50_000}, child.id)
            answer = post(service, token, gzipped(raw_json({"changes": [change(fits)]})))
            assert answer.status_code == 200, answer.text
        finally:
            device.close()
