"""GET /api/v1/measures on a real cse-server process (SQLite, and PostgreSQL when
CSE_TEST_POSTGRES_URL is set): the same figures as the desktop app, for team leads and
administrators only."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cse_desktop.forms import default_library
from cse_desktop.server import admin
from cse_desktop.services.measures import MeasuresService, Period, to_dict
from cse_desktop.services.session import Session
from cse_desktop.sync import Enrolment
from tests.measures.dataset import TODAY, Built, build
from tests.server.harness import (
    PASSPHRASE,
    Device,
    Service,
    backends,
    enrol_device,
    running_service,
)

Q1 = Period.quarter(2026, 1)


@dataclass
class World:
    service: Service
    built: Built
    worker: Device
    lead: Device
    team_id: str
    other_team_id: str

    @property
    def verify(self) -> ssl.SSLContext | bool:
        if not self.service.https:
            return True
        return ssl.create_default_context(cafile=str(self.service.ca_path))

    def get(self, device: Device, **params: Any) -> httpx.Response:
        enrolment = Enrolment.load(device.store)
        assert enrolment is not None
        return httpx.get(self.service.base_url + "/api/v1/measures", params=params,
                         headers={"Authorization": f"Bearer {enrolment.token}"},
                         verify=self.verify, timeout=30)


def _session(device: Device) -> Session:
    return Session(store=device.store, actor=device.actor, library=default_library(),
                   data_dir=device.data_dir)


@pytest.fixture(scope="module", params=backends())
def world(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("measures-server")
    for service in running_service(root, str(request.param)):
        team = admin.create_team(service.engine, "North")
        other = admin.create_team(service.engine, "South")
        service.user("worker1", "outreach_worker", team="North")
        service.user("lead1", "team_lead", team="North")
        service.user("lead2", "team_lead", team="South")
        service.user("admin1", "admin")
        worker = enrol_device(service, "worker1", root / "worker")
        built = build(_session(worker), PASSPHRASE)
        for child_id in built.children.values():
            admin.assign(service.engine, "worker1", child_id)
        report = worker.sync()
        assert not getattr(report, "errors", None), report
        lead = enrol_device(service, "lead1", root / "lead")
        lead.sync()
        try:
            yield World(service, built, worker, lead, team, other)
        finally:
            worker.close()
            lead.close()


def _answer(world: World, device: Device, **params: Any) -> dict[str, Any]:
    response = world.get(device, start="2026-01-01", end="2026-04-01",
                         today=TODAY.isoformat(), **params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _same(client: dict[str, Any], server: dict[str, Any]) -> None:
    for key in ("figures", "risk_by_month", "referrals", "children_in_scope"):
        assert server[key] == client[key], key
    assert server["period"]["start"] == client["period"]["start"]
    assert server["period"]["end"] == client["period"]["end"]


def test_lead_gets_the_same_figures_as_the_app(world: World) -> None:
    server = _answer(world, world.lead)
    # The lead's device pulled the team's records: its own measures must agree.
    client = to_dict(MeasuresService(_session(world.lead)).compute(Q1, today=TODAY))
    _same(client, server)
    offered = server["figures"][0]
    assert (offered["key"], offered["count"], offered["base"], offered["percent"]) == (
        "rhi_offered_in_time", 4, 12, 33.3)
    assert offered["child_ids"] == list(world.built.ids("ABCD"))


def test_hand_computed_figures_through_the_service(world: World) -> None:
    server = _answer(world, world.lead, team_id=world.team_id)
    figures = {f["key"]: (f["count"], f["base"]) for f in server["figures"]}
    assert figures == {
        "rhi_offered_in_time": (4, 12), "rhi_completed_in_time": (1, 12),
        "rhi_declined": (2, 5), "rhi_declined_by_child": (1, 5),
        "rhi_declined_by_parent": (1, 5), "repeat_missing": (1, None),
        "overdue_actions": (2, None)}
    march = {f["key"]: f["count"] for f in server["risk_by_month"][2]["levels"]}
    assert march == {"risk_high": 1, "risk_medium": 1, "risk_low": 1, "risk_no_apparent": 0,
                     "risk_not_assessed": 3}
    referrals = {f["key"]: f["count"] for f in server["referrals"]}
    assert (referrals["referral_mash"], referrals["referral_police"],
            referrals["referral_none"], referrals["referral_sarc_isva"]) == (2, 2, 2, 0)


def test_admin_sees_the_partnership_and_any_team(world: World, tmp_path: Path) -> None:
    admin_device = enrol_device(world.service, "admin1", tmp_path / "admin")
    try:
        whole = _answer(world, admin_device)
        north = _answer(world, admin_device, team_id=world.team_id)
        south = _answer(world, admin_device, team_id=world.other_team_id)
    finally:
        admin_device.close()
    assert whole["figures"] == north["figures"]
    assert whole["scope"] == "Whole partnership"
    assert south["children_in_scope"] == 0
    assert all(f["count"] == 0 for f in south["figures"])


def test_other_periods_match_the_app(world: World) -> None:
    session = _session(world.lead)
    for period, start, end in ((Period.month(2026, 1), "2026-01-01", "2026-02-01"),
                               (Period.month(2026, 4), "2026-04-01", "2026-05-01")):
        response = world.get(world.lead, start=start, end=end, today=TODAY.isoformat())
        assert response.status_code == 200, response.text
        client = to_dict(MeasuresService(session).compute(period, today=TODAY))
        _same(client, response.json())


def test_outreach_worker_is_refused(world: World) -> None:
    response = world.get(world.worker, start="2026-01-01", end="2026-04-01")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_lead_cannot_ask_for_another_team(world: World) -> None:
    response = world.get(world.lead, start="2026-01-01", end="2026-04-01",
                         team_id=world.other_team_id)
    assert response.status_code == 403


def test_bad_periods_are_refused_plainly(world: World) -> None:
    for start, end in (("2026-04-01", "2026-01-01"), ("yesterday", "2026-01-01"),
                       ("2026-01-01T00:00:00", "2026-02-01")):
        response = world.get(world.lead, start=start, end=end)
        assert response.status_code == 400, (start, end)
        assert response.json()["code"] == "invalid_period"


def test_no_token_is_401(world: World) -> None:
    response = httpx.get(world.service.base_url + "/api/v1/measures",
                         params={"start": "2026-01-01", "end": "2026-04-01"},
                         verify=world.verify)
    assert response.status_code == 401
