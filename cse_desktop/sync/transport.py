"""HTTP calls to the service (httpx), made to get through slow and unreliable connections.

- **Progress-based timeouts.**  There is no time limit on a whole request: a request that
  keeps moving bytes is never killed.  Each single read or write must make progress within
  ``read`` / ``write`` seconds, and a request body is written in small chunks so that the write
  timeout applies per chunk (Python's TLS layer would otherwise apply it to the whole body as
  one deadline).  The round's overall deadline and "Cancel" come from a
  :class:`~.control.RoundControl`, which shuts the live sockets so a stalled read ends at once.
- Network errors and 502/503/504 are retried with exponential backoff; the waits end early
  when the round is cancelled.
- Every answer is checked for shape: anything that is not the service's JSON (a Wi-Fi sign-in
  page, a redirect, a proxy's error page) becomes a plain message, never a ``KeyError``.
- **Compression.**  Push bodies are sent gzip-compressed (``Content-Encoding: gzip``; JSON
  records shrink several-fold, which is what counts on a 5-50 KB/s link), and answers are
  accepted gzip-compressed (httpx asks for it and unpacks them).  A service too old to read a
  compressed body (it answers 415, or 400/422 because the body is not JSON) gets the same
  request again uncompressed at once, and no more compressed bodies from this transport.
- Counters (attempts, bytes each way) are kept in :attr:`Transport.stats` for the status and
  for measuring.
"""

from __future__ import annotations

import gzip
import json
import random
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx
from httpcore._utils import is_socket_readable

from .control import RoundControl
from .errors import (
    CaptivePortal,
    CursorAhead,
    DeviceRevoked,
    Forbidden,
    NotEnrolled,
    NotTheService,
    Offline,
    ServiceCertificateExpired,
    ServiceFailed,
    SyncCancelled,
    SyncTimedOut,
    TooLarge,
    UntrustedService,
)

API = "/api/v1"
RETRY_STATUSES = {502, 503, 504}
CHUNK = 16 * 1024  # bytes per write: the write timeout applies to each
# A small send buffer keeps what is "written" close to what has left the computer, so a
# write's timeout measures the link, not the buffer ...
SEND_BUFFER = 16 * 1024
# ... and after the last write, what is still queued (at most about this much, in the socket
# and on the way) may need time to drain at a slow link's speed before the answer can start.
IN_FLIGHT = 64 * 1024
SLOWEST_RATE = 2 * 1024  # bytes per second we still wait for
GZIP_LEVEL = 6  # level 9 saves about 1 % more for three times the work


def gzipped(data: bytes) -> bytes:
    """``data`` as a gzip body (no timestamp in the header: the same body packs the same)."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _cannot_unpack(response: httpx.Response) -> bool:
    """Did a service too old to unpack gzip bodies refuse one?  (It reads the packed bytes
    as JSON: 400 "error parsing the body", or 422 "JSON decode error".)"""
    if response.status_code == 415:
        return True
    return response.status_code in (400, 422) and (
        "error parsing the body" in response.text or "JSON decode error" in response.text)


@dataclass(frozen=True)
class Timeouts:
    """Seconds without progress before a connection is given up (none for a whole request)."""

    connect: float = 20.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 20.0


@dataclass
class TransportStats:
    requests: int = 0
    attempts: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


BytesCallback = Callable[[int, int], None]  # (bytes sent so far, body size)


def _verification_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check that failed somewhere in ``exc``'s chain of causes, if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _is_certificate_problem(exc: BaseException) -> bool:
    return _verification_error(exc) is not None or "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _is_expired_certificate(exc: BaseException) -> bool:
    failed = _verification_error(exc)
    if failed is not None:
        return failed.verify_code == 10  # X509_V_ERR_CERT_HAS_EXPIRED
    return "certificate has expired" in str(exc)


# -- sockets the round can shut ------------------------------------------------------------


class _WatchedStream(httpcore.NetworkStream):
    """A blocking socket stream (as httpcore's own) whose socket -- plain, then TLS -- is
    known to the transport's round control for the whole of its life, handshake included."""

    def __init__(self, sock: socket.socket, owner: Transport) -> None:
        self._sock, self._owner = sock, owner
        owner._watch(sock)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            self._sock.settimeout(timeout)
            return self._sock.recv(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ReadError(exc) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            while buffer:
                self._sock.settimeout(timeout)
                sent = self._sock.send(buffer)
                buffer = buffer[sent:]
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.WriteError(exc) from exc

    def close(self) -> None:
        self._owner._unwatch(self._sock)
        self._sock.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        self._owner._unwatch(self._sock)
        try:
            self._sock.settimeout(timeout)
            tls = ssl_context.wrap_socket(self._sock, server_hostname=server_hostname,
                                          do_handshake_on_connect=False)
            stream = _WatchedStream(tls, self._owner)
            try:
                tls.do_handshake()
            except BaseException:
                stream.close()
                raise
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(exc) from exc
        except (OSError, AttributeError, ValueError) as exc:
            # AttributeError/ValueError: the socket was shut (cancel) before the handshake.
            raise httpcore.ConnectError(exc) from exc
        return stream

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object" and isinstance(self._sock, ssl.SSLSocket):
            return self._sock._sslobj  # type: ignore[attr-defined]
        if info == "client_addr":
            return self._sock.getsockname()
        if info == "server_addr":
            return self._sock.getpeername()
        if info == "socket":
            return self._sock
        if info == "is_readable":
            return is_socket_readable(self._sock)
        return None


class _WatchedBackend(httpcore.SyncBackend):
    def __init__(self, owner: Transport) -> None:
        self._owner = owner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        self._owner._check()
        try:
            sock = socket.create_connection((host, port), timeout)
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ConnectError(exc) from exc
        return _WatchedStream(sock, self._owner)


class _HTTPTransport(httpx.HTTPTransport):
    """httpx's transport with a network backend that registers its sockets."""

    def __init__(self, verify: ssl.SSLContext | bool, owner: Transport) -> None:
        super().__init__(verify=verify, trust_env=False)
        context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context, network_backend=_WatchedBackend(owner),
            socket_options=[(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)])


# -- the transport -------------------------------------------------------------------------


class Transport:
    def __init__(self, base_url: str, token: str | None, verify: ssl.SSLContext | bool = True,
                 *, retries: int = 4, backoff: float = 0.5, timeouts: Timeouts | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 control: RoundControl | None = None, compress: bool = True) -> None:
        self._base_url = base_url.rstrip("/")
        self.compress = compress  # send push bodies gzip-compressed
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._verify = verify
        self.timeouts = timeouts or Timeouts()
        self.retries, self.backoff, self._sleep = retries, backoff, sleep
        self.control = control
        self.stats = TransportStats()
        self.last_answer_size = 0
        self._sockets: set[socket.socket] = set()
        self._client = self._new_client()

    def _new_client(self) -> httpx.Client:
        return httpx.Client(base_url=self._base_url, headers=self._headers,
                            transport=_HTTPTransport(self._verify, self))

    def attach(self, control: RoundControl | None) -> None:
        """Use ``control`` for the calls from now on (a fresh connection for each round)."""
        if control is self.control:
            return
        self._client.close()
        self.control = control
        self._client = self._new_client()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- sockets --------------------------------------------------------------------------

    def _watch(self, sock: socket.socket) -> None:
        self._sockets.add(sock)
        if self.control is not None:
            self.control.register(sock)

    def _unwatch(self, sock: socket.socket) -> None:
        self._sockets.discard(sock)
        if self.control is not None:
            self.control.unregister(sock)

    def _check(self) -> None:
        if self.control is not None:
            self.control.check()

    # -- requests -------------------------------------------------------------------------

    def _timeout(self, body_size: int) -> httpx.Timeout:
        t = self.timeouts
        left = self.control.remaining() if self.control is not None else None
        drain = min(body_size, IN_FLIGHT) / SLOWEST_RATE

        def cap(value: float) -> float:
            return value if left is None else max(0.5, min(value, left + 0.5))

        return httpx.Timeout(connect=cap(t.connect), read=cap(t.read + drain),
                             write=cap(t.write), pool=cap(t.pool))

    def _body(self, data: bytes, on_bytes: BytesCallback | None,
              shown: int | None = None) -> Iterator[bytes]:
        """``data`` in chunks.  Progress is told in ``shown`` bytes (the size before
        compression, so "340 KB sent" of a 601 KB note means that part of the note)."""
        total = len(data)
        shown = shown or total
        for start in range(0, total, CHUNK):
            self._check()
            chunk = data[start:start + CHUNK]
            yield chunk
            self.stats.bytes_sent += len(chunk)
            if on_bytes is not None:
                on_bytes(min(start + CHUNK, total) * shown // total, shown)

    def _wait(self, seconds: float) -> None:
        if self.control is not None:
            self.control.wait(seconds)
        else:
            self._sleep(seconds)

    def _stopped_error(self) -> SyncCancelled | SyncTimedOut | None:
        if self.control is not None and self.control.stopped:
            return self.control.error()
        return None

    def _request(self, method: str, path: str, *, body: Any = None,
                 params: dict[str, Any] | None = None,
                 on_bytes: BytesCallback | None = None, compress: bool = False) -> Any:
        plain = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        packed = plain is not None and compress and self.compress
        data = gzipped(plain) if packed and plain is not None else plain
        self.stats.requests += 1
        last: Exception | None = None
        dropped = False
        attempt = -1
        plain_again = False  # an older service refused the compressed body: no wait, no count
        while plain_again or attempt < self.retries:
            if not plain_again:
                attempt += 1
                if attempt:
                    delay = self.backoff * (2 ** (attempt - 1))
                    self._wait(delay * (0.8 + 0.4 * random.random()))
            plain_again = False
            self._check()
            self.stats.attempts += 1
            headers = {"Content-Type": "application/json"} if data is not None else None
            if headers is not None and packed:
                headers["Content-Encoding"] = "gzip"
            try:
                response = self._client.request(
                    method, API + path, params=params, headers=headers,
                    content=None if data is None else self._body(
                        data, on_bytes, len(plain or b"")),
                    timeout=self._timeout(len(data or b"")))
            except (SyncCancelled, SyncTimedOut):
                raise
            except httpx.TransportError as exc:
                stopped = self._stopped_error()
                if stopped is not None:
                    raise stopped from exc
                if _is_expired_certificate(exc):
                    raise ServiceCertificateExpired() from exc
                if _is_certificate_problem(exc):
                    raise UntrustedService() from exc
                if "WRONG_VERSION_NUMBER" in str(exc):  # plain HTTP where TLS was expected
                    raise NotTheService(str(exc)) from exc
                dropped = dropped or not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                last = exc
                continue
            self.stats.bytes_received += response.num_bytes_downloaded  # as on the wire
            self.last_answer_size = len(response.content)  # once decompressed
            if response.status_code in RETRY_STATUSES:
                last = ServiceFailed(f"The service is busy (HTTP {response.status_code}).")
                continue
            if packed and _cannot_unpack(response):
                self.compress = packed = False  # an older service: send it plain from now on
                data, plain_again = plain, True
                continue
            return self._answer(response)
        if isinstance(last, ServiceFailed):
            raise ServiceFailed("The service is busy or being updated; please try again in a "
                                "few minutes. Your work is saved on this computer.")
        raise Offline(str(last or ""), dropped=dropped)

    @staticmethod
    def _answer(response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if 300 <= status < 400 or status == 511:
            raise CaptivePortal()  # the service never redirects; Wi-Fi sign-in pages do
        try:
            body = response.json() if kind == "application/json" else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if kind in ("text/html", "application/xhtml+xml") and status < 300:
                raise CaptivePortal()
            if status >= 500:
                raise ServiceFailed(f"The service had a problem (HTTP {status}). Your work is "
                                    "saved on this computer; try again later.")
            raise NotTheService(f"HTTP {status}, {kind or 'no content type'}")
        detail = body.get("detail")
        code = body.get("code")
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
        return self._request("GET", "/health")

    def enrol(self, code: str, device_name: str, csr_pem: str) -> dict[str, Any]:
        answer = self._request("POST", "/enrol", body={
            "enrolment_code": code, "device_name": device_name, "csr_pem": csr_pem})
        _expect(answer, {"device_id": str, "token": str, "certificate_pem": str,
                         "ca_certificate_pem": str, "user": dict})
        _expect(answer["user"], {"user_id": str, "name": str, "role": str})
        return answer

    def renew_certificate(self, csr_pem: str) -> dict[str, Any]:
        answer = self._request("POST", "/devices/certificate", body={"csr_pem": csr_pem})
        _expect(answer, {"certificate_pem": str, "ca_certificate_pem": str})
        return answer

    def me(self) -> dict[str, Any]:
        return self._request("GET", "/me")

    def push(self, changes: list[dict[str, Any]],
             on_bytes: BytesCallback | None = None) -> list[dict[str, Any]]:
        answer = self._request("POST", "/sync/push", body={"changes": changes},
                               on_bytes=on_bytes, compress=True)
        _expect(answer, {"results": list})
        results = answer["results"]
        for result in results:
            _expect(result, {"change_id": str, "status": str})
        return list(results)

    def pull(self, cursor: int, limit: int, *, max_bytes: int | None = None,
             skip_own: bool = False) -> dict[str, Any]:
        params: dict[str, Any] = {"cursor": cursor, "limit": limit}
        if max_bytes is not None:
            params["max_bytes"] = max_bytes
        if skip_own:
            params["skip_own"] = "true"
        answer = self._request("GET", "/sync/pull", params=params)
        _expect(answer, {"records": list, "cursor": int, "more": bool})
        for record in answer["records"]:
            _expect(record, {"id": str, "revision": int})
        for own in answer.get("own") or []:
            _expect(own, {"id": str, "revision": int})
        return answer

    def record(self, record_id: str) -> dict[str, Any]:
        answer = self._request("GET", f"/records/{record_id}")
        _expect(answer, {"id": str, "revision": int})
        return answer


def _expect(value: Any, shape: dict[str, type]) -> None:
    """Raise NotTheService unless ``value`` is a dict with these keys of these types."""
    if not isinstance(value, dict):
        raise NotTheService(f"expected an object, got {type(value).__name__}")
    for key, kind in shape.items():
        item = value.get(key)
        if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            raise NotTheService(f"missing or wrong {key!r}")
