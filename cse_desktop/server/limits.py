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


class _TooLarge(Exception):
    pass


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
        if scope.get("method") == "POST" and path != ENROL_PATH and path.startswith("/api/"):
            try:
                await self.authenticate(scope)
            except ApiError as refusal:
                await _answer(send, refusal.status, refusal.code, refusal.detail,
                              {"WWW-Authenticate": "Bearer", **refusal.headers}
                              if refusal.status == 401 else refusal.headers)
                return
        await self._limited(scope, receive, send, limit)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        over = False
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

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                return  # whatever the app says about the cut-off body, the answer is 413
            if message.get("type") == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if over and not started:
            await _answer(send, 413, "too_large", too_large_message(limit))
