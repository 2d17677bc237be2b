"""The central service's SQL and the app's Python give the same figures on a larger random
synthetic data set (every record type, drafts and signed, absences, odd times and zones).

SQLite always; PostgreSQL too when CSE_TEST_POSTGRES_URL is set.  ``-m slow`` runs a
5,000-child set (about 81,000 records) as well."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from cse_desktop.forms import default_library
from cse_desktop.records import Record, Role
from cse_desktop.server import measures as server_measures
from cse_desktop.server.config import sqlite_url
from cse_desktop.server.db import make_engine
from cse_desktop.server.identity import Caller
from cse_desktop.server.migrate import upgrade
from cse_desktop.server.models import records
from cse_desktop.services.measures import Period, compute_measures, to_dict
from tests.server.harness import PostgresSchema, backends

ADMIN = Caller("admin", "Admin", Role.ADMIN, None, "device", "device")
ZONES = ("+00:00", "+01:00", "Z", "-05:00")


def _when(moment: datetime, rng: random.Random) -> str:
    zone = rng.choice(ZONES)
    if zone == "Z":
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    wall = (moment.astimezone(UTC) + timedelta(hours=int(zone[:3]))).replace(tzinfo=None)
    return wall.isoformat(timespec=rng.choice(["minutes", "seconds", "microseconds"])) + zone


def synthetic(children: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    indicators = [f.id for f in default_library().get("warning_signs").indicator_fields()]
    start = datetime(2025, 10, 1, tzinfo=UTC)
    out: list[dict[str, Any]] = []

    def record(kind: str, child: str, data: dict[str, Any], state: str = "draft",
               record_id: str | None = None) -> dict[str, Any]:
        made = start + timedelta(minutes=rng.randint(0, 400_000))
        wire = {"id": record_id or str(uuid.uuid4()), "record_type": kind, "form_id": kind,
                "form_version": 1, "child_id": child, "data": {"child_id": child, **data},
                "author": "Synthetic", "device_id": "device", "created_at": made.isoformat(),
                "updated_at": made.isoformat(), "revision": 1, "state": state,
                "signature": None, "amends_id": None, "deleted": False}
        out.append(wire)
        return wire

    for _ in range(children):
        child = str(uuid.uuid4())
        record("child", child, {"first_name": "Synthetic"}, record_id=child)
        for _ in range(rng.randint(0, 5)):
            went = start + timedelta(minutes=rng.randint(0, 270 * 24 * 60))
            back = went + timedelta(minutes=rng.randint(30, 4000))
            episode = record("missing_episode", child, {
                "missing_or_absent": rng.choice(["missing"] * 4 + ["absent"]),
                "went_missing_at": _when(went, rng),
                **({"returned_at": _when(back, rng)} if rng.random() < 0.9 else {})})
            for _ in range(rng.choice([0, 1, 1, 1, 2])):
                offered = back + timedelta(minutes=rng.choice(
                    [72 * 60, 72 * 60 + 1, rng.randint(10, 200 * 60)]))
                data: dict[str, Any] = {
                    "episode_id": episode["id"], "returned_at": _when(back, rng),
                    "outcome": rng.choice(["completed", "declined_by_child",
                                           "declined_by_parent_carer", "child_not_found", ""]),
                    "referrals": rng.sample(["mash", "police", "health", "nrm", "none"],
                                            rng.randint(0, 3)),
                    "actions": [{"what": "Synthetic", "owner": "Someone",
                                 "due_date": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                                 **({"done": "yes"} if rng.random() < 0.3 else {})}]}
                if rng.random() < 0.9:
                    data["offered_at"] = _when(offered, rng)
                if rng.random() < 0.7:
                    data["completed_at"] = _when(offered + timedelta(minutes=rng.choice(
                        [0, 60, 3000])), rng)
                record("return_interview", child, data,
                       state=rng.choice(["signed", "signed", "draft"]))
        for _ in range(rng.randint(0, 3)):
            record("warning_signs", child, {
                "assessed_at": _when(start + timedelta(minutes=rng.randint(0, 250 * 24 * 60)),
                                     rng),
                **{i: {"answer": rng.choice(["yes", "no", "no", "no", "not_known"])}
                   for i in indicators}}, state=rng.choice(["signed", "signed", "draft"]))
        for _ in range(rng.randint(0, 3)):
            record("case_note", child, {"summary": "Synthetic", "actions": [
                {"what": "Synthetic", "owner": "Someone", "due_date": "2026-04-09"},
                {"what": "Synthetic", "owner": "Someone"}]})
    return out


def load(engine: Engine, wires: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for first in range(0, len(wires), 2000):
            conn.execute(insert(records), [
                {"id": w["id"], "record_type": w["record_type"], "child_id": w["child_id"],
                 "state": w["state"], "revision": 1, "deleted": False, "sensitive": False,
                 "created_by": "user", "seq": first + n + 1, "payload": json.dumps(w),
                 "stored_at": now} for n, w in enumerate(wires[first:first + 2000])])


@pytest.fixture(params=backends())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    schema = PostgresSchema() if request.param == "postgres" else None
    made = make_engine(schema.url if schema else sqlite_url(tmp_path))
    upgrade(made)
    try:
        yield made
    finally:
        made.dispose()
        if schema:
            schema.drop()


def _compare(engine: Engine, children: int) -> None:
    wires = synthetic(children)
    load(engine, wires)
    library = default_library()
    local = [Record.from_wire(w) for w in wires]
    today = date(2026, 4, 10)
    for period in (Period.quarter(2026, 1), Period.month(2026, 3),
                   Period.days(date(2025, 11, 15), date(2026, 2, 20))):
        expected = to_dict(compute_measures(local, library, period, today=today))
        got = to_dict(server_measures.compute(engine, ADMIN, period, today=today))
        for key in ("figures", "risk_by_month", "referrals", "children_in_scope"):
            assert got[key] == expected[key], (period.label, key)


def test_sql_and_python_agree(engine: Engine) -> None:
    _compare(engine, 300)


@pytest.mark.slow
def test_sql_and_python_agree_at_scale(engine: Engine) -> None:
    _compare(engine, 5000)
