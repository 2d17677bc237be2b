"""What the PDF layouts are given: plain data gathered by the services layer.

The layouts never read the store; ``cse_desktop.services.documents`` fills these in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from cse_desktop.forms import FormDefinition, RhiTimeliness, RiskResult
from cse_desktop.records import Record

# progress(percent 0-100, what is happening) - called from whichever thread renders.
Progress = Callable[[int, str], None]


def no_progress(percent: int, message: str) -> None:
    """The default progress callback: does nothing."""


@dataclass(frozen=True)
class Organisation:
    name: str
    logo_png: bytes | None = None  # None: the app's placeholder logo


@dataclass(frozen=True)
class ChildDetails:
    child_id: str | None
    name: str
    date_of_birth: date | None
    council_reference: str


@dataclass(frozen=True)
class SignerInfo:
    """Who prints the document and whose key signs the PDF."""

    name: str
    role: str
    printed_at: datetime
    identity_description: str  # e.g. "Sam Carter (local identity, not verified by ...)"
    self_signed: bool
    time_proven: bool = False  # the signature will carry the partnership's time stamp


@dataclass(frozen=True)
class FormRecord:
    """A record with the definition of the form version it was captured with."""

    record: Record
    definition: FormDefinition
    risk: RiskResult | None = None  # for checklists
    # A signed record's proven time: the partnership time service's token over its content
    # (None: not yet proven).
    proven_at: datetime | None = None


@dataclass(frozen=True)
class RecordDocument:
    main: FormRecord
    child: ChildDetails
    addenda: tuple[FormRecord, ...]
    ref_labels: dict[str, str]  # record id -> words shown for a ref answer
    organisation: Organisation
    signer: SignerInfo


@dataclass(frozen=True)
class RiskPoint:
    assessed_at: datetime
    score: int
    level: str  # RiskLevel value
    level_label: str
    record_id: str = ""


@dataclass(frozen=True)
class EpisodeRow:
    went_missing_at: datetime | None
    returned_at: datetime | None
    kind: str  # "Missing" or "Absent"
    timeliness: RhiTimeliness
    offered_at: datetime | None
    interview_outcome: str  # words, '' when there is no interview
    record_id: str


@dataclass(frozen=True)
class ActionRow:
    what: str
    owner: str
    due: date | None
    overdue: bool
    source: str  # e.g. "Case note, 3 Nov 2026"
    record_id: str


@dataclass(frozen=True)
class ChronologyRow:
    occurred_at: datetime
    kind: str
    title: str
    summary: str
    state: str
    author: str
    record_id: str


@dataclass(frozen=True)
class SummaryDocument:
    child: ChildDetails
    child_record: FormRecord | None
    current_risk: RiskResult | None
    risk_assessed_at: datetime | None
    risk_record_id: str | None
    risk_history: tuple[RiskPoint, ...]
    risk_bands: tuple[tuple[int, str], ...]  # (min score, level value) from the definition
    episodes: tuple[EpisodeRow, ...]
    actions: tuple[ActionRow, ...]
    chronology: tuple[ChronologyRow, ...]
    organisation: Organisation
    signer: SignerInfo
    today: date  # the UK date the summary was made (age, overdue actions)
