"""Bad input never gets a 500 (issue 17, point 6): the hostile requests found by fuzzing the district, each
answered with a clear 4xx, and unauthenticated endpoints rate-limited per source address.

Requests are signed as an enrolled kiosk where the API wants it, so that what is tested is the input handling,
not the authentication in front of it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import warnings

import pytest

from district.settings import DistrictSettings
from tests.sync.signed_client import SignedKiosk

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

DOC = "330102199003071234"


@pytest.fixture
def app(tmp_path):
    from district.app import create_app

    app = create_app(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", demo=True,
                                      public_rate_per_s=0.01, public_rate_burst=5))
    yield app
    app.state.engine.dispose()


Kiosk = SignedKiosk


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def assert_clear_refusal(response, status: int = 422) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:300])
    doc = response.json()  # the refusal itself is strict JSON, whatever the input was
    assert doc["detail"]
    return doc


@pytest.mark.parametrize("date", ["2026-02-30", "0000-00-00", "2026-13-01", "2025-02-29"])
def test_impossible_dates_that_match_the_pattern_are_422(app, tmp_path, date):
    k = Kiosk(app, tmp_path)
    assert_clear_refusal(k.send("GET", f"/api/v1/citizen/appointments/slots?service=s&date={date}"))
    assert_clear_refusal(k.post("/api/v1/citizen/appointments", {
        "service": "s", "document_number": DOC, "date": date, "period": "am"}))
    assert k.send("GET", "/api/v1/citizen/appointments/slots?service=s&date=2028-02-29").status_code == 200


@pytest.mark.parametrize("issued_on", ["20261399", "00000000", "20260230"])
def test_an_impossible_issue_date_on_document_signing_is_422(app, tmp_path, issued_on):
    k = Kiosk(app, tmp_path)
    serial = f"TS-{dt.date.today():%Y%m%d}-HOSTILE-0001"
    content = {"serial": serial, "issued_on": dt.date.today().isoformat(), "kiosk_id": k.name, "kind": "test",
               "title_zh": "测试证明"}
    body = {"version": "1", "serial": serial, "item": "si-contribution-record", "issued_on": issued_on,
            "document_number": DOC, "content": content}
    assert "issued_on" in str(assert_clear_refusal(k.post("/api/v1/documents/sign", body))["detail"])
    body["issued_on"] = dt.date.today().strftime("%Y%m%d")
    assert k.post("/api/v1/documents/sign", body).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/documents/sign", "/api/v1/citizen/requests", "/api/v1/heartbeat",
                                  "/api/v1/holders/digest",
                                  "/api/v1/transactions/batch", "/api/v1/enroll", "/api/v1/citizen/applications"])
@pytest.mark.parametrize("body", [nested(10_000), b'{"a":' * 10_000 + b"1" + b"}" * 10_000, b"[" * 10_000],
                         ids=["arrays", "objects", "unclosed"])
def test_json_nested_ten_thousand_deep_is_422_before_parsing(app, tmp_path, path, body):
    k = Kiosk(app, tmp_path)
    assert "nested deeper" in assert_clear_refusal(k.send("POST", path, body))["detail"]


def test_a_heartbeat_whose_devices_nest_900_deep_is_422_and_stores_nothing(app, tmp_path):
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from district.models import HeartbeatRow

    k = Kiosk(app, tmp_path)
    body = b'{"backlog": 0, "devices": ' + b'{"d":' * 900 + b"{}" + b"}" * 900 + b"}"
    assert_clear_refusal(k.send("POST", "/api/v1/heartbeat", body))
    with Session(app.state.engine) as s:
        assert s.scalar(select(func.count()).select_from(HeartbeatRow)) == 0
    ok = b'{"backlog": 0, "devices": {"printer": {"state": "ready", "detail": {"paper": "ok"}}}}'
    assert k.send("POST", "/api/v1/heartbeat", ok).status_code == 200


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_fields_are_422_with_a_strict_json_answer(app, tmp_path, value):
    k = Kiosk(app, tmp_path)
    for path, body in [("/api/v1/heartbeat", f'{{"backlog": {value}}}'),
                       ("/api/v1/heartbeat", f'{{"oldest_pending_age_s": {value}}}'),
                       ("/api/v1/citizen/social-insurance/record", f'{{"document_number": "{DOC}", "months": '
                                                                   f'{value}}}'),
                       ("/api/v1/documents/sign", f'{{"version": {value}}}')]:
        assert "finite" in assert_clear_refusal(k.send("POST", path, body.encode()))["detail"]
    # inside a string it is just text
    assert k.send("POST", "/api/v1/heartbeat", b'{"last_error": "NaN Infinity"}').status_code == 200


def test_validation_errors_are_rendered_without_their_input():
    """Whatever a validator saw (a NaN, an ID number) is not echoed: the 422 answer is always strict JSON."""
    import asyncio

    from fastapi.exceptions import RequestValidationError

    from district.api_errors import _validation_error

    exc = RequestValidationError([{"type": "float_type", "loc": ("body", "x"), "msg": "bad", "input": math.nan,
                                   "ctx": {"error": ValueError("x")}},
                                  {"type": "string_too_long", "loc": ("body", "document_number"), "msg": "long",
                                   "input": DOC}])
    response = asyncio.run(_validation_error(None, exc))
    assert response.status_code == 422
    text = response.body.decode()
    assert DOC not in text and "NaN" not in text
    assert json.loads(text)["detail"][0]["loc"] == ["body", "x"]


@pytest.mark.parametrize("timestamp", ["nan", "NaN", "inf", "-inf", "1e9", "+1700000000", " 1700000000", "",
                                       "1700000000.5.5", "99999999999999999999"])
def test_non_finite_or_malformed_request_timestamps_are_401(app, tmp_path, timestamp):
    k = Kiosk(app, tmp_path)
    for path in ("/api/v1/heartbeat", "/api/v1/help-requests", "/api/v1/transactions/batch"):
        body = b'{"items": []}' if path.endswith("batch") else b"{}"
        response = k.send("POST", path, body, timestamp=timestamp)
        assert response.status_code == 401, (path, response.status_code, response.text)
    response = k.send("GET", "/api/v1/catalog/metadata/timestamp.json", timestamp=timestamp)
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/enroll", "/api/v1/health", "/api/v1/documents/key",
                                  "/api/v1/documents/keys", "/verify"])
def test_unauthenticated_endpoints_are_rate_limited_per_source_address(app, path):
    method = "POST" if path.endswith("enroll") else "GET"
    body = {"kiosk_id": "NOPE", "public_key": "00" * 32, "token": "guess"} if method == "POST" else None
    noisy = TestClient(app, client=("203.0.113.9", 40000))
    answers = [noisy.request(method, path, json=body).status_code for _ in range(8)]
    assert 429 not in answers[:5] and answers[5:] == [429, 429, 429]
    assert noisy.request(method, path, json=body).headers["Retry-After"]
    other = TestClient(app, client=("198.51.100.4", 40000))
    assert other.request(method, path, json=body).status_code != 429  # buckets are per address


def test_every_operation_documents_its_status_codes(app):
    schema = TestClient(app).get("/openapi.json").json()
    public = {("/api/v1/enroll", "post"), ("/api/v1/health", "get"), ("/api/v1/documents/key", "get"),
              ("/api/v1/documents/keys", "get"), ("/verify", "get"), ("/verify", "post")}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"200", "413", "422", "429"} <= codes, (method, path, codes)
            if (path, method) not in public:
                assert {"401", "403"} <= codes, (method, path, codes)


def test_no_operation_takes_an_id_number_in_its_path_or_query(app):
    """ID numbers travel in signed request bodies only: URLs end up in proxy and access logs."""
    schema = TestClient(app).get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        assert "document_number" not in path and "id_number" not in path
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", ())}
            assert not names & {"document_number", "id_number", "holder", "holder_name"}, (method, path, names)
