"""Forged names and claimed ids: the service takes the author and the signer from the login,
refuses a child id already in someone else's caseload, and audits every refusal (in its own
transaction, so the refused request's rollback does not remove it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import RecordType, new_id
from cse_desktop.server import admin
from tests.server.harness import backends, child_data, enrol_device, running_service
from tests.server.hostile import change, get, pull_all, push, token_of, wire


@pytest.fixture(scope="module", params=backends())
def town(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("forgery")
    for svc in running_service(tmp, str(request.param), https=False):
        admin.create_team(svc.engine, "Riverside")
        admin.create_team(svc.engine, "Hilltop")
        svc.user("honest", "outreach_worker", "Riverside", name="Hana Honest")
        svc.user("mallory", "outreach_worker", "Hilltop", name="Mallory Forger")
        svc.user("rlead", "team_lead", "Riverside", name="Rita Lead")
        devices = {n: enrol_device(svc, n, tmp / n) for n in ("honest", "mallory", "rlead")}
        child = devices["honest"].child("Test Child Sierra")
        assert devices["honest"].sync().pushed == 1
        yield {"svc": svc, "child": child.id, **devices}
        for d in devices.values():
            d.close()


def _push(town: dict[str, Any], who: str, record: dict[str, Any],
          base: int = 0) -> dict[str, Any]:
    response = push(town["svc"], token_of(town[who]), [change(record, base)])
    assert response.status_code == 200, response.text
    return dict(response.json()["results"][0])


def _audited(town: dict[str, Any], action: str, record_id: str) -> int:
    return int(town["svc"].scalar("SELECT count(*) FROM audit_log WHERE action = :a AND "
                                  "record_id = :r", a=action, r=record_id))


def test_forged_author_is_refused(town: dict[str, Any]) -> None:
    record = wire(town["honest"], RecordType.CASE_NOTE, {"summary": "Mine."}, town["child"])
    record["author"] = "Rita Lead"
    result = _push(town, "honest", record)
    assert (result["status"], result["code"], result["field"]) == (
        "rejected", "invalid_record", "author"), result
    assert "Hana Honest" in result["reason"]
    assert _audited(town, "push_rejected", record["id"]) == 1
    assert town["svc"].scalar("SELECT count(*) FROM records WHERE id = :i", i=record["id"]) == 0


def test_author_cannot_be_changed_by_an_edit(town: dict[str, Any]) -> None:
    record = wire(town["honest"], RecordType.CASE_NOTE, {"summary": "First."}, town["child"])
    assert _push(town, "honest", record)["status"] == "accepted"
    # The team lead edits the worker's draft: the author stays the worker ...
    edited = {**record, "data": {"summary": "Edited by the lead."}, "revision": 2}
    assert _push(town, "rlead", edited, base=1)["status"] == "accepted"
    # ... and may not be rewritten to the lead.
    forged = {**edited, "author": "Rita Lead", "revision": 3}
    result = _push(town, "rlead", forged, base=2)
    assert (result["status"], result["field"]) == ("rejected", "author"), result


def test_forged_signer_is_refused(town: dict[str, Any]) -> None:
    record = wire(town["honest"], RecordType.CASE_NOTE, {"summary": "Signed note."},
                  town["child"])
    record["state"] = "signed"
    record["signature"] = {"signed_by": "Rita Lead", "signer_role": "Team lead",
                           "signed_at": SYSTEM_CLOCK.now().isoformat(), "image_png": None}
    result = _push(town, "honest", record)
    assert (result["status"], result["field"]) == ("rejected", "signature.signed_by"), result
    # Signed by the right person, it is accepted -- and then immutable.
    record["signature"]["signed_by"] = "Hana Honest"
    assert _push(town, "honest", record)["status"] == "accepted"


def test_lead_cannot_sign_as_the_worker(town: dict[str, Any]) -> None:
    record = wire(town["honest"], RecordType.CASE_NOTE, {"summary": "Draft."}, town["child"])
    assert _push(town, "honest", record)["status"] == "accepted"
    signed = {**record, "state": "signed", "revision": 2,
              "signature": {"signed_by": "Hana Honest", "signer_role": "Outreach worker",
                            "signed_at": SYSTEM_CLOCK.now().isoformat(), "image_png": None}}
    result = _push(town, "rlead", signed, base=1)
    assert (result["status"], result["field"]) == ("rejected", "signature.signed_by"), result
    assert get(town["svc"], token_of(town["honest"]),
               f"/records/{record['id']}").json()["state"] == "draft"


def test_claiming_a_child_assigned_to_someone_else_is_refused(town: dict[str, Any]) -> None:
    svc = town["svc"]
    # A child assigned to the honest worker before any record of it reached the service.
    planned = new_id()
    admin.assign(svc.engine, "honest", planned)
    claim = wire(town["mallory"], RecordType.CHILD, child_data("Test Child Tango"),
                 record_id=planned)
    response = push(svc, token_of(town["mallory"]), [change(claim)])
    assert response.status_code == 403 and response.json()["code"] == "forbidden", response.text
    assert svc.scalar("SELECT count(*) FROM assignments WHERE child_id = :c", c=planned) == 1
    assert svc.scalar("SELECT count(*) FROM records WHERE id = :c", c=planned) == 0
    # Audited although the request was rolled back.
    assert _audited(town, "push_refused", planned) == 1
    # The honest worker's later note stays out of the claimant's reach.
    genuine = wire(town["honest"], RecordType.CHILD, child_data("Test Child Tango"),
                   record_id=planned)
    assert _push(town, "honest", genuine)["status"] == "accepted"
    note = wire(town["honest"], RecordType.CASE_NOTE, {"summary": "Private."}, planned)
    assert _push(town, "honest", note)["status"] == "accepted"
    assert note["id"] not in {r["id"] for r in pull_all(svc, token_of(town["mallory"]))}
    assert get(svc, token_of(town["mallory"]), f"/records/{note['id']}").status_code == 403


def test_a_new_child_joins_only_its_creators_caseload(town: dict[str, Any]) -> None:
    svc = town["svc"]
    fresh = wire(town["mallory"], RecordType.CHILD, child_data("Test Child Uniform"))
    assert _push(town, "mallory", fresh)["status"] == "accepted"
    owners = svc.scalar("SELECT count(*) FROM assignments WHERE child_id = :c", c=fresh["id"])
    assert owners == 1
    # Pushing the same child again (a retry with a new change id) assigns nobody else.
    again = _push(town, "mallory", {**fresh, "revision": 2}, base=1)
    assert again["status"] == "accepted"
    assert svc.scalar("SELECT count(*) FROM assignments WHERE child_id = :c",
                      c=fresh["id"]) == 1


def test_forbidden_push_is_audited(town: dict[str, Any]) -> None:
    planted = wire(town["mallory"], RecordType.CASE_NOTE, {"summary": "Planted."},
                   town["child"])
    response = push(town["svc"], token_of(town["mallory"]), [change(planted)])
    assert response.status_code == 403
    assert _audited(town, "push_refused", planted["id"]) == 1


def test_measures_refusal_is_audited(town: dict[str, Any]) -> None:
    svc = town["svc"]
    response = get(svc, token_of(town["mallory"]), "/measures", start="2026-01-01",
                   end="2026-02-01")
    assert response.status_code == 403
    assert svc.scalar("SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.user_id "
                      "WHERE u.username = 'mallory' AND a.action = 'measures_refused'") == 1


def test_api_docs_are_off_by_default(town: dict[str, Any]) -> None:
    base = town["svc"].base_url
    for path in ("/docs", "/openapi.json", "/redoc"):
        assert httpx.get(base + path, timeout=30).status_code == 404, path
