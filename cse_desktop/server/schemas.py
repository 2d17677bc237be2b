"""Wire schemas shared by the service and the desktop client.

``WireRecord`` mirrors :meth:`cse_desktop.records.Record.to_wire` field for field (the client's
record model is the source of truth; a test checks that the two agree).  Timestamps stay ISO
strings exactly as the client wrote them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..records import RecordState, RecordType, from_iso


def _printable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    if any((ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) and c not in "\t\n" for c in value):
        raise ValueError("must not contain control characters")
    return value


def _timestamp(value: str) -> str:
    try:
        from_iso(value)
    except ValueError as exc:
        raise ValueError("must be an ISO 8601 timestamp with a time zone") from exc
    if not value:
        raise ValueError("must be an ISO 8601 timestamp with a time zone")
    return value


Text = Annotated[str, Field(max_length=2000), AfterValidator(_printable)]
LongText = Annotated[str, Field(max_length=5_000_000), AfterValidator(_printable)]
Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
Timestamp = Annotated[str, Field(max_length=64), AfterValidator(_printable),
                      AfterValidator(_timestamp)]
Revision = Annotated[int, Field(ge=0, le=2_000_000_000)]

_STRICT = ConfigDict(extra="forbid")


class WireSignature(BaseModel):
    model_config = _STRICT
    signed_by: Text
    signer_role: Text = ""
    signed_at: Timestamp
    image_png: LongText | None = None


class WireRecord(BaseModel):
    """One record as the client's ``Record.to_wire()`` writes it."""

    model_config = _STRICT
    id: Id
    record_type: RecordType
    form_id: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]
    form_version: Annotated[int, Field(ge=1, le=1_000_000)]
    child_id: Id | None = None
    data: dict[str, Any]
    author: Text
    device_id: Text
    created_at: Timestamp
    updated_at: Timestamp
    revision: Revision = 1
    state: RecordState = RecordState.DRAFT
    signature: WireSignature | None = None
    amends_id: Id | None = None
    deleted: bool = False


class ChangeStatus(StrEnum):
    ACCEPTED = "accepted"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class Change(BaseModel):
    model_config = _STRICT
    change_id: Id
    base_revision: Revision = Field(description="The server revision this change was made on "
                                                "(0 for a new record).")
    record: WireRecord


class PushRequest(BaseModel):
    model_config = _STRICT
    changes: list[Change] = Field(max_length=1000)


class ChangeResult(BaseModel):
    change_id: str
    status: ChangeStatus
    revision: int | None = Field(None, description="The server's revision after this change "
                                                   "(accepted) or its current one (conflict).")
    server_record: dict[str, Any] | None = Field(
        None, description="The server's version of the record, for conflicts and rejections.")
    reason: str | None = Field(None, description="Why a change was rejected, in plain words.")
    code: str | None = Field(None, description="For rejections: a stable reason, e.g. "
                                               "`invalid_record` (the 422 of one change).")
    field: str | None = Field(None, description="For `invalid_record`: the field at fault, "
                                                "e.g. `data.location` or `author`.")
    changed_by: str | None = Field(None, description="Who stored the server's version "
                                                     "(conflicts), for the review screen.")
    changed_at: str | None = Field(None, description="When the server's version was stored.")


class PushResponse(BaseModel):
    results: list[ChangeResult]


class OwnVersion(BaseModel):
    id: str = Field(description="A record whose current version the calling device pushed.")
    revision: int = Field(description="Its revision on the service.")


class PullResponse(BaseModel):
    records: list[dict[str, Any]] = Field(description="Records in the wire format, oldest first.")
    cursor: int = Field(description="Pass this as `cursor` next time.")
    more: bool = Field(description="True when another page is waiting.")
    remaining: int = Field(0, description="How many records are still waiting after this "
                                          "page (for progress bars).")
    withdrawn: list[str] = Field(default_factory=list, description=(
        "Children taken out of the caller's caseload (feed entries of kind \"withdrawn\"): "
        "the device removes each child and its records."))
    own: list[OwnVersion] = Field(default_factory=list, description=(
        "With `skip_own`: records whose current version this device pushed itself, sent as "
        "id and revision only (the device already holds them)."))


class EnrolRequest(BaseModel):
    model_config = _STRICT
    enrolment_code: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_printable)]
    device_name: Annotated[str, Field(min_length=1, max_length=200),
                           AfterValidator(_printable)]
    csr_pem: Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_printable)]


class UserInfo(BaseModel):
    user_id: str
    name: str
    role: str
    team_id: str | None


class EnrolResponse(BaseModel):
    device_id: str
    token: str
    certificate_pem: str
    ca_certificate_pem: str
    user: UserInfo
    organisation: str
    # The organisation's logo as a base64 PNG (printed on the device's forms), if configured.
    organisation_logo_png: str | None = None
    recovery_public_key_pem: str | None = None


class RenewCertificateRequest(BaseModel):
    model_config = _STRICT
    csr_pem: Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_printable)]


class RenewCertificateResponse(BaseModel):
    certificate_pem: str
    ca_certificate_pem: str


class MeResponse(BaseModel):
    user: UserInfo
    device_id: str
    device_name: str
    organisation: str
    recovery_public_key_pem: str | None = None


class HealthResponse(BaseModel):
    status: Literal["ok"]
    schema_revision: str | None
    database: str


class ErrorBody(BaseModel):
    code: str = Field(description="A stable machine-readable reason, e.g. `device_revoked`.")
    detail: str = Field(description="What went wrong, in plain words.")
