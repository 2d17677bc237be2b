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

from pyhanko.sign.timestamps import TimeStamper

from ..pdf.fingerprint import content_sha256
from ..pdf.timestamping import ServiceTimeStamper, TokenRefused, check_token
from ..records import Record
from ..store import RecordTimestamp, Store
from .enrolment import Enrolment
from .tls import ssl_context

__all__ = ["MAX_PER_ROUND", "StampOutcome", "TokenRefused", "check_token", "service_stamper",
           "stamp_record", "stamp_synced_records"]

MAX_PER_ROUND = 50
REQUEST_TIMEOUT_SECONDS = 10.0

log = logging.getLogger(__name__)


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
