"""The performance measures over the records on this device.

The measures themselves (definitions, computation, CSV and JSON) are in
:mod:`cse_desktop.domain.measures`, shared with the PDFs and the central service; they are
re-exported here for the UI.  ``MeasuresService`` reads the local store.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime, time
from pathlib import Path

from ..domain.measures import (  # noqa: F401  (re-exported for the UI)
    ACTION_TYPES,
    CSV_HEADER,
    DECLINED,
    LEVELS,
    NOT_ASSESSED,
    REPEAT_THRESHOLD,
    Figure,
    Measures,
    MonthRisk,
    compute_measures,
    figure_to_dict,
    is_missing,
    referral_options,
    to_csv,
    to_dict,
)
from ..domain.periods import (  # noqa: F401  (re-exported for the UI)
    Period,
    month_ends,
    next_month,
    repeat_window_start,
)
from ..records import Record, RecordType
from .errors import PermissionDenied
from .organisation import printed_organisation
from .session import Session

# -- the local store --------------------------------------------------------------------------

_TYPES = (RecordType.CHILD, RecordType.MISSING_EPISODE, RecordType.RETURN_INTERVIEW,
          RecordType.WARNING_SIGNS, RecordType.CASE_NOTE)


class MeasuresService:
    """Measures over the records on this device (a team lead's device holds their team)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store
        self.library = session.library

    def _records(self) -> list[Record]:
        records: list[Record] = []
        for record_type in _TYPES:
            records.extend(self.store.records(record_type=record_type, newest_first=False))
        return records

    def workers(self) -> list[str]:
        """The allocated workers named on the children here, for the team filter."""
        names = {str(c.data.get("allocated_worker") or "").strip()
                 for c in self.store.records(record_type=RecordType.CHILD)}
        return sorted((n for n in names if n), key=str.casefold)

    def compute(self, period: Period, workers: Collection[str] | None = None,
                today: date | None = None) -> Measures:
        """The measures for the period, for the children of ``workers`` (all if None).
        Looking is audited."""
        measures = self._compute(period, workers, today)
        self.store.audit(self.session.actor, "measures",
                         detail=f"performance measures viewed: {period.label or period.start}")
        return measures

    def _compute(self, period: Period, workers: Collection[str] | None,
                 today: date | None) -> Measures:
        records = self._records()
        children = None
        scope = "All children on this device"
        if workers is not None:
            chosen = {w.strip() for w in workers}
            children = {r.id for r in records if r.record_type is RecordType.CHILD
                        and str(r.data.get("allocated_worker") or "").strip() in chosen}
            scope = "Children allocated to " + ", ".join(sorted(chosen, key=str.casefold))
        return compute_measures(records, self.library, period, children=children,
                                today=today or self.session.clock.today(), scope=scope)

    def board_report(self, period: Period, workers: Collection[str] | None = None,
                     today: date | None = None,
                     progress: Callable[[int, str], None] | None = None) -> bytes:
        """The signed quarterly report for the partnership board (figures only, no names).

        Team leads only.  Audited as a print.  ``progress(percent, message)`` is called from
        the calling thread.
        """
        from ..pdf.measures_report import BoardReport, render_board_report
        from ..pdf.model import SignerInfo, no_progress
        from ..pdf.signing import sign_pdf

        report = progress or no_progress
        actor = self.session.actor
        if not actor.is_team_lead:
            raise PermissionDenied("Only a team lead can print the board report.")
        report(2, "Counting the measures")
        measures = self.compute(period, workers, today)
        months = []
        for month, _as_at in month_ends(period.start, period.end):
            part = Period(max(period.start, datetime.combine(month, time(0), period.start.tzinfo)),
                          min(period.end, datetime.combine(next_month(month), time(0),
                                                           period.start.tzinfo)))
            months.append((f"{month:%B %Y}", self._compute(part, workers, today)))
        identity = self.session.signing_identity()
        document = BoardReport(
            measures=measures, months=tuple(months),
            organisation=printed_organisation(self.session.organisation),
            signer=SignerInfo(actor.name, actor.role.label, self.session.clock.now(),
                              identity.description,
                              identity.self_signed))
        report(15, "Laying out the report")
        unsigned = render_board_report(document, report)
        report(90, "Signing the PDF")
        signed = sign_pdf(unsigned, identity, reason=f"Board report printed by {actor.name}")
        self.store.audit(actor, "print", detail=f"board report PDF made for {period.label}, "
                         f"signed by {identity.description}")
        report(100, "Done")
        return signed

    def audit_export(self, path: str | Path, measures: Measures) -> None:
        """Write down that the measures were saved as a file outside the encrypted store."""
        self.store.audit(self.session.actor, "export",
                         detail=f"performance measures CSV ({measures.period.label}) saved "
                         f"outside the encrypted store: {path}")

    def child_names(self, child_ids: Iterable[str]) -> dict[str, str]:
        """Names for a drill-down list (only children held on this device)."""
        from .indexing import child_display_name

        names = {}
        for child_id in child_ids:
            child = self.store.find(child_id)
            if child is not None and not child.deleted:
                names[child_id] = child_display_name(child.data)
        return names
