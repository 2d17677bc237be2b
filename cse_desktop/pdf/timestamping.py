"""Asking the partnership's time service for an RFC 3161 time stamp (client side).

A pyHanko ``TimeStamper`` that posts the query to the central service over the same HTTPS
connection settings as sync: the device's bearer token, and TLS trust that includes the
service's own certificate authority (from enrolment).  pyHanko builds the query, checks the
reply (nonce, message imprint) and embeds the token.
"""

from __future__ import annotations

import ssl

import httpx
from asn1crypto import tsp
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

TIMESTAMP_PATH = "/api/v1/timestamp"
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"


class ServiceTimeStamper(TimeStamper):
    """Time stamps from the central service (``POST /api/v1/timestamp``)."""

    def __init__(self, base_url: str, token: str, verify: ssl.SSLContext | bool = True, *,
                 timeout: float = 10.0) -> None:
        super().__init__()
        self.url = base_url.rstrip("/") + TIMESTAMP_PATH
        self.token = token
        self.verify = verify
        self.timeout = timeout

    def _post(self, query: bytes) -> tsp.TimeStampResp:
        try:
            with httpx.Client(verify=self.verify, timeout=self.timeout) as client:
                reply = client.post(self.url, content=query, headers={
                    "Content-Type": QUERY_TYPE, "Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError as exc:
            raise TimestampRequestError("The time service could not be reached.") from exc
        if reply.status_code != 200 or reply.headers.get("content-type") != REPLY_TYPE:
            raise TimestampRequestError(
                f"The time service refused the request (HTTP {reply.status_code}).")
        try:
            return tsp.TimeStampResp.load(reply.content)
        except ValueError as exc:
            raise TimestampRequestError("The time service's answer could not be read.") from exc

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        # pyHanko runs this in its own event loop on the calling (worker) thread.
        return self._post(req.dump())
