"""Request limits applied before the application reads a body (an ASGI middleware).

- A ``Content-Length`` over the limit is refused with 413 at once; a body sent without one
  (chunked) is counted as it streams and refused as soon as it passes the limit.  Nothing over
  the limit is ever held in memory.
- Requests that need a login and carry a body (``POST`` other than enrolment) are
  authenticated from their headers first: a stranger's body is never read at all.
"""

from __future__ import annotations

import contextlib
import json
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import ApiError

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
Authenticator = Callable[[Scope], Awaitable[None]]  # raises ApiError; may fill scope["state"]

ENROL_PATH = "/api/v1/enrol"
ENROL_MAX_BYTES = 64 * 1024  # a code, a device name and a certificate request


def too_large_message(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return (f"This request is too large for the service (the limit is {size}). Send fewer "
            "changes at a time.")


GZIP_ENCODINGS = frozenset({"gzip", "x-gzip"})
UNPACK_STEP = 64 * 1024  # most bytes unpacked from a gzip body at one time
DAMAGED_BODY = ("The request's compressed body is damaged or incomplete, so the service "
                "cannot read it. Try again.")
UNSUPPORTED_ENCODING = "The service only accepts request bodies sent plain or compressed " \
                       "with gzip."


class _TooLarge(Exception):
    pass


class _Damaged(Exception):
    pass


class _Gunzip:
    """A ``receive`` that unpacks a gzip body as it arrives, at most ``UNPACK_STEP`` bytes per
    message, counting the unpacked bytes against ``limit``."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive, self._limit = receive, limit
        self._unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer
        self._pending = b""  # packed bytes received but not unpacked yet
        self._ended = False  # the client's body has ended
        self.unpacked = 0

    async def __call__(self) -> Message:
        while True:
            if not self._pending and not self._ended:
                message = await self._receive()
                if message.get("type") != "http.request":
                    return message  # e.g. http.disconnect
                self._pending = bytes(message.get("body", b""))
                self._ended = not message.get("more_body", False)
            if self._unzip.eof and self._pending:
                raise _Damaged()  # bytes after the end of the gzip stream
            try:
                data = self._unzip.decompress(self._pending, UNPACK_STEP)
            except zlib.error as exc:
                raise _Damaged() from exc
            self._pending = self._unzip.unconsumed_tail
            if self._unzip.unused_data:
                raise _Damaged()
            self.unpacked += len(data)
            if self.unpacked > self._limit:
                raise _TooLarge()
            last = self._ended and not self._pending
            if last and not self._unzip.eof:
                raise _Damaged()  # truncated
            if data or last:
                return {"type": "http.request", "body": data, "more_body": not last}


async def _answer(send: Send, status: int, code: str, detail: str,
                  headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"code": code, "detail": detail}).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"connection", b"close")]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    """``max_bytes`` per request body (``ENROL_MAX_BYTES`` for enrolment), and
    ``authenticate`` run before the body of an authenticated ``POST`` is read."""

    def __init__(self, app: App, max_bytes: int, authenticate: Authenticator) -> None:
        self.app, self.max_bytes, self.authenticate = app, max_bytes, authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = min(self.max_bytes, ENROL_MAX_BYTES) if path == ENROL_PATH else self.max_bytes
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _answer(send, 400, "invalid_request", "The request's length is not valid.")
                return
            if declared > limit:
                await _answer(send, 413, "too_large", too_large_message(limit))
                return
        encoding = ""
        if scope.get("method") in ("POST", "PUT", "PATCH"):  # the methods with a body
            raw = dict(scope.get("headers") or []).get(b"content-encoding", b"")
            encoding = raw.decode("latin-1").strip().lower()
        if encoding not in GZIP_ENCODINGS | {"", "identity"}:
            await _answer(send, 415, "unsupported_encoding", UNSUPPORTED_ENCODING)
            return
        if scope.get("method") == "POST" and path != ENROL_PATH and path.startswith("/api/"):
            try:
                await self.authenticate(scope)
            except ApiError as refusal:
                await _answer(send, refusal.status, refusal.code, refusal.detail,
                              {"WWW-Authenticate": "Bearer", **refusal.headers}
                              if refusal.status == 401 else refusal.headers)
                return
        gzipped = encoding in GZIP_ENCODINGS
        if gzipped:  # the application sees the unpacked body, with no length or encoding
            scope = {**scope, "headers": [
                (k, v) for k, v in scope.get("headers") or []
                if k not in (b"content-encoding", b"content-length")]}
        await self._limited(scope, receive, send, limit, gzipped)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int,
                       gzipped: bool = False) -> None:
        received = 0
        over = damaged = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, over
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge()
            return message

        body_receive: Receive = counting_receive
        if gzipped:
            unpack = _Gunzip(counting_receive, limit)

            async def unpacking_receive() -> Message:
                nonlocal over, damaged
                try:
                    return await unpack()
                except _TooLarge:
                    over = True
                    raise
                except _Damaged:
                    damaged = True
                    raise

            body_receive = unpacking_receive

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over or damaged:
                return  # whatever the app says about the cut-off body, the answer is ours
            if message.get("type") == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(_TooLarge, _Damaged):
            await self.app(scope, body_receive, guarded_send)
        if over and not started:
            await _answer(send, 413, "too_large", too_large_message(limit))
        elif damaged and not started:
            await _answer(send, 400, "damaged_body", DAMAGED_BODY)
