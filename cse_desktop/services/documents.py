"""Printing: signed PDFs of records and case summaries, and checking signed PDFs.

Everything is made in memory: the PDF is laid out by ReportLab, signed (PAdES) with the
practitioner's key by pyHanko, and handed back as bytes.  Nothing is written to disk here;
saving is the user's explicit choice (see ``cse_desktop.ui.pdf_dialogs``) and is audited.

When this device is enrolled and the service can be reached, the signature carries a time
stamp from the partnership's time service (RFC 3161), so the signing time is proven, and the
PDF says so; otherwise the PDF says its time is not yet proven.  Rendering runs off the UI
thread, so the short network call does too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..clock import uk_date
from ..crypto.identity import SigningIdentity
from ..forms import (
    FormLibrary,
    RiskResult,
    UnknownFormError,
    parse_date,
    parse_datetime,
    rhi_timeliness,
)
from ..forms import score_checklist as _score
from ..pdf.fingerprint import content_sha256
from ..pdf.model import (
    ActionRow,
    ChildDetails,
    ChronologyRow,
    EpisodeRow,
    FormRecord,
    Organisation,
    Progress,
    RecordDocument,
    RiskPoint,
    SignerInfo,
    SummaryDocument,
    no_progress,
)
from ..pdf.record_pdf import render_record
from ..pdf.record_proof import RecordProof, embed_record_proofs
from ..pdf.signing import sign_pdf
from ..pdf.summary_pdf import render_summary
from ..pdf.text import day, short_id, when
from ..pdf.timestamping import ServiceTimeStamper, TimeStamper
from ..pdf.verify import Verdict, VerificationResult, verify_pdf_bytes
from ..records import SIGNABLE_TYPES, Actor, Record, RecordType
from ..store import Store
from ..sync.enrolment import Enrolment
from ..sync.tls import ssl_context
from .caseload import Caseload, actions_of, episode_statuses
from .errors import PermissionDenied, ServiceError
from .indexing import child_display_name
from .organisation import printed_organisation

__all__ = [
    "Verdict",
    "VerificationResult",
    "audit_printed",
    "audit_saved",
    "audit_verified",
    "partnership_time_stamper",
    "render_case_summary_pdf",
    "render_record_pdf",
    "suggested_file_name",
    "trusted_certificates",
    "verify_pdf",
]

AUTO = "auto"  # time stamps: ask the service this device is enrolled with, if any
PROBE_TIMEOUT_SECONDS = 5.0

log = logging.getLogger(__name__)


# -- gathering ----------------------------------------------------------------------------------


def _organisation(store: Store, organisation: dict[str, Any] | None) -> Organisation:
    return printed_organisation(organisation or store.get_meta("organisation"))


def _child_details(child: Record | None, child_id: str | None) -> ChildDetails:
    if child is None:
        return ChildDetails(child_id, "Child not found on this device", None, "")
    return ChildDetails(
        child_id=child.id,
        name=child_display_name(child.data),
        date_of_birth=parse_date(child.data.get("date_of_birth")),
        council_reference=str(child.data.get("local_reference") or ""),
    )


def _signer(actor: Actor, identity: SigningIdentity, now: datetime,
            time_proven: bool = False) -> SignerInfo:
    return SignerInfo(name=actor.name, role=actor.role.label, printed_at=now,
                      identity_description=identity.description,
                      self_signed=identity.self_signed, time_proven=time_proven)


# -- proven signing time ------------------------------------------------------------------------


def partnership_time_stamper(store: Store) -> TimeStamper | None:
    """The enrolled service's time stamper (bearer token and TLS trust as for sync), or None
    when this device is not enrolled."""
    enrolment = Enrolment.load(store)
    if enrolment is None:
        return None
    return ServiceTimeStamper(enrolment.base_url, enrolment.token,
                              ssl_context(True, enrolment.ca_certificate_pem),
                              timeout=PROBE_TIMEOUT_SECONDS)


def _chosen_stamper(store: Store, timestamper: TimeStamper | str | None) -> TimeStamper | None:
    if timestamper == AUTO:
        return partnership_time_stamper(store)
    return timestamper if isinstance(timestamper, TimeStamper) else None


def _reachable(stamper: TimeStamper) -> bool:
    """One test request to the time service (pyHanko keeps the answer to size the signature)."""
    try:
        asyncio.run(stamper.async_dummy_response("sha256"))
    except Exception as exc:  # offline, refused, or a broken answer: the time is not proven
        log.info("time service not reachable: %s", exc)
        return False
    return True


def _render_and_sign(render: Callable[[bool], bytes], identity: SigningIdentity, reason: str,
                     stamper: TimeStamper | None, report: Progress) -> tuple[bytes, bool]:
    """The signed PDF, time-stamped when the service answers; ``render(time_proven)`` lays
    it out saying whether its time is proven.  Returns (pdf, time_proven)."""
    online = stamper is not None and _reachable(stamper)
    unsigned = render(online)
    report(90, "Signing the PDF")
    if online:
        try:
            return sign_pdf(unsigned, identity, reason=reason, timestamper=stamper), True
        except Exception as exc:  # the service went away between the two requests
            log.info("time stamp failed, signing without: %s", exc)
            unsigned = render(False)
    return sign_pdf(unsigned, identity, reason=reason), False


def _time_words(time_proven: bool) -> str:
    return ("time stamped by the partnership's time service" if time_proven
            else "time not proven (time service not reached)")


def _ref_label(record: Record | None) -> str | None:
    if record is None:
        return None
    if record.record_type is RecordType.CHILD:
        return child_display_name(record.data)
    if record.record_type is RecordType.MISSING_EPISODE:
        kind = "Absent" if record.data.get("missing_or_absent") == "absent" else "Missing"
        went = parse_datetime(record.data.get("went_missing_at"))
        return f"{kind} episode from {when(went)}" if went else f"{kind} episode"
    return f"{record.record_type.label} {short_id(record.id)}"


def _ref_labels(store: Store, records: Iterable[Record]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for record in records:
        wanted = [(k, v) for k, v in record.data.items() if k.endswith("_id")]
        if record.amends_id:
            wanted.append(("amends_id", record.amends_id))
        for _, value in wanted:
            if isinstance(value, str) and value not in labels:
                label = _ref_label(store.find(value))
                if label:
                    labels[value] = label
    return labels


def _record_proof(store: Store, record: Record) -> RecordProof | None:
    """The partnership time service's token over a signed record's current content, if it
    has one (obtained at sync)."""
    if not record.is_signed or record.signature is None:
        return None
    stamp = store.record_timestamp(record.id)
    if stamp is None or stamp.content_sha256 != content_sha256(record):
        return None
    return RecordProof(record.id, stamp.content_sha256, record.signature.signed_at,
                       stamp.token)


def _proven_at(store: Store, record: Record) -> datetime | None:
    """When the partnership's time service proved a signed record existed, or None."""
    stamp = store.record_timestamp(record.id) if _record_proof(store, record) else None
    return stamp.gen_time if stamp is not None else None


def _form_record(library: FormLibrary, record: Record,
                 proven_at: datetime | None = None) -> FormRecord:
    try:
        definition = library.get(record.form_id, record.form_version)
    except UnknownFormError as exc:
        raise ServiceError(f"{exc} This record cannot be printed until the app is updated "
                           "with that form.") from exc
    risk: RiskResult | None = None
    if definition.scoring is not None:
        risk = _score(definition, record.data)
    return FormRecord(record, definition, risk, proven_at)


def _may_see(actor: Actor, record: Record) -> bool:
    """Sensitive case notes are for their author and team leads only."""
    if record.data.get("sensitive") != "yes":
        return True
    return actor.is_team_lead or record.author == actor.name


# -- records ------------------------------------------------------------------------------------


def render_record_pdf(store: Store, library: FormLibrary, record_id: str, actor: Actor,
                      identity: SigningIdentity, organisation: dict[str, Any] | None = None,
                      progress: Progress | None = None,
                      timestamper: TimeStamper | str | None = AUTO) -> bytes:
    """A record and its addenda as a signed PDF (bytes).  Audited as a view and a "print".

    ``organisation`` is {"name": ..., "logo_path": ...}; None uses the store's setting.
    ``timestamper``: AUTO (the enrolled service, if any), a pyHanko ``TimeStamper``, or None
    for no time stamp.
    Raises ``RecordNotFound``, ``PermissionDenied`` (someone else's sensitive note) or
    ``ServiceError`` (the form version it was captured with is not installed).
    """
    report = progress or no_progress
    report(5, "Reading the record")
    record = store.get(record_id, actor=actor)
    if not _may_see(actor, record):
        raise PermissionDenied("This note is marked sensitive: only its author and team leads "
                               "can print it.")
    main = _form_record(library, record, _proven_at(store, record))
    child = store.find(record.child_id) if record.child_id else None
    addenda = [r for r in store.records(child_id=record.child_id,
                                        record_type=RecordType.ADDENDUM, newest_first=False)
               if r.amends_id == record.id] if record.child_id else []

    def render(time_proven: bool) -> bytes:
        document = RecordDocument(
            main=main,
            child=_child_details(child, record.child_id),
            addenda=tuple(_form_record(library, a, _proven_at(store, a)) for a in addenda),
            ref_labels=_ref_labels(store, [record, *addenda]),
            organisation=_organisation(store, organisation),
            signer=_signer(actor, identity, store.clock.now(), time_proven),
        )
        return embed_record_proofs(render_record(document, report), proofs)

    proofs = [p for p in (_record_proof(store, r) for r in (record, *addenda)) if p]
    signed, proven = _render_and_sign(
        render, identity, f"Printed copy of {main.definition.title.lower()} {record.id}",
        _chosen_stamper(store, timestamper), report)
    store.audit(actor, "print", record_id=record.id, child_id=record.child_id,
                detail=f"PDF made of {main.definition.key} (content SHA-256 "
                f"{content_sha256(record)[:16]}), signed by {identity.description}, "
                f"{_time_words(proven)}")
    report(100, "Done")
    return signed


# -- case summary -------------------------------------------------------------------------------


def _risk_points(library: FormLibrary, caseload: Caseload, records: list[Record]
                 ) -> list[RiskPoint]:
    checklists = [r for r in records if r.record_type is RecordType.WARNING_SIGNS]
    return [RiskPoint(p.assessed_at, p.score, p.level.value, p.level.label, p.record_id)
            for p in caseload.risk_history(checklists)]


def _bands(library: FormLibrary, records: list[Record]) -> tuple[tuple[int, str], ...]:
    checklist = next((r for r in records if r.record_type is RecordType.WARNING_SIGNS), None)
    try:
        definition = (library.get(checklist.form_id, checklist.form_version) if checklist
                      else library.get(RecordType.WARNING_SIGNS.value))
    except KeyError:
        return ()
    if definition.scoring is None:
        return ()
    return tuple((t.min_score, t.level.value) for t in definition.scoring.thresholds)


def _episode_rows(library: FormLibrary, records: list[Record],
                  now: datetime) -> list[EpisodeRow]:
    episodes = [r for r in records if r.record_type is RecordType.MISSING_EPISODE]
    interviews = [r for r in records if r.record_type is RecordType.RETURN_INTERVIEW]
    rows = []
    for status in episode_statuses(episodes, interviews, now):
        interview = status.interview
        outcome = ""
        answers: dict[str, Any] = {"returned_at": status.episode.data.get("returned_at")}
        if interview is not None:
            answers = {**interview.data, "returned_at": status.episode.data.get("returned_at")}
            value = interview.data.get("outcome")
            if value:
                try:
                    field = library.get(interview.form_id, interview.form_version).field("outcome")
                    outcome = field.option_label(value)
                except KeyError:
                    outcome = str(value)
            if not interview.is_signed:
                outcome = (outcome + " (draft)").strip()
        kind = "Absent" if status.episode.data.get("missing_or_absent") == "absent" else "Missing"
        rows.append(EpisodeRow(
            went_missing_at=status.went_missing_at, returned_at=status.returned_at, kind=kind,
            timeliness=rhi_timeliness(answers),
            offered_at=parse_datetime(answers.get("offered_at")),
            interview_outcome=outcome, record_id=status.episode.id))
    return rows


def _action_rows(library: FormLibrary, records: list[Record], today: date) -> list[ActionRow]:
    by_id = {r.id: r for r in records}
    sources = [r for r in records if r.record_type in (
        RecordType.RETURN_INTERVIEW, RecordType.WARNING_SIGNS, RecordType.CASE_NOTE)]
    rows = []
    for action in actions_of(sources):
        record = by_id[action.record_id]
        rows.append(ActionRow(
            what=action.what, owner=action.owner, due=action.due_date,
            overdue=action.is_overdue(today),
            source=f"{record.record_type.label}, {day(record.created_at.date())}",
            record_id=record.id))
    return rows


def render_case_summary_pdf(store: Store, library: FormLibrary, child_id: str, actor: Actor,
                            identity: SigningIdentity,
                            organisation: dict[str, Any] | None = None,
                            progress: Progress | None = None,
                            timestamper: TimeStamper | str | None = AUTO) -> bytes:
    """A team lead's signed case summary for one child (bytes).  Audited as a view and a
    "print".  ``progress(percent, message)`` is called from the calling thread.

    Raises ``PermissionDenied`` if the actor is not a team lead, ``RecordNotFound`` for an
    unknown child.
    """
    report = progress or no_progress
    if not actor.is_team_lead:
        raise PermissionDenied("Only a team lead can print a case summary.")
    report(2, "Reading the child's records")
    child = store.get(child_id)
    store.record_view(actor, child_id, "case summary PDF")
    records = store.records(child_id=child_id)
    caseload = Caseload(SimpleNamespace(store=store, library=library, actor=actor,
                                        clock=store.clock))
    report(8, "Working out risk, episodes and actions")
    history = _risk_points(library, caseload, records)
    current = None
    assessed_at = None
    risk_record_id = None
    if history:
        latest = history[-1]
        checklist = next(r for r in records if r.id == latest.record_id)
        current = _form_record(library, checklist).risk
        assessed_at, risk_record_id = latest.assessed_at, checklist.id
    now = store.clock.now()
    today = uk_date(now)
    chronology = [
        ChronologyRow(e.occurred_at, e.record_type.label, e.title, e.summary,
                      e.state.value if e.record_type in SIGNABLE_TYPES else "",
                      e.author, e.record_id)
        for e in caseload.chronology(child_id)
    ]
    def render(time_proven: bool) -> bytes:
        document = SummaryDocument(
            child=_child_details(child, child_id),
            child_record=_form_record(library, child),
            current_risk=current,
            risk_assessed_at=assessed_at,
            risk_record_id=risk_record_id,
            risk_history=tuple(history),
            risk_bands=_bands(library, records),
            episodes=tuple(_episode_rows(library, records, now)),
            actions=tuple(_action_rows(library, records, today)),
            chronology=tuple(chronology),
            organisation=_organisation(store, organisation),
            signer=_signer(actor, identity, now, time_proven),
            today=today,
        )
        return render_summary(document, report)

    signed, proven = _render_and_sign(render, identity, f"Case summary printed by {actor.name}",
                                      _chosen_stamper(store, timestamper), report)
    store.audit(actor, "print", record_id=child_id, child_id=child_id,
                detail=f"case summary PDF made ({len(chronology)} chronology entries), "
                f"signed by {identity.description}, {_time_words(proven)}")
    report(100, "Done")
    return signed


# -- verifying, saving, printing ----------------------------------------------------------------


def verify_pdf(data: bytes, trusted_ca_pems: Iterable[bytes] = ()) -> VerificationResult:
    """Check a signed PDF.  ``result.message`` says in plain words what was found."""
    return verify_pdf_bytes(data, trusted_ca_pems)


def trusted_certificates(identity: SigningIdentity | None) -> tuple[bytes, ...]:
    """The certificate authorities to trust: the partnership CA that issued this device's
    certificate (nothing for a local, self-signed identity)."""
    if identity is None or identity.self_signed:
        return ()
    return identity.chain_pem


def suggested_file_name(kind: str, record_id: str) -> str:
    """A file name without personal details, e.g. "case_note-1b2c3d4e.pdf"."""
    return f"{kind}-{short_id(record_id)}.pdf"


def audit_saved(store: Store, actor: Actor, path: str | Path, *, record_id: str | None = None,
                child_id: str | None = None) -> None:
    store.audit(actor, "export", record_id=record_id, child_id=child_id,
                detail=f"PDF saved outside the encrypted store: {path}")


def audit_printed(store: Store, actor: Actor, printer: str, *, record_id: str | None = None,
                  child_id: str | None = None) -> None:
    store.audit(actor, "print", record_id=record_id, child_id=child_id,
                detail=f"PDF sent to printer {printer or '(unnamed)'}")


def audit_verified(store: Store, actor: Actor, file_name: str,
                   result: VerificationResult) -> None:
    store.audit(actor, "verify", detail=f"{Path(file_name).name}: {result.verdict.value}; "
                f"{result.message}")
