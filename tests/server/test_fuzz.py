"""Schemathesis fuzzes every operation of the OpenAPI spec against a real server process:
no 5xx, and anything refused gets a 4xx with a plain message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from cse_desktop.server.api import openapi_document
from tests.server.harness import Service, backends, enrol_device, running_service

pytestmark = pytest.mark.slow

# The spec does not depend on the database: load it once; requests go to the real process.
schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend_name(request: pytest.FixtureRequest) -> str:
    if request.param not in backends():
        pytest.skip("CSE_TEST_POSTGRES_URL is not set")
    return str(request.param)


@pytest.fixture(scope="module")
def fuzz_service(backend_name: str,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    # The API documentation is off by default; this service serves it for the spec test.
    for service in running_service(tmp, backend_name, https=False,
                                   env={"CSE_SERVER_API_DOCS": "1"}):
        service.user("fuzzer", "admin")
        device = enrol_device(service, "fuzzer", tmp / "device")
        token = device.store.get_meta("enrolment")["token"]
        device.child("Test Child Hotel")
        device.sync()
        yield {"service": service, "token": token}
        device.close()


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any, fuzz_service: dict[str, Any]) -> None:
    service: Service = fuzz_service["service"]
    for headers in ({"Authorization": f"Bearer {fuzz_service['token']}"}, {}):
        response = case.call(base_url=service.base_url, headers=headers)
        assert response.status_code < 500, (response.status_code, response.text)
        if 400 <= response.status_code < 500:
            body = response.json()
            assert isinstance(body.get("detail"), str) and body["detail"], body
            assert body.get("code"), body


def test_served_spec_documents_every_endpoint(fuzz_service: dict[str, Any]) -> None:
    service: Service = fuzz_service["service"]
    served = httpx.get(service.base_url + "/openapi.json").json()
    assert served == openapi_document()
    assert set(served["paths"]) >= {
        "/api/v1/enrol", "/api/v1/me", "/api/v1/sync/push", "/api/v1/sync/pull",
        "/api/v1/records/{record_id}", "/api/v1/health"}
