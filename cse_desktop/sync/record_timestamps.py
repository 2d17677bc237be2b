"""Proven times for signed records: after a sync round, the partnership's time service
(RFC 3161, ``POST /api/v1/timestamp``) stamps the content fingerprint of each signed record
this device made and the service now holds.

The token proves that the record, exactly as it is, existed by the token's time at the
latest; the signing time on the record is only the laptop's claim.  Before a token is kept it
is checked with pyHanko: its message imprint is the record's content SHA-256 and it is signed
by a time stamping certificate that chains to the partnership certificate authority this
device knows from enrolment (nothing else is trusted).  Tokens are kept in the encrypted
store (``Store.put_record_timestamp``) and shown on the record's PDF.

A failure (offline, the service refusing, a token that does not check out) never fails the
sync round and loses nothing: the record is simply asked for again at the next round.  At
most ``MAX_PER_ROUND`` records are stamped per round, so a backlog never holds a round up.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, tsp
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from ..pdf.fingerprint import content_sha256
from ..pdf.timestamping import ServiceTimeStamper
from ..records import Record
from ..store import RecordTimestamp, Store
from .enrolment import Enrolment
from .tls import ssl_context

MAX_PER_ROUND = 50
REQUEST_TIMEOUT_SECONDS = 10.0

log = logging.getLogger(__name__)


class TokenRefused(ValueError):
    """A time stamp token that cannot be accepted (wrong hash, untrusted authority, ...)."""


@dataclass(frozen=True)
class StampOutcome:
    """What one pass did: records stamped, and why it stopped early (if it did)."""

    stamped: int = 0
    waiting: int = 0  # records still without a token after this pass
    problem: str = ""


def service_stamper(store: Store) -> tuple[TimeStamper, str] | None:
    """The enrolled service's time stamper (bearer token, pinned TLS) and the partnership
    CA certificate(s) (PEM) its tokens must chain to; None when not enrolled."""
    enrolment = Enrolment.load(store)
    if enrolment is None:
        return None
    stamper = ServiceTimeStamper(enrolment.base_url, enrolment.token,
                                 ssl_context(True, enrolment.ca_certificate_pem),
                                 timeout=REQUEST_TIMEOUT_SECONDS)
    return stamper, enrolment.ca_certificate_pem


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


def stamp_record(store: Store, record: Record, stamper: TimeStamper, ca_pem: str | bytes
                 ) -> RecordTimestamp:
    """Ask for, check and keep a token over one signed record's content fingerprint."""
    fingerprint = content_sha256(record)
    digest = bytes.fromhex(fingerprint)
    token = asyncio.run(stamper.async_timestamp(digest, "sha256"))  # checks nonce, imprint
    gen_time, authority = check_token(token, digest, ca_pem)
    stamp = RecordTimestamp(record.id, record.revision, fingerprint, token.dump(), gen_time,
                            authority)
    store.put_record_timestamp(stamp)
    return stamp


def stamp_synced_records(store: Store, *, stamper: TimeStamper | None = None,
                         ca_pem: str | bytes | None = None,
                         limit: int = MAX_PER_ROUND) -> StampOutcome:
    """Stamp up to ``limit`` signed, synced records of this device that have no token yet.
    Never raises: a problem stops the pass (the rest wait for the next round)."""
    try:
        if stamper is None or ca_pem is None:
            found = service_stamper(store)
            if found is None:
                return StampOutcome(problem="This device is not enrolled.")
            stamper = stamper or found[0]
            ca_pem = ca_pem or found[1]
        records = store.signed_records_without_timestamp(limit)
    except Exception as exc:  # a locked store, say: try again next round
        log.info("record time stamps skipped: %s", exc)
        return StampOutcome(problem=str(exc))
    stamped = 0
    for record in records:
        try:
            stamp_record(store, record, stamper, ca_pem)
        except Exception as exc:  # offline, refused, or a token that does not check out
            log.info("record time stamp not obtained for %s: %s", record.id, exc)
            return StampOutcome(stamped, len(records) - stamped, str(exc) or type(exc).__name__)
        stamped += 1
    return StampOutcome(stamped, 0)
