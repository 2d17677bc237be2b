"""Describing linked records (the child, the missing episode) in words for the form."""

from __future__ import annotations

from datetime import datetime

from cse_desktop.forms import Field, parse_datetime
from cse_desktop.records import Record, RecordType
from cse_desktop.services.casework import Casework
from cse_desktop.services.indexing import child_display_name

from .field_widgets import RefDescriber
from .timefmt import day_and_time

NOT_ON_DEVICE = "A record that is not on this device"


def describe_record(record: Record | None, now: datetime) -> str:
    """The record in a few words; ``now`` decides whether dates need their year."""
    if record is None:
        return NOT_ON_DEVICE
    if record.record_type is RecordType.CHILD:
        return child_display_name(record.data)
    if record.record_type is RecordType.MISSING_EPISODE:
        went = parse_datetime(record.data.get("went_missing_at"))
        back = parse_datetime(record.data.get("returned_at"))
        kind = "Absent" if record.data.get("missing_or_absent") == "absent" else "Missing"
        text = f"{kind} from {day_and_time(went, now=now)}" if went else f"{kind} episode"
        if back is None:
            return f"{text}, not yet returned"
        return f"{text}, returned {day_and_time(back, now=now)}"
    return record.record_type.label


def reference_describer(casework: Casework) -> RefDescriber:
    """Looks linked records up on this device (without counting as viewing them)."""

    def describe(_field: Field, record_id: str) -> str:
        return describe_record(casework.find(record_id), casework.session.clock.now())

    return describe


def child_name(casework: Casework, record: Record) -> str:
    if record.record_type is RecordType.CHILD:
        return child_display_name(record.data)
    if record.child_id:
        child = casework.find(record.child_id)
        if child is not None:
            return child_display_name(child.data)
    return "unknown child"
