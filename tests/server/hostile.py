"""Helpers for the attack tests: raw HTTP against a real cse-server process (bodies written by
hand, so that text no well-behaved client would send -- lone surrogates, NUL -- reaches the
service exactly as an attacker would send it), and the server process's memory."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import RecordType, new_id
from cse_desktop.server import admin
from tests.server.harness import Device, Service, enrol_device, running_service

API = "/api/v1"


@contextlib.contextmanager
def solo_world(folder: Path, backend: str, username: str, child_name: str
               ) -> Iterator[dict[str, Any]]:
    """A plain-HTTP service with one enrolled worker who has pushed one child.  Yields
    ``{"svc", "device", "child", "token"}``."""
    for svc in running_service(folder, backend, https=False):
        svc.user(username)
        device = enrol_device(svc, username, folder / "dev")
        try:
            child = device.child(child_name)
            device.sync()
            yield {"svc": svc, "device": device, "child": child.id, "token": token_of(device)}
        finally:
            device.close()


@contextlib.contextmanager
def team_world(folder: Path, backend: str, team: str, worker_name: str, lead_name: str,
               child_name: str) -> Iterator[dict[str, Any]]:
    """A plain-HTTP service with one team: an enrolled worker who has pushed one child, and
    the team's lead.  Yields ``{"svc", "worker", "lead", "child"}``."""
    for svc in running_service(folder, backend, https=False):
        admin.create_team(svc.engine, team)
        svc.user(worker_name, "outreach_worker", team)
        svc.user(lead_name, "team_lead", team)
        worker = enrol_device(svc, worker_name, folder / "worker")
        lead = enrol_device(svc, lead_name, folder / "lead")
        try:
            child = worker.child(child_name)
            assert worker.sync().pushed == 1
            yield {"svc": svc, "worker": worker, "lead": lead, "child": child.id}
        finally:
            worker.close()
            lead.close()


def raw_json(value: Any) -> bytes:
    """JSON text as an attacker may write it: ASCII, with lone surrogates as ``\\udXXX``
    escapes, NaN/Infinity literals and integers of any size."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode("ascii")


def token_of(device: Device) -> str:
    return str(device.store.get_meta("enrolment")["token"])


def device_id_of(device: Device) -> str:
    return str(device.store.get_meta("enrolment")["device_id"])


def wire(device: Device, record_type: RecordType, data: dict[str, Any],
         child_id: str | None = None, record_id: str | None = None) -> dict[str, Any]:
    """A record in the wire format, authored by the device's user."""
    now = SYSTEM_CLOCK.now().isoformat()
    rid = record_id or new_id()
    return {"id": rid, "record_type": record_type.value, "form_id": record_type.value,
            "form_version": 1,
            "child_id": rid if record_type is RecordType.CHILD else child_id,
            "data": data, "author": device.actor.name, "device_id": device.actor.device_id,
            "created_at": now, "updated_at": now, "revision": 1, "state": "draft",
            "signature": None, "amends_id": None, "deleted": False}


def change(record: dict[str, Any], base_revision: int = 0) -> dict[str, Any]:
    return {"change_id": new_id(), "base_revision": base_revision, "record": record}


def post_raw(service: Service, token: str | None, path: str, body: bytes,
             timeout: float = 60) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(service.base_url + API + path, content=body, headers=headers,
                      verify=service.verify, timeout=timeout)


def push(service: Service, token: str, changes: list[dict[str, Any]]) -> httpx.Response:
    return post_raw(service, token, "/sync/push", raw_json({"changes": changes}))


def get(service: Service, token: str | None, path: str, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(service.base_url + API + path, params=params, headers=headers,
                     verify=service.verify, timeout=60)


def pull_all(service: Service, token: str) -> list[dict[str, Any]]:
    """Every record the caller may see, page by page; fails on any non-200 page."""
    cursor, out = 0, []
    for _ in range(1000):
        page = get(service, token, "/sync/pull", cursor=cursor, limit=500)
        assert page.status_code == 200, (page.status_code, page.text)
        body = page.json()
        out += body["records"]
        cursor = body["cursor"]
        if not body["more"]:
            return out
    raise AssertionError("the feed never ended")


def rss_kb(pid: int) -> int:
    """Resident memory of a process (VmRSS, kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def send_huge(port: int, path: str, total: int, *, token: str | None = None,
              chunked: bool = False, chunk: int = 1024 * 1024,
              timeout: float = 120) -> tuple[int, bytes, int]:
    """POST ``total`` bytes to a plain-HTTP service, reading the answer as soon as it comes
    (the service may answer and close before the body is sent).  Returns (status, answer,
    bytes actually sent)."""
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
            "Content-Type: application/json"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    if token:
        head.append(f"Authorization: Bearer {token}")
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    answer = b""
    sent = 0
    block = b"[" * chunk
    deadline = time.monotonic() + timeout
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("ascii"))
        while sent < total and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            size = min(chunk, total - sent)
            data = block[:size]
            try:
                if chunked:
                    sock.sendall(f"{size:x}\r\n".encode() + data + b"\r\n")
                else:
                    sock.sendall(data)
            except OSError:
                break
            sent += size
        else:
            if chunked and sent >= total:
                with contextlib.suppress(OSError):
                    sock.sendall(b"0\r\n\r\n")
        sock.settimeout(30)
        while b"\r\n\r\n" not in answer or not _complete(answer):
            try:
                part = sock.recv(65536)
            except OSError:
                break
            if not part:
                break
            answer += part
    finally:
        sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer, sent


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False
