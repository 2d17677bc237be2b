"""HTTP calls to the service (httpx), with retries and exponential backoff on network errors.

Every answer is turned into data or into one of the errors in :mod:`.errors`.
"""

from __future__ import annotations

import random
import ssl
import time
from collections.abc import Callable
from typing import Any

import httpx

from .errors import (
    CursorAhead,
    DeviceRevoked,
    Forbidden,
    NotEnrolled,
    Offline,
    ServiceFailed,
    TooLarge,
    UntrustedService,
)

API = "/api/v1"
RETRY_STATUSES = {502, 503, 504}


def _is_certificate_problem(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


class Transport:
    def __init__(self, base_url: str, token: str | None, verify: ssl.SSLContext | bool = True,
                 *, retries: int = 4, backoff: float = 0.5, timeout: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), verify=verify,
                                    headers=headers, timeout=timeout)
        self.retries, self.backoff, self._sleep = retries, backoff, sleep

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff * (2 ** (attempt - 1))
                self._sleep(delay * (0.8 + 0.4 * random.random()))
            try:
                response = self._client.request(method, API + path, **kwargs)
            except httpx.TransportError as exc:
                if _is_certificate_problem(exc):
                    raise UntrustedService() from exc
                last = exc
                continue
            if response.status_code in RETRY_STATUSES:
                last = ServiceFailed(f"The service is busy (HTTP {response.status_code}).")
                continue
            return self._answer(response)
        raise Offline(str(last or ""))

    @staticmethod
    def _answer(response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = {}
        detail = body.get("detail") if isinstance(body, dict) else None
        code = body.get("code") if isinstance(body, dict) else None
        status = response.status_code
        if status < 300:
            return body
        if status == 401:
            if code == "device_revoked":
                raise DeviceRevoked(str(detail or "This device was withdrawn from the service."))
            raise NotEnrolled(detail if isinstance(detail, str) else None)
        if status == 403:
            raise Forbidden(str(detail or "You do not have access to this record."))
        if status == 413:
            raise TooLarge(str(detail or "The request was too large for the service."))
        if status == 409 and code == "cursor_ahead":
            raise CursorAhead(str(detail))
        message = detail if isinstance(detail, str) else f"HTTP {status}"
        raise ServiceFailed(f"The service refused the request: {message}")

    # -- the protocol ----------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return dict(self._request("GET", "/health"))

    def enrol(self, code: str, device_name: str, csr_pem: str) -> dict[str, Any]:
        return dict(self._request("POST", "/enrol", json={
            "enrolment_code": code, "device_name": device_name, "csr_pem": csr_pem}))

    def me(self) -> dict[str, Any]:
        return dict(self._request("GET", "/me"))

    def push(self, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return list(self._request("POST", "/sync/push", json={"changes": changes})["results"])

    def pull(self, cursor: int, limit: int) -> dict[str, Any]:
        return dict(self._request("GET", "/sync/pull",
                                  params={"cursor": cursor, "limit": limit}))

    def record(self, record_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/records/{record_id}"))
