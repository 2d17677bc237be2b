"""Asking the partnership's time service for an RFC 3161 time stamp (client side).

A pyHanko ``TimeStamper`` that posts the query to the central service over the same HTTPS
connection settings as sync: the device's bearer token, and TLS trust that includes the
service's own certificate authority (from enrolment).  pyHanko builds the query, checks the
reply (nonce, message imprint) and embeds the token.

``check_token`` checks a token over a given SHA-256 (a signed record's content fingerprint)
with pyHanko: the imprint, and a signer that chains to the partnership's authority.
"""

from __future__ import annotations

import asyncio
import ssl
from datetime import datetime

import httpx
from asn1crypto import cms, tsp
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

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


class TokenRefused(ValueError):
    """A time stamp token that cannot be accepted (wrong hash, untrusted authority, ...)."""


def check_token(token: cms.ContentInfo, digest: bytes, ca_pem: str | bytes
                ) -> tuple[datetime, str]:
    """(genTime, authority name) of a token over ``digest`` (SHA-256) whose signer chains to
    the partnership CA in ``ca_pem``.  Raises TokenRefused otherwise."""
    try:
        if token["content_type"].native != "signed_data":
            raise TokenRefused("The time stamp is not signed data.")
        signed_data = token["content"]
        info = signed_data["encap_content_info"]["content"].parsed
        if not isinstance(info, tsp.TSTInfo):
            raise TokenRefused("The time stamp holds no time stamp information.")
        gen_time = info["gen_time"].native
        imprint = info["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        hashed = imprint["hashed_message"].native
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TokenRefused("The time stamp could not be read.") from exc
    if algorithm != "sha256" or hashed != digest:
        raise TokenRefused("The time stamp is not for this record's content.")
    pem = ca_pem.encode() if isinstance(ca_pem, str) else ca_pem
    roots = list(load_certs_from_pemder_data(pem))
    if not roots:
        raise TokenRefused("This device knows no partnership certificate authority.")
    # The time service's certificate is checked as it was when it made the token.
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=gen_time)
    try:
        status = TimestampSignatureStatus(**asyncio.run(validate_tst_signed_data(
            signed_data, context, lambda algo: digest if algo == "sha256" else b"")))
    except Exception as exc:  # pyHanko's validation errors: a broken or forged token
        raise TokenRefused(f"The time stamp's signature could not be checked: {exc}") from exc
    if not (status.intact and status.valid and status.trusted):
        raise TokenRefused("The time stamp is not signed by the partnership's time service.")
    name = str(status.signing_cert.subject.native.get("common_name")
               or "the partnership's time service")
    return gen_time, name
