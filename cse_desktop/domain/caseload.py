"""Caseload rules shared by the app and the central service: the 72-hour return home
interview clock of each missing episode, and the open actions on records.

Plain Python: no Qt, no store, no server libraries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ..forms import parse_datetime, rhi_deadline
from ..records import Record, RecordType


class RhiState(StrEnum):
    NONE = "none"  # nothing outstanding
    DUE = "due"  # a child has returned and an interview is still to be offered, in time
    OVERDUE = "overdue"  # the 72 hours have passed with no interview offered

    @property
    def label(self) -> str:
        return {"none": "", "due": "RHI due", "overdue": "RHI overdue"}[self.value]


@dataclass(frozen=True)
class EpisodeStatus:
    episode: Record
    went_missing_at: datetime | None
    returned_at: datetime | None
    deadline: datetime | None
    interview: Record | None
    offered_in_time: bool | None
    completed_in_time: bool | None
    state: RhiState


@dataclass(frozen=True)
class OpenAction:
    record_id: str
    record_type: RecordType
    what: str
    owner: str
    due_date: date | None

    def is_overdue(self, today: date) -> bool:
        return self.due_date is not None and self.due_date < today


def parse_day(value: Any) -> date | None:
    """The date at the start of an ISO text ("2026-03-01" or a date and time); None if none."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def episode_statuses(episodes: Iterable[Record], interviews: Iterable[Record],
                     now: datetime) -> list[EpisodeStatus]:
    by_episode: dict[str, Record] = {}
    for candidate in interviews:
        episode_id = candidate.data.get("episode_id")
        if isinstance(episode_id, str):
            known = by_episode.get(episode_id)
            if known is None or (candidate.is_signed and not known.is_signed):
                by_episode[episode_id] = candidate
    result = []
    for episode in episodes:
        returned = parse_datetime(episode.data.get("returned_at"))
        # An interview is owed after a missing episode; an absence (whereabouts known) is
        # recorded but starts no 72-hour clock.
        owed = episode.data.get("missing_or_absent") != "absent"
        deadline = rhi_deadline(returned) if (returned and owed) else None
        interview = by_episode.get(episode.id)
        offered = parse_datetime(interview.data.get("offered_at")) if interview else None
        completed = parse_datetime(interview.data.get("completed_at")) if interview else None
        offered_in_time = (offered <= deadline) if (offered and deadline) else None
        completed_in_time = None
        if interview is not None and deadline is not None:
            completed_in_time = bool(interview.data.get("outcome") == "completed"
                                     and completed is not None and completed <= deadline)
        if deadline is None or offered is not None:
            state = RhiState.NONE
        else:
            state = RhiState.DUE if now <= deadline else RhiState.OVERDUE
        result.append(EpisodeStatus(
            episode, parse_datetime(episode.data.get("went_missing_at")), returned, deadline,
            interview, offered_in_time, completed_in_time, state))
    result.sort(key=lambda s: s.went_missing_at or s.episode.created_at, reverse=True)
    return result


def actions_of(records: Iterable[Record]) -> list[OpenAction]:
    actions = []
    for record in records:
        items = record.data.get("actions")
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict) or item.get("done") == "yes":
                continue
            actions.append(OpenAction(record.id, record.record_type, str(item.get("what") or ""),
                                      str(item.get("owner") or ""),
                                      parse_day(item.get("due_date"))))
    actions.sort(key=lambda a: (a.due_date is None, a.due_date or date.max))
    return actions
