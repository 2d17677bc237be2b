"""What the store indexes for each record: its time, a one-line title, search text, risk level.

Worked out from the form definition the record was captured with, so lists, search and
measures never need to parse every record's answers.
"""

from __future__ import annotations

from typing import Any

from ..forms import FormLibrary, parse_datetime, score_checklist
from ..records import Record, RecordType, child_display_name, to_iso
from ..store import RecordIndex
from ..store.store import Indexer

__all__ = ["TEXT_TYPES", "child_display_name", "make_indexer"]

TEXT_TYPES = frozenset({"text", "long_text"})


def _text_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    if isinstance(value, list):
        words: list[str] = []
        for item in value:
            words.extend(_text_of(item))
        return words
    return []


def make_indexer(library: FormLibrary) -> Indexer:
    def index(record: Record) -> RecordIndex:
        try:
            definition = library.get(record.form_id, record.form_version)
        except KeyError:
            found = [w for v in record.data.values() for w in _text_of(v)]
            return RecordIndex(to_iso(record.created_at), record.record_type.label, " ".join(found))
        occurred = None
        if definition.occurred_at_field:
            raw = record.data.get(definition.occurred_at_field)
            moment = parse_datetime(raw) if isinstance(raw, str) else None
            if moment is None and isinstance(raw, str) and len(raw) == 10:
                occurred = raw + "T00:00:00+00:00"
            elif moment is not None:
                occurred = to_iso(moment)
        words: list[str] = []
        for field in definition.fields():
            if field.type in TEXT_TYPES or field.type in ("indicator", "list"):
                words.extend(_text_of(record.data.get(field.id)))
        risk_level = None
        if record.record_type is RecordType.CHILD:
            title = child_display_name(record.data)
            words.append(title)
        elif record.record_type is RecordType.WARNING_SIGNS:
            result = score_checklist(definition, record.data)
            risk_level = result.shown_level.value if result.shown_level else None
            title = f"{definition.title}: {result.headline} (score {result.score})"
        else:
            title = definition.title
        return RecordIndex(occurred or to_iso(record.created_at), title, " ".join(words),
                           risk_level)

    return index
