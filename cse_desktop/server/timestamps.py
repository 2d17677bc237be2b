"""The partnership's RFC 3161 time stamping authority.

A time stamp token proves that some data (a hash sent by the device: a signed PDF, a signed
record's content) existed at the time the service saw it: the laptop's own clock cannot be
trusted for that.  The service signs tokens with a time stamping certificate issued by its
own certificate authority (extended key usage ``timeStamping`` only, critical), so a device
that trusts the partnership's authority from enrolment trusts the tokens too.

Tokens are built with ``asn1crypto.tsp`` (the structures pyHanko reads and writes) and signed
with ECDSA P-256 / SHA-256.  ``POST /api/v1/timestamp`` takes an
``application/timestamp-query`` body from an enrolled device (bearer token) and answers
``application/timestamp-reply``; a request it cannot honour gets a "rejection" reply with the
reason, as RFC 3161 says.  The time comes from the service's clock seam.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from cse_desktop.clock import SYSTEM_CLOCK, Clock

from . import audit
from .ca import CertificateAuthority
from .errors import ApiError

log = logging.getLogger(__name__)

TSA_KEY = "tsa.key"
TSA_CERT = "tsa.pem"
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_QUERY_BYTES = 4096
# The service's time stamping policy: a UUID-based object identifier (ITU-T X.667), so no
# registration is needed and it cannot clash with anyone else's.
POLICY_OID = "2.25." + str(uuid.UUID("5f0c8a52-3d1e-4c8e-9a57-6f3b2c1d9e07").int)
_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}
_VALID_DAYS = 2 * 365
_RENEW_BEFORE = dt.timedelta(days=30)


class _Rejection(core.Sequence):
    """A TimeStampResp without a token (asn1crypto's class insists on one; RFC 3161 makes
    it optional and absent when the request is refused)."""

    _fields = [("status", tsp.PKIStatusInfo)]  # noqa: RUF012 - asn1crypto's declaration


class QueryRefused(ValueError):
    """The request cannot be honoured; ``failure`` is the RFC 3161 PKIFailureInfo name."""

    def __init__(self, failure: str, text: str) -> None:
        super().__init__(text)
        self.failure = failure


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    tmp.touch(mode=0o600)
    tmp.write_bytes(data)
    tmp.replace(path)


@dataclass(frozen=True)
class TimeStampAuthority:
    """Issues RFC 3161 tokens with its own key and certificate (from the service's CA)."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    ca_certificate: x509.Certificate
    clock: Clock = SYSTEM_CLOCK

    @classmethod
    def load_or_create(cls, data_dir: Path, ca: CertificateAuthority,
                       clock: Clock = SYSTEM_CLOCK) -> TimeStampAuthority:
        """The authority kept in ``data_dir``; a new key and certificate when there is none,
        when it was issued by another CA, or when it expires within 30 days."""
        key_path, cert_path = Path(data_dir) / TSA_KEY, Path(data_dir) / TSA_CERT
        if key_path.exists() and cert_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            if (isinstance(key, ec.EllipticCurvePrivateKey)
                    and cert.issuer == ca.certificate.subject
                    and cert.not_valid_after_utc - _RENEW_BEFORE > clock.now()):
                return cls(key, cert, ca.certificate, clock)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _issue_tsa_certificate(ca, key, clock.now())
        _write_private(key_path, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cls(key, cert, ca.certificate, clock)

    # -- answering -----------------------------------------------------------------------------

    def respond(self, query: bytes) -> bytes:
        """The DER TimeStampResp for a DER TimeStampReq: granted, or rejected with a reason."""
        try:
            request = _parse_query(query)
            token = self.token_for(request)
        except QueryRefused as refused:
            log.info("time stamp refused: %s", refused)
            return _Rejection({"status": tsp.PKIStatusInfo({
                "status": "rejection",
                "status_string": [str(refused)],
                "fail_info": tsp.PKIFailureInfo({refused.failure}),
            })}).dump()
        return tsp.TimeStampResp({"status": tsp.PKIStatusInfo({"status": "granted"}),
                                  "time_stamp_token": token}).dump()

    def token_for(self, request: tsp.TimeStampReq) -> cms.ContentInfo:
        """A signed time stamp token (CMS SignedData over a TSTInfo) for the request."""
        now = self.clock.now().astimezone(dt.UTC).replace(microsecond=0)
        info: dict[str, Any] = {
            "version": "v1",
            "policy": POLICY_OID,
            "message_imprint": request["message_imprint"],
            "serial_number": secrets.randbits(127) + 1,
            "gen_time": now,
            "accuracy": {"seconds": 1},
            "ordering": False,
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self._asn1_cert.subject),
        }
        if request["nonce"].native is not None:
            info["nonce"] = request["nonce"]
        tst_info = tsp.TSTInfo(info).dump()
        signed_attrs = cms.CMSAttributes([
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "signing_time", "values": [cms.Time({"utc_time": core.UTCTime(now)})]},
            {"type": "message_digest", "values": [hashlib.sha256(tst_info).digest()]},
            {"type": "signing_certificate_v2", "values": [tsp.SigningCertificateV2({
                "certs": [{"hash_algorithm": {"algorithm": "sha256"},
                           "cert_hash": hashlib.sha256(self._asn1_cert.dump()).digest()}]})]},
        ])
        signature = self.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer_info = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
                "issuer": self._asn1_cert.issuer,
                "serial_number": self._asn1_cert.serial_number})}),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        })
        signed_data = cms.SignedData({
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": "tst_info",
                                   "content": cms.ParsableOctetString(tst_info)},
            "certificates": [self._asn1_cert, asn1_x509.Certificate.load(
                self.ca_certificate.public_bytes(serialization.Encoding.DER))],
            "signer_infos": [signer_info],
        })
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data})

    @property
    def _asn1_cert(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.certificate.public_bytes(
            serialization.Encoding.DER))


def _issue_tsa_certificate(ca: CertificateAuthority, key: ec.EllipticCurvePrivateKey,
                           now: dt.datetime) -> x509.Certificate:
    organisation = ca.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    names = [x509.NameAttribute(NameOID.COMMON_NAME, "Partnership time service")]
    if organisation:
        names.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, str(organisation[0].value)))
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name(names)).issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=_VALID_DAYS),
                             ca.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                       critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA384())
    )


def _parse_query(query: bytes) -> tsp.TimeStampReq:
    if len(query) > MAX_QUERY_BYTES:
        raise QueryRefused("bad_request", "The request is too large.")
    try:
        request = tsp.TimeStampReq.load(query, strict=True)
        version = request["version"].native
        imprint = request["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        digest = imprint["hashed_message"].native
        policy = request["req_policy"].native
        extensions = request["extensions"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise QueryRefused("bad_data_format", "The request is not a time stamp query.") from exc
    if version != "v1":
        raise QueryRefused("bad_request", "Only version 1 requests are accepted.")
    if algorithm not in _DIGEST_SIZES:
        raise QueryRefused("bad_alg", "The hash algorithm is not accepted (use SHA-256, "
                           "SHA-384 or SHA-512).")
    if not isinstance(digest, bytes) or len(digest) != _DIGEST_SIZES[algorithm]:
        raise QueryRefused("bad_data_format", "The hash has the wrong length.")
    if policy is not None and policy != POLICY_OID:
        raise QueryRefused("unaccepted_policy", "The requested policy is not offered.")
    if extensions:
        raise QueryRefused("unaccepted_extension", "Extensions are not accepted.")
    return request


def timestamp_router(settings: Any, ca: CertificateAuthority, caller: Callable[..., Any],
                     clock: Clock = SYSTEM_CLOCK) -> APIRouter:
    """The ``POST /api/v1/timestamp`` route.  ``caller`` is the API's bearer-token
    dependency: only enrolled devices may ask.  The authority is made on first use."""
    router = APIRouter(tags=["time stamps"])
    made: list[TimeStampAuthority] = []

    def authority() -> TimeStampAuthority:
        if not made:
            made.append(TimeStampAuthority.load_or_create(settings.data_dir, ca, clock))
        return made[0]

    @router.post("/api/v1/timestamp", response_class=Response,
                 responses={200: {"content": {REPLY_TYPE: {}},
                                  "description": "An RFC 3161 TimeStampResp (DER)."}})
    async def timestamp(request: Request, who: Any = Depends(caller)) -> Response:  # noqa: B008
        """RFC 3161 time stamp: send a DER TimeStampReq as ``application/timestamp-query``;
        the answer is a DER TimeStampResp (granted, or rejection with the reason)."""
        if request.headers.get("content-type", "").split(";")[0].strip() != QUERY_TYPE:
            raise ApiError(415, "unsupported_media_type",
                           f"Send the time stamp query as {QUERY_TYPE}.")
        body = await request.body()
        if len(body) > MAX_QUERY_BYTES:
            raise ApiError(413, "too_large", "The time stamp query is too large.")
        engine: Engine = request.app.state.engine

        def answer() -> bytes:  # signing and the audit row, off the event loop
            reply = authority().respond(body)
            with engine.begin() as conn:
                audit.log(conn, who, "timestamp", detail="RFC 3161 time stamp issued")
            return reply

        return Response(await run_in_threadpool(answer), media_type=REPLY_TYPE)

    return router
