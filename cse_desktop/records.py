"""The record model shared by every layer (store, services, sync, PDF, server).

A record is one thing a practitioner captured: a child, a missing episode, a return home
interview, a warning-signs checklist, a case note or an addendum.  Its answers (``data``) are
validated against the form definition it was captured with (``form_id`` + ``form_version``).

This module is plain Python with no dependencies so that every layer can import it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class RecordType(StrEnum):
    CHILD = "child"
    MISSING_EPISODE = "missing_episode"
    RETURN_INTERVIEW = "return_interview"
    WARNING_SIGNS = "warning_signs"
    CASE_NOTE = "case_note"
    ADDENDUM = "addendum"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    RecordType.CHILD: "Child",
    RecordType.MISSING_EPISODE: "Missing episode",
    RecordType.RETURN_INTERVIEW: "Return home interview",
    RecordType.WARNING_SIGNS: "Warning-signs checklist",
    RecordType.CASE_NOTE: "Case note",
    RecordType.ADDENDUM: "Addendum",
}

# Which records can be signed.  Children and episodes are facts kept up to date, not forms.
SIGNABLE_TYPES = frozenset(
    {
        RecordType.RETURN_INTERVIEW,
        RecordType.WARNING_SIGNS,
        RecordType.CASE_NOTE,
        RecordType.ADDENDUM,
    }
)


class RecordState(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


def new_id() -> str:
    return str(uuid.uuid4())


def child_display_name(data: dict[str, Any]) -> str:
    """How a child is named in lists and headings: "First Last (Preferred)"."""
    first = str(data.get("first_name") or "").strip()
    last = str(data.get("last_name") or "").strip()
    preferred = str(data.get("preferred_name") or "").strip()
    name = f"{first} {last}".strip() or "Unnamed child"
    if preferred and preferred != first:
        name += f" ({preferred})"
    return name


def to_iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {text!r}")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Signature:
    """Who signed a record, when, and the drawn signature (PNG bytes) if one was captured."""

    signed_by: str
    signer_role: str
    signed_at: datetime
    image_png: bytes | None = None


@dataclass(frozen=True)
class Record:
    id: str
    record_type: RecordType
    form_id: str
    form_version: int
    data: dict[str, Any]
    author: str
    device_id: str
    created_at: datetime
    updated_at: datetime
    child_id: str | None = None
    revision: int = 1
    state: RecordState = RecordState.DRAFT
    signature: Signature | None = None
    amends_id: str | None = None  # for addenda: the signed record this one corrects
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. conflict markers; never answers

    @property
    def is_signed(self) -> bool:
        return self.state is RecordState.SIGNED

    def with_changes(self, **changes: Any) -> Record:
        return replace(self, **changes)

    # -- wire format, shared by the store, the sync client and the server ---------------------

    def to_wire(self) -> dict[str, Any]:
        import base64

        sig = None
        if self.signature is not None:
            sig = {
                "signed_by": self.signature.signed_by,
                "signer_role": self.signature.signer_role,
                "signed_at": to_iso(self.signature.signed_at),
                "image_png": base64.b64encode(self.signature.image_png).decode()
                if self.signature.image_png
                else None,
            }
        return {
            "id": self.id,
            "record_type": self.record_type.value,
            "form_id": self.form_id,
            "form_version": self.form_version,
            "child_id": self.child_id,
            "data": self.data,
            "author": self.author,
            "device_id": self.device_id,
            "created_at": to_iso(self.created_at),
            "updated_at": to_iso(self.updated_at),
            "revision": self.revision,
            "state": self.state.value,
            "signature": sig,
            "amends_id": self.amends_id,
            "deleted": self.deleted,
        }

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> Record:
        import base64

        sig_wire = wire.get("signature")
        signature = None
        if sig_wire:
            image = sig_wire.get("image_png")
            signed_at = from_iso(sig_wire["signed_at"])
            assert signed_at is not None
            signature = Signature(
                signed_by=sig_wire["signed_by"],
                signer_role=sig_wire.get("signer_role", ""),
                signed_at=signed_at,
                image_png=base64.b64decode(image) if image else None,
            )
        created_at = from_iso(wire["created_at"])
        updated_at = from_iso(wire["updated_at"])
        assert created_at is not None and updated_at is not None
        return cls(
            id=str(wire["id"]),
            record_type=RecordType(wire["record_type"]),
            form_id=wire["form_id"],
            form_version=int(wire["form_version"]),
            child_id=wire.get("child_id"),
            data=dict(wire.get("data") or {}),
            author=wire["author"],
            device_id=wire["device_id"],
            created_at=created_at,
            updated_at=updated_at,
            revision=int(wire.get("revision", 1)),
            state=RecordState(wire.get("state", "draft")),
            signature=signature,
            amends_id=wire.get("amends_id"),
            deleted=bool(wire.get("deleted", False)),
        )


class Role(StrEnum):
    OUTREACH_WORKER = "outreach_worker"
    NURSE_PRACTITIONER = "nurse_practitioner"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Actor:
    """Who is doing something, on which device: written into records and the audit log."""

    user_id: str
    name: str
    role: Role
    device_id: str

    @property
    def is_team_lead(self) -> bool:
        return self.role in (Role.TEAM_LEAD, Role.ADMIN)
